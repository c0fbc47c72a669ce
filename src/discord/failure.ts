/**
 * @module discord/failure
 * Every Discord failure an owner can see, worded in one place: the bot's start-up line, its log
 * lines and outbox reasons, and every CLI. One line each: what Discord answered (HTTP status, and
 * Discord's JSON error code and message when it sent them) to which route, or that it could not be
 * reached or did not answer in time, and what the owner can do next. Timeouts are told by type
 * ({@link RequestTimeoutError}), network failures by their system error code.
 */
import { STATUS_CODES } from 'node:http';
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { RequestTimeoutError } from './http-client.ts';
import { DiscordRequestError } from './interactions.ts';

/** What the caller knows that the error may not say. */
export interface FailureContext {
  /** Discord's API base URL in force (`DISCORD_API_URL`), named when Discord cannot be reached. */
  apiUrl?: string;
  /** Method and route, e.g. `GET /gateway/bot`, for an error that does not name its own. */
  route?: string;
}

/** Discord's own API base URL, the default of `DISCORD_API_URL`. */
const DISCORD_API_URL = 'https://discord.com/api';
const STATUS_PAGE = 'https://discordstatus.com';
const RESET_TOKEN =
  'reset the token in the developer portal (Bot -> Reset Token) and update DISCORD_BOT_TOKEN';
/** Discord's "Unknown interaction" and "Unknown Webhook": an interaction token that is gone. */
const EXPIRED_INTERACTION_CODES: ReadonlySet<number> = new Set([10062, 10015]);
/** Discord's "Cannot send messages to this user": the user's DMs are closed to the bot. */
export const DMS_CLOSED = 50007;

/** Discord's JSON error code of a failed request, when it sent one. */
export function discordCodeOf(error: unknown): number | undefined {
  const facts = factsOf(error);
  return typeof facts.code === 'number' ? facts.code : undefined;
}

/** The longest piece of Discord's own message quoted. */
const MAX_MESSAGE = 200;

/** The facts of one failure, whatever kind of error carried them. */
interface Facts {
  route: string | undefined;
  /** HTTP status; undefined when no response arrived. */
  status: number | undefined;
  code: number | string | undefined;
  message: string;
  /** Seconds Discord asked to wait (429). */
  retryAfter?: number;
  timeout: RequestTimeoutError | undefined;
  /** The system error code of a network failure (`ECONNREFUSED`, `ENOTFOUND`, ...). */
  systemCode: string | undefined;
}

/**
 * One line an owner can act on for a failed Discord request: status, Discord's error code and
 * message, the route, and the next step. Never contains a token (interaction routes are shown with
 * `:token`).
 */
export function describeDiscordFailure(error: unknown, context: FailureContext = {}): string {
  const facts = factsOf(error);
  const route = facts.route ?? context.route;
  const on = route ? ` ${route}` : ' a request';
  const apiUrl = context.apiUrl;

  if (facts.status !== undefined && facts.status > 0) {
    const status = `${facts.status} ${STATUS_CODES[facts.status] ?? ''}`.trimEnd();
    const detail = detailOf(facts);
    return `Discord answered${on} with ${status}${detail}: ${nextStep(facts, route, apiUrl)}`;
  }
  const where = apiUrl ? ` at ${apiUrl}` : '';
  if (facts.timeout) {
    return `Discord${where} did not answer${on} within ${seconds(facts.timeout.timeoutMs)}: check the network, a firewall, or DISCORD_API_URL (Discord's status: ${STATUS_PAGE})`;
  }
  if (facts.systemCode) {
    const what = route ? ` (${route})` : '';
    return `Cannot reach Discord${where}${what}: ${facts.message}: ${networkStep(facts.systemCode)}`;
  }
  return `Discord request${on} failed${where}: ${facts.message || 'unknown error'}`;
}

function factsOf(error: unknown): Facts {
  const facts: Facts = {
    route: undefined,
    status: undefined,
    code: undefined,
    message: '',
    timeout: undefined,
    systemCode: undefined,
  };
  if (error instanceof DiscordAPIError) {
    facts.route = routeOf(error.method, error.url);
    facts.status = error.status;
    facts.code = error.code;
    const raw = error.rawError as { message?: unknown; retry_after?: unknown };
    facts.message = typeof raw.message === 'string' ? raw.message : '';
    // Invalid Form Body: the first field Discord names says what was wrong.
    const firstField = error.message.split('\n')[1];
    if (firstField) facts.message += `; ${firstField}`;
    if (typeof raw.retry_after === 'number') facts.retryAfter = raw.retry_after;
  } else if (error instanceof HTTPError) {
    facts.route = routeOf(error.method, error.url);
    facts.status = error.status;
  } else if (error instanceof RateLimitError) {
    facts.route = `${error.method.toUpperCase()} ${error.route}`;
    facts.status = 429;
    facts.retryAfter = error.retryAfter / 1000;
  } else if (error instanceof DiscordRequestError) {
    facts.route = error.route;
    facts.status = error.status || undefined;
    facts.code = error.code;
    facts.message = error.detail;
  }
  // What happened underneath: a timeout or a system error, possibly wrapped as a cause.
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (cause instanceof RequestTimeoutError) facts.timeout = cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (!facts.systemCode && typeof code === 'string' && /^E[A-Z_]+$/.test(code)) {
      facts.systemCode = code;
      facts.message = cause.message;
    }
    if (!facts.message && facts.status === undefined) facts.message = cause.message;
    cause = cause.cause;
  }
  facts.message = oneLine(facts.message);
  return facts;
}

/** `GET /channels/123/messages` from a request URL, with any interaction token replaced. */
function routeOf(method: string, url: string): string {
  const path = /\/v\d+(\/[^?#]*)/.exec(url)?.[1] ?? url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  return `${method.toUpperCase()} ${redact(path ?? '')}`;
}

/** Interaction and webhook tokens are credentials: never part of a line. */
function redact(path: string): string {
  return path.replace(/\/(interactions|webhooks)\/(\d+|:[a-z_]+)\/[^/]+/g, '/$1/$2/:token');
}

function detailOf(facts: Facts): string {
  // Code 0 is Discord's general error, its message only the status again ("401: Unauthorized").
  if (facts.code === 0) return '';
  if (facts.code !== undefined) return ` (code ${facts.code}${facts.message ? `: ${facts.message}` : ''})`;
  return facts.message ? ` (${facts.message})` : '';
}

function nextStep(facts: Facts, route: string | undefined, apiUrl: string | undefined): string {
  const status = facts.status ?? 0;
  const interactionRoute = route?.includes(':token') === true;
  if (
    interactionRoute &&
    (status === 401 || (typeof facts.code === 'number' && EXPIRED_INTERACTION_CODES.has(facts.code)))
  ) {
    return 'the interaction expired before the answer arrived (3 s for the first answer, 15 minutes for follow-ups); the customer can run the command again';
  }
  if (status === 401) return `DISCORD_BOT_TOKEN was rejected; ${RESET_TOKEN}`;
  if (facts.code === DMS_CLOSED) {
    return 'the customer does not accept direct messages from this server or from bots (their privacy settings); nothing to fix on your side, and the email still tells them';
  }
  if (status === 403) {
    if (route?.includes('/commands')) {
      return 'the bot may not manage commands there: invite it to that server with the applications.commands scope';
    }
    if (route?.includes('/channels/')) {
      return "the bot lacks a permission in that channel: give it (or its role) View Channel, Send Messages and Embed Links in the channel's settings";
    }
    return "the bot lacks a permission for this: check its role in the server's settings";
  }
  if (status === 404) {
    const url =
      apiUrl && apiUrl !== DISCORD_API_URL
        ? `DISCORD_API_URL (${apiUrl}; Discord's is ${DISCORD_API_URL})`
        : 'DISCORD_API_URL';
    // A route that names no ID can only be missing when the base URL is not Discord's API.
    if (route !== undefined && !/\/(\d+|:[a-z_]+)(\/|$)/.test(route)) {
      return `check ${url}: it does not point at Discord's API`;
    }
    const channel = /\/channels\/(\d+)/.exec(route ?? '')?.[1];
    if (channel) {
      return `channel ${channel} does not exist or the bot cannot see it: check the channel ID in config.json (orders_channel_id), or ${url}`;
    }
    return `an ID is wrong or no longer exists (a server ID, say), or ${url} does not point at Discord's API`;
  }
  if (status === 429) {
    const wait = facts.retryAfter === undefined ? '' : ` (Discord asked to wait ${facts.retryAfter} s)`;
    return `the bot is being rate limited${wait}; it retries by itself. If this keeps happening, check that no other program uses the same token`;
  }
  if (status >= 500) {
    return `a problem on Discord's side; the bot retries by itself. If it lasts, see ${STATUS_PAGE}`;
  }
  return 'Discord refused the request as the bot sent it: please report this line as a bug';
}

function networkStep(code: string): string {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return "the host name did not resolve: check DISCORD_API_URL and the server's DNS";
  }
  if (code === 'ECONNREFUSED') return 'nothing listens there: check DISCORD_API_URL';
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
    return "the TLS certificate was not accepted: check DISCORD_API_URL and the server's clock";
  }
  return `check the network, a firewall, or DISCORD_API_URL (Discord's status: ${STATUS_PAGE})`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, '; ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
}
