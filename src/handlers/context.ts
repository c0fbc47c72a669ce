/**
 * @module handlers/context
 * The application's side of routing: what every handler receives (one context argument, nothing
 * global), how that context is built for each interaction, and the router's `notFound` / `onError`
 * hooks and the timing-and-logging `finished` hook. Feature services reach handlers through their
 * factories (see `handlers/index.ts`), not through this context.
 */
import {
  type APIInteraction,
  type APIModalInteractionResponseCallbackData,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from 'discord-api-types/v10';
import { type BotConfig, type EmailTemplate, staffLanguageOf } from '../config.ts';
import {
  ALREADY_ACKNOWLEDGED,
  AnswerExpiredError,
  DiscordRequestError,
  type InteractionApi,
} from '../discord/interactions.ts';
import { createResponder, type Responder } from '../discord/responder.ts';
import { isStoreUnavailable } from '../errors.ts';
import { chooseLanguage, type Language } from '../i18n/languages.ts';
import { type Translator, translator } from '../i18n/translate.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { formIn, type OrderForm } from '../order/form.ts';
import type {
  CommandHandler,
  ComponentHandler,
  ModalHandler,
  RouteContext,
  RouterOptions,
} from '../router/router.ts';

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

/** What every handler receives about the interaction it handles. */
export interface AppContext {
  /** Answers this interaction (reply, modal, update, follow-up), deferring automatically when slow. */
  readonly respond: Responder;
  /** The member's or user's ID ('' in the rare payload without one). */
  readonly userId: string;
  readonly guildId: string | undefined;
  /** Whether the interaction comes from one of the shop's servers (`allowed_guild_ids`; all when unset). */
  readonly inShop: boolean;
  /** The configuration in force when the interaction arrived (SIGHUP may replace it for later ones). */
  readonly config: BotConfig;
  readonly template: EmailTemplate;
  /** The shop's order form in force when the interaction arrived, in {@link AppContext.language}. */
  readonly form: OrderForm;
  /**
   * The customer's language for this interaction: the user's `locale` when the shop offers it,
   * else the server's `guild_locale` when offered, else `default_language`.
   */
  readonly language: Language;
  /** The customer's texts, in {@link AppContext.language}. */
  readonly t: Translator;
  /** The staff's texts, in `staff_language`. */
  readonly staffT: Translator;
  /** A logger that adds the interaction, user and guild IDs to every line. */
  readonly log: Logger;
  readonly clock: Clock;
}

/** A slash command handler of this bot. */
export type Command = CommandHandler<AppContext>;
/** A button handler of this bot. */
export type Component = ComponentHandler<AppContext>;
/** A modal handler of this bot. */
export type Modal = ModalHandler<AppContext>;
/** What a handler receives, narrowed to interaction type `I`. */
export type Ctx<I> = RouteContext<AppContext, I>;

/**
 * Opens a modal, or, when the interaction was already deferred (the handler took over 2 s: an
 * overloaded machine or a slow database), tells the customer to try again: Discord takes a modal
 * only as the first answer, and a deferred one cannot become a modal.
 */
export async function openModal(
  ctx: AppContext,
  data: APIModalInteractionResponseCallbackData,
): Promise<void> {
  if (ctx.respond.state === 'pending') {
    try {
      await ctx.respond.modal(data);
      return;
    } catch (error) {
      // Deferred between the check and the answer; anything else is a real failure.
      if (ctx.respond.state === 'pending') throw error;
    }
  }
  ctx.log.warn('interaction.modal_too_late', { note: 'deferred before the form could open' });
  await ctx.respond.editReply({ content: ctx.t('busy') });
}

/** The user-facing text when a handler fails (in English; the customer's language in handlers); no internals. */
export const APOLOGY = translator('en-US')('apology');

/** Options for {@link createAppContext}. */
export interface AppContextOptions {
  interactions: InteractionApi;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  settings: () => { config: BotConfig; template: EmailTemplate; form: OrderForm };
  /** @defaultValue `2000` */
  deferAfterMs?: number;
}

/** The context factory and the router hooks of this bot. */
export interface AppBinding extends Pick<RouterOptions<AppContext>, 'notFound' | 'onError'> {
  /** Builds the context of one interaction. */
  context(interaction: APIInteraction): AppContext;
  /**
   * Answers an interaction the dispatcher did not route (shutting down, or overloaded): a quick,
   * honest answer instead of silence.
   */
  refused(interaction: APIInteraction, reason: 'closed' | 'busy'): void;
  /** Times and logs a finished interaction. */
  finished(ctx: AppContext, route: string, totalMs: number): void;
}

/** Creates the context factory and hooks. */
export function createAppContext(options: AppContextOptions): AppBinding {
  const { metrics } = options;
  return {
    context(interaction) {
      const userId = interaction.member?.user.id ?? interaction.user?.id ?? '';
      const log = options.log.child({
        interaction_id: interaction.id,
        user_id: userId || undefined,
        guild_id: interaction.guild_id,
      });
      const respond = createResponder(options.interactions, interaction, {
        deferAfterMs: options.deferAfterMs ?? 2000,
        onAutoDeferError: (error) => log.error('interaction.auto_defer_failed', { error }),
      });
      const { config, template, form } = options.settings();
      const language = chooseLanguage(interaction, config);
      metrics.count('interactions');
      const guildId = interaction.guild_id;
      const allowed = config.allowed_guild_ids;
      // Orders are taken in servers only: outside one (a DM, through a stale or forged command
      // registration) the per-server cap could not count them.
      const inShop = guildId !== undefined && (allowed.length === 0 || allowed.includes(guildId));
      return {
        respond,
        userId,
        guildId,
        inShop,
        config,
        template,
        form: formIn(form, language),
        language,
        t: translator(language),
        staffT: translator(staffLanguageOf(config)),
        log,
        clock: options.clock,
      };
    },

    refused(interaction, reason) {
      if (reason === 'busy') metrics.count('interactions_refused');
      const t = translator(chooseLanguage(interaction, options.settings().config));
      void options.interactions
        .callback(
          interaction.id,
          interaction.token,
          {
            type: InteractionResponseType.ChannelMessageWithSource,
            data: { content: t(reason === 'busy' ? 'busy' : 'restarting'), flags: MessageFlags.Ephemeral },
          },
          performance.now(),
        )
        .catch(() => undefined);
    },

    async notFound(ctx, miss) {
      switch (miss.kind) {
        case 'command':
          ctx.log.warn('interaction.unknown_command', { command: miss.key });
          return ctx.respond.reply({
            content: ctx.t('unknown_command', { command: miss.key }),
            flags: MessageFlags.Ephemeral,
          });
        case 'component':
        case 'modal':
          ctx.log.warn('interaction.unknown_custom_id', { custom_id: miss.key.slice(0, 100) });
          return ctx.respond.reply({ content: ctx.t('expired'), flags: MessageFlags.Ephemeral });
        case 'autocomplete':
          if (ctx.interaction.type !== InteractionType.ApplicationCommandAutocomplete) return;
          return options.interactions.callback(ctx.interaction.id, ctx.interaction.token, {
            type: InteractionResponseType.ApplicationCommandAutocompleteResult,
            data: { choices: [] },
          });
        case 'unknown_type':
          ctx.log.warn('interaction.unknown_type', { type: miss.key });
          return;
        default: {
          const unreachable: never = miss;
          throw new Error(`unhandled miss ${JSON.stringify(unreachable)}`);
        }
      }
    },

    async onError(error, ctx, route) {
      if (error instanceof AnswerExpiredError) {
        // Overload, not a bug: the answer waited past Discord's window. An apology could not arrive either.
        ctx.log.warn('interaction.expired', { route });
        return;
      }
      if (error instanceof DiscordRequestError && error.code === ALREADY_ACKNOWLEDGED) {
        // Another process answered this interaction first (one delivered to two): not a bug, and
        // an apology could not be sent either.
        ctx.log.warn('interaction.answered_elsewhere', { route });
        return;
      }
      // A store down or restarting is not a bug: the customer is told to try again in a minute.
      const unavailable = isStoreUnavailable(error);
      if (unavailable) ctx.log.warn('interaction.store_unavailable', { route, error });
      else {
        metrics.count('interaction_errors');
        ctx.log.error('interaction.failed', { route, error });
      }
      try {
        const message = {
          content: ctx.t(unavailable ? 'orders_unavailable' : 'apology'),
          flags: MessageFlags.Ephemeral,
        };
        if (ctx.respond.state === 'replied') await ctx.respond.followUp(message);
        else await ctx.respond.reply(message);
      } catch (apologyError) {
        ctx.log.error('interaction.apology_failed', { error: apologyError });
      }
    },

    finished(ctx, route, totalMs) {
      ctx.respond.settle();
      const first = ctx.respond.firstResponseMs;
      if (first !== undefined) metrics.interactionMs.observe(first);
      ctx.log.info('interaction.handled', {
        route,
        state: ctx.respond.state,
        first_response_ms: first === undefined ? undefined : round(first),
        total_ms: round(totalMs),
      });
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
