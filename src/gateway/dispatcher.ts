/**
 * @module gateway/dispatcher
 * Routes gateway dispatches: INTERACTION_CREATE is narrowed by type with an exhaustive switch,
 * then looked up by command name or custom_id prefix in the static registry. A miss is logged
 * and answered; a throw is logged with its stack and answered with a generic apology.
 */
import type { API } from '@discordjs/core/http-only';
import {
  type APIApplicationCommandInteraction,
  type APIChatInputApplicationCommandInteraction,
  type APIInteraction,
  ApplicationCommandType,
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from 'discord-api-types/v10';
import type { BotConfig, EmailTemplate } from '../config.ts';
import type { Registry } from '../handlers/registry.ts';
import { type Clock, CUSTOM_ID_SEPARATOR } from '../handlers/types.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { BotStats } from '../metrics.ts';
import type { OrderLimits } from '../order/limits.ts';
import type { SessionStore } from '../sessions.ts';
import { AnswerExpiredError, type InteractionApi } from './interactions.ts';
import { createResponder, type Responder } from './responder.ts';

/** The user-facing text when a handler fails; no internals. */
export const APOLOGY = '❌ Sorry, something went wrong while handling that. Please try again in a moment.';
/** The answer to a button or modal whose form no longer exists. */
export const EXPIRED = '⌛ This order form expired. Run /order_form again.';

/** The parts of the bot every handler shares; `settings()` is read per interaction. */
export interface DispatcherDeps {
  registry: Registry;
  /** Bot-token routes (the staff channel). */
  api: API;
  /** The interaction routes every answer goes through. */
  interactions: InteractionApi;
  sessions: SessionStore;
  limits: OrderLimits;
  mailer: Mailer;
  stats: BotStats;
  log: Logger;
  clock: Clock;
  settings: () => { config: BotConfig; template: EmailTemplate };
  /** @defaultValue `2000` */
  deferAfterMs?: number;
}

/** The dispatcher. */
export interface Dispatcher {
  /** Handles one gateway dispatch. */
  dispatch(payload: GatewayDispatchPayload, shardId: number): void;
  /** Handles one interaction; resolves when its handler has finished. */
  handleInteraction(interaction: APIInteraction): Promise<void>;
  /** Interactions whose handlers are still running. */
  readonly inFlight: number;
  /** Resolves when no handler is running, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>;
}

/** Creates the dispatcher. */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { registry, log, stats } = deps;
  let inFlight = 0;
  const idleWaiters = new Set<() => void>();

  async function handleInteraction(interaction: APIInteraction): Promise<void> {
    const userId = interaction.member?.user.id ?? interaction.user?.id;
    const ilog = log.child({
      interaction_id: interaction.id,
      user_id: userId,
      guild_id: interaction.guild_id,
    });
    const respond = createResponder(deps.interactions, interaction, {
      deferAfterMs: deps.deferAfterMs ?? 2000,
      onAutoDeferError: (error) => ilog.error('interaction.auto_defer_failed', { error }),
    });
    const { config, template } = deps.settings();
    const base = {
      respond,
      api: deps.api,
      sessions: deps.sessions,
      limits: deps.limits,
      mailer: deps.mailer,
      config,
      template,
      stats,
      log: ilog,
      clock: deps.clock,
    };
    stats.counters.interactions++;
    const started = performance.now();
    let route = 'unknown';
    try {
      switch (interaction.type) {
        case InteractionType.Ping:
          route = 'ping';
          return;
        case InteractionType.ApplicationCommand: {
          route = `/${interaction.data.name}`;
          const handler = isChatInput(interaction) ? registry.commands.get(interaction.data.name) : undefined;
          if (!handler || !isChatInput(interaction)) {
            ilog.warn('interaction.unknown_command', { command: interaction.data.name });
            await respond.reply({
              content: `❓ I don't know the command /${interaction.data.name}. It may be out of date: ask an administrator to run sync-commands.`,
              flags: MessageFlags.Ephemeral,
            });
            return;
          }
          await handler.run({ ...base, interaction, args: [] });
          return;
        }
        case InteractionType.MessageComponent: {
          const [prefix, ...args] = interaction.data.custom_id.split(CUSTOM_ID_SEPARATOR);
          route = `button:${prefix}`;
          const handler = registry.components.get(prefix ?? '');
          if (!handler) return await unknownCustomId(respond, ilog, interaction.data.custom_id);
          await handler.run({ ...base, interaction, args });
          return;
        }
        case InteractionType.ModalSubmit: {
          const [prefix, ...args] = interaction.data.custom_id.split(CUSTOM_ID_SEPARATOR);
          route = `modal:${prefix}`;
          const handler = registry.modals.get(prefix ?? '');
          if (!handler) return await unknownCustomId(respond, ilog, interaction.data.custom_id);
          await handler.run({ ...base, interaction, args });
          return;
        }
        case InteractionType.ApplicationCommandAutocomplete:
          route = 'autocomplete';
          await deps.interactions.callback(interaction.id, interaction.token, {
            type: InteractionResponseType.ApplicationCommandAutocompleteResult,
            data: { choices: [] },
          });
          return;
        default: {
          const unknown: never = interaction;
          ilog.warn('interaction.unknown_type', { type: (unknown as { type: number }).type });
        }
      }
    } catch (error) {
      if (error instanceof AnswerExpiredError) {
        // Overload, not a bug: the answer waited past Discord's window. An apology could not arrive either.
        ilog.warn('interaction.expired', { route, waited_ms: round(performance.now() - started) });
        return;
      }
      stats.counters.interaction_errors++;
      ilog.error('interaction.failed', { route, error });
      await apologize(respond, ilog);
    } finally {
      respond.settle();
      const first = respond.firstResponseMs;
      if (first !== undefined) stats.interactionMs.observe(first);
      ilog.info('interaction.handled', {
        route,
        state: respond.state,
        first_response_ms: first === undefined ? undefined : round(first),
        total_ms: round(performance.now() - started),
      });
    }
  }

  const dispatcher: Dispatcher = {
    dispatch(payload) {
      if (payload.t !== GatewayDispatchEvents.InteractionCreate) return;
      inFlight++;
      void handleInteraction(payload.d).finally(() => {
        inFlight--;
        if (inFlight === 0) for (const resolve of idleWaiters) resolve();
      });
    },
    handleInteraction,
    get inFlight() {
      return inFlight;
    },
    idle(timeoutMs) {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        idleWaiters.add(done);
      });
    },
  };
  return dispatcher;
}

async function unknownCustomId(respond: Responder, log: Logger, customId: string): Promise<void> {
  log.warn('interaction.unknown_custom_id', { custom_id: customId.slice(0, 100) });
  await respond.reply({ content: EXPIRED, flags: MessageFlags.Ephemeral });
}

async function apologize(respond: Responder, log: Logger): Promise<void> {
  try {
    const message = { content: APOLOGY, flags: MessageFlags.Ephemeral };
    if (respond.state === 'replied') await respond.followUp(message);
    else await respond.reply(message);
  } catch (error) {
    log.error('interaction.apology_failed', { error });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function isChatInput(
  interaction: APIApplicationCommandInteraction,
): interaction is APIChatInputApplicationCommandInteraction {
  return interaction.data.type === ApplicationCommandType.ChatInput;
}
