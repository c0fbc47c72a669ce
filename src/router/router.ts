/**
 * @module router/router
 * Generic interaction routing: narrowed by type with an exhaustive switch, then a table lookup by
 * command name or custom_id prefix in a static registry. It knows no feature: a miss goes to the
 * `notFound` hook and a throw to the `onError` hook, both supplied by the application (as Hono's
 * `app.notFound` / `app.onError`). Handlers receive the application's context `B` plus the
 * narrowed interaction and the custom_id arguments.
 */
import {
  type APIChatInputApplicationCommandInteraction,
  type APIInteraction,
  type APIMessageComponentInteraction,
  type APIModalSubmitInteraction,
  InteractionType,
  Utils,
} from 'discord-api-types/v10';

/** Separates the prefix from the arguments in a custom_id. */
export const CUSTOM_ID_SEPARATOR = ':';

/** Builds a custom_id from a prefix and arguments. */
export function customId(prefix: string, ...args: readonly (string | number)[]): string {
  return [prefix, ...args].join(CUSTOM_ID_SEPARATOR);
}

/**
 * What a handler receives: the application's context, the narrowed interaction, custom_id
 * arguments. The application's context `B` must not have `interaction` or `args` of its own.
 */
export type RouteContext<B, I> = B & {
  /** The interaction being handled. */
  readonly interaction: I;
  /** The custom_id parts after the prefix (empty for commands). */
  readonly args: readonly string[];
};

/** A slash command handler, found by command name. */
export interface CommandHandler<B> {
  readonly kind: 'command';
  readonly name: string;
  run(ctx: RouteContext<B, APIChatInputApplicationCommandInteraction>): Promise<void>;
}

/** A button (or other message component) handler, found by custom_id prefix. */
export interface ComponentHandler<B> {
  readonly kind: 'component';
  readonly prefix: string;
  run(ctx: RouteContext<B, APIMessageComponentInteraction>): Promise<void>;
}

/** A modal submit handler, found by custom_id prefix. */
export interface ModalHandler<B> {
  readonly kind: 'modal';
  readonly prefix: string;
  run(ctx: RouteContext<B, APIModalSubmitInteraction>): Promise<void>;
}

/** Any handler. */
export type Handler<B> = CommandHandler<B> | ComponentHandler<B> | ModalHandler<B>;

/** Handlers by command name and by custom_id prefix. */
export interface Registry<B> {
  readonly commands: ReadonlyMap<string, CommandHandler<B>>;
  readonly components: ReadonlyMap<string, ComponentHandler<B>>;
  readonly modals: ReadonlyMap<string, ModalHandler<B>>;
}

/** Builds a {@link Registry}; throws when two handlers claim the same key. */
export function createRegistry<B>(handlers: readonly Handler<B>[]): Registry<B> {
  const commands = new Map<string, CommandHandler<B>>();
  const components = new Map<string, ComponentHandler<B>>();
  const modals = new Map<string, ModalHandler<B>>();
  const add = <H>(map: Map<string, H>, key: string, handler: H, what: string) => {
    if (map.has(key)) throw new Error(`Duplicate ${what} handler: ${key}`);
    if (key.includes(CUSTOM_ID_SEPARATOR)) throw new Error(`A ${what} key must not contain ":": ${key}`);
    map.set(key, handler);
  };
  for (const handler of handlers) {
    switch (handler.kind) {
      case 'command':
        add(commands, handler.name, handler, 'command');
        break;
      case 'component':
        add(components, handler.prefix, handler, 'component');
        break;
      case 'modal':
        add(modals, handler.prefix, handler, 'modal');
        break;
      default: {
        const unreachable: never = handler;
        throw new Error(`Unknown handler kind: ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return { commands, components, modals };
}

/**
 * Why nothing handled an interaction: no handler for a command name or custom_id prefix, an
 * autocomplete request (the bot offers none), or an interaction type this code does not know.
 */
export type RouteMiss =
  | { kind: 'command' | 'component' | 'modal'; key: string }
  | { kind: 'autocomplete' | 'unknown_type'; key: string };

/** Options for {@link createRouter}. */
export interface RouterOptions<B> {
  handlers: readonly Handler<B>[];
  /** Answers an interaction no handler takes. */
  notFound(ctx: RouteContext<B, APIInteraction>, miss: RouteMiss): Promise<void>;
  /** Answers (and logs) an interaction whose handler or `notFound` threw. Should not throw. */
  onError(error: unknown, ctx: RouteContext<B, APIInteraction>, route: string): Promise<void>;
}

/** The router. */
export interface Router<B> {
  /** Handles one interaction with context `base`; resolves with the route taken. Never rejects. */
  route(interaction: APIInteraction, base: B): Promise<string>;
}

/** Creates the router over a static registry. */
export function createRouter<B>(options: RouterOptions<B>): Router<B> {
  const registry = createRegistry(options.handlers);
  const split = (id: string) => {
    const [prefix = '', ...args] = id.split(CUSTOM_ID_SEPARATOR);
    return { prefix, args };
  };
  /**
   * One interaction's context. The spread comes last: an object that gains properties after a
   * spread (`{ ...base, interaction }`) is kept alive by V8 through the next scavenge and promoted
   * to the old generation, one per interaction (measured with `npm run bench:alloc`). `B` has no
   * `interaction` or `args` of its own (see {@link RouteContext}).
   */
  const contextOf = <I extends APIInteraction>(
    base: B,
    interaction: I,
    args: readonly string[],
  ): RouteContext<B, I> => ({ interaction, args, ...base });

  return {
    async route(interaction, base) {
      let route = 'unknown';
      // One context per interaction: handlers and hooks get the same object.
      let ctx: RouteContext<B, APIInteraction> | undefined;
      try {
        switch (interaction.type) {
          case InteractionType.Ping:
            return 'ping';
          case InteractionType.ApplicationCommand: {
            route = `/${interaction.data.name}`;
            const handler = registry.commands.get(interaction.data.name);
            if (handler && Utils.isChatInputApplicationCommandInteraction(interaction)) {
              const own = contextOf(base, interaction, []);
              ctx = own;
              await handler.run(own);
            } else {
              ctx = contextOf(base, interaction, []);
              await options.notFound(ctx, { kind: 'command', key: interaction.data.name });
            }
            return route;
          }
          case InteractionType.MessageComponent: {
            const { prefix, args } = split(interaction.data.custom_id);
            route = `button:${prefix}`;
            const own = contextOf(base, interaction, args);
            ctx = own;
            const handler = registry.components.get(prefix);
            if (handler) await handler.run(own);
            else await options.notFound(own, { kind: 'component', key: interaction.data.custom_id });
            return route;
          }
          case InteractionType.ModalSubmit: {
            const { prefix, args } = split(interaction.data.custom_id);
            route = `modal:${prefix}`;
            const own = contextOf(base, interaction, args);
            ctx = own;
            const handler = registry.modals.get(prefix);
            if (handler) await handler.run(own);
            else await options.notFound(own, { kind: 'modal', key: interaction.data.custom_id });
            return route;
          }
          case InteractionType.ApplicationCommandAutocomplete:
            route = 'autocomplete';
            ctx = contextOf(base, interaction, []);
            await options.notFound(ctx, { kind: 'autocomplete', key: interaction.data.name });
            return route;
          default: {
            const unknown: never = interaction;
            ctx = contextOf(base, unknown, []);
            await options.notFound(ctx, {
              kind: 'unknown_type',
              key: String((unknown as { type: number }).type),
            });
            return route;
          }
        }
      } catch (error) {
        try {
          await options.onError(error, ctx ?? contextOf(base, interaction, []), route);
        } catch {
          // onError answers and logs; if even that fails there is no one left to tell.
        }
        return route;
      }
    },
  };
}
