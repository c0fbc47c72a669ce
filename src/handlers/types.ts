/**
 * @module handlers/types
 * What a handler is and what it receives: one context argument, nothing global.
 */
import type { API } from '@discordjs/core/http-only';
import type {
  APIChatInputApplicationCommandInteraction,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
} from 'discord-api-types/v10';
import type { BotConfig, EmailTemplate } from '../config.ts';
import type { Responder } from '../gateway/responder.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { BotStats } from '../metrics.ts';
import type { OrderLimits } from '../order/limits.ts';
import type { SessionStore } from '../sessions.ts';

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

/** Everything a handler may use. */
export interface HandlerContext<I> {
  /** The interaction being handled. */
  interaction: I;
  /** Answers this interaction (reply, modal, update, follow-up), deferring automatically when slow. */
  respond: Responder;
  /** The custom_id parts after the prefix (empty for commands). */
  args: readonly string[];
  /** Typed REST calls that are not answers to this interaction (staff channel posts). */
  api: API;
  sessions: SessionStore;
  limits: OrderLimits;
  mailer: Mailer;
  /** The configuration in force when the interaction arrived (SIGHUP may replace it for later ones). */
  config: BotConfig;
  template: EmailTemplate;
  stats: BotStats;
  log: Logger;
  clock: Clock;
}

/** A slash command handler, found by command name. */
export interface CommandHandler {
  readonly kind: 'command';
  readonly name: string;
  run(ctx: HandlerContext<APIChatInputApplicationCommandInteraction>): Promise<void>;
}

/** A button (or other message component) handler, found by custom_id prefix. */
export interface ComponentHandler {
  readonly kind: 'component';
  readonly prefix: string;
  run(ctx: HandlerContext<APIMessageComponentInteraction>): Promise<void>;
}

/** A modal submit handler, found by custom_id prefix. */
export interface ModalHandler {
  readonly kind: 'modal';
  readonly prefix: string;
  run(ctx: HandlerContext<APIModalSubmitInteraction>): Promise<void>;
}

/** Any handler. */
export type Handler = CommandHandler | ComponentHandler | ModalHandler;

/** Separates the prefix from the arguments in a custom_id. */
export const CUSTOM_ID_SEPARATOR = ':';

/** Builds a custom_id from a prefix and arguments. */
export function customId(prefix: string, ...args: readonly (string | number)[]): string {
  return [prefix, ...args].join(CUSTOM_ID_SEPARATOR);
}
