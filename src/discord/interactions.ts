/**
 * @module discord/interactions
 * The three routes an interaction is answered on (callback, edit original, follow-up), sent
 * through the transport's one keep-alive node:http client (http-client.ts, the same pool
 * @discordjs/rest uses) but not through @discordjs/rest's queue.
 *
 * Why: these routes are authenticated by the interaction token in the URL, not the bot token, and
 * Discord does not count them against the bot's global rate limit. @discordjs/rest 2.x sends the
 * callback outside its global queue, but counts edits and follow-ups (webhook routes) against its
 * 50/s global limit, so 1,000 customers finishing at once queued 1,000 follow-up edits for 20 s; and
 * it has no way to drop an answer that can no longer arrive in time. Here a request is one
 * JSON.stringify and one node:http request. 429 answers are still honoured (wait `retry_after`,
 * then retry), 5xx and network errors are retried briefly, and an initial callback that could no
 * longer arrive inside Discord's 3 s window is dropped without a request (see
 * {@link InteractionApiOptions.callbackWindowMs}).
 */
import {
  type APIInteractionResponse,
  type RESTPatchAPIInteractionOriginalResponseJSONBody,
  type RESTPostAPIInteractionFollowupJSONBody,
  Routes,
} from 'discord-api-types/v10';
import { trace } from '../trace.ts';
import { VERSION } from '../version.ts';
import type { HttpClient, HttpRequest, HttpResponse } from './http-client.ts';

/** How often a request is tried when Discord answers 5xx or the connection fails. */
export const SERVER_ERROR_ATTEMPTS = 3;
/** How often a request is tried when Discord answers 429. */
const RATE_LIMIT_ATTEMPTS = 4;
/** A 429 asking to wait longer than this is not waited for. */
const MAX_RETRY_AFTER_MS = 10_000;
/** Discord's "Interaction has already been acknowledged": after a retry, the first try landed. */
export const ALREADY_ACKNOWLEDGED = 40060;

/**
 * Discord refused a request (or it never completed; then the network error or
 * `RequestTimeoutError` is its `cause`). Never carries the interaction token.
 */
export class DiscordRequestError extends Error {
  override readonly name: string = 'DiscordRequestError';
  constructor(
    /** Method and route with the token replaced, e.g. `POST /interactions/:id/:token/callback`. */
    readonly route: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    /** Discord's JSON error code, when it sent one. */
    readonly code: number | undefined,
    /** Discord's error message, or what went wrong on the way. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `${route}: ${status || 'no response'}${code !== undefined ? ` (code ${code})` : ''} ${detail}`,
      options,
    );
  }
}

/** A first answer dropped unsent because it could no longer reach Discord inside 3 seconds. */
export class AnswerExpiredError extends DiscordRequestError {
  override readonly name = 'AnswerExpiredError';
  constructor(route: string) {
    super(route, 0, undefined, 'not sent: the interaction expired while its answer was queued');
  }
}

/** The interaction routes. */
export interface InteractionApi {
  /** POST /interactions/{id}/{token}/callback. `receivedAt` is `performance.now()` at arrival. */
  callback(id: string, token: string, body: APIInteractionResponse, receivedAt?: number): Promise<void>;
  /** PATCH /webhooks/{application_id}/{token}/messages/@original. */
  editOriginal(
    applicationId: string,
    token: string,
    body: RESTPatchAPIInteractionOriginalResponseJSONBody,
  ): Promise<void>;
  /** POST /webhooks/{application_id}/{token}. */
  followUp(applicationId: string, token: string, body: RESTPostAPIInteractionFollowupJSONBody): Promise<void>;
  /** Requests waiting for a free connection slot right now. */
  readonly queued: number;
}

/**
 * Something worth counting happened to an answer: `expired` (an initial callback dropped because it
 * could no longer reach Discord in time), `rate_limited` (Discord answered 429; it was waited for
 * and retried) or `retried` (a retry after a 5xx or a connection error).
 */
export type AnswerEvent = 'expired' | 'rate_limited' | 'retried';

/** Options for {@link createInteractionApi}. */
export interface InteractionApiOptions {
  http: Pick<HttpClient, 'send'>;
  /** Discord's API base URL, e.g. `https://discord.com/api`. */
  apiUrl: string;
  /**
   * An initial callback still waiting this long after its interaction arrived is dropped: Discord
   * would answer 10062 Unknown interaction, and sending it only deepens a backlog. This is what
   * bounds memory when interactions arrive faster than the machine can answer them.
   * @defaultValue `2900`
   */
  callbackWindowMs?: number;
  /**
   * An edit or follow-up still waiting for a free connection this long after it was asked for is
   * dropped (as {@link AnswerExpiredError}), so a backlog cannot grow without end. @defaultValue `30000`
   */
  queueWindowMs?: number;
  /** Per-request timeout. @defaultValue `10000` */
  timeoutMs?: number;
  /** Requests in flight at once; the rest wait in order. @defaultValue `96` */
  maxInFlight?: number;
  /** Told of every {@link AnswerEvent}, for the counters. */
  onEvent?: (event: AnswerEvent) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const USER_AGENT = `DiscordBot (https://github.com/lean-order-bot/lean-order-bot, ${VERSION})`;
const JSON_HEADERS = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };

/** Creates the interaction API. */
export function createInteractionApi(options: InteractionApiOptions): InteractionApi {
  const base = `${options.apiUrl.replace(/\/+$/, '')}/v10`;
  const now = options.now ?? performance.now.bind(performance);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const window = options.callbackWindowMs ?? 2900;
  const queueWindow = options.queueWindowMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 96;
  let inFlight = 0;
  /** Requests waiting for a free slot, oldest first; `head` is the next one. */
  const waiting: (() => void)[] = [];
  let head = 0;
  const onEvent = options.onEvent ?? (() => {});
  const acquire = (): Promise<void> | undefined => {
    if (inFlight < maxInFlight) {
      inFlight++;
      return undefined;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = () => {
    if (head < waiting.length) {
      const next = waiting[head++]!;
      if (head === waiting.length) {
        waiting.length = 0;
        head = 0;
      } else if (head >= 1024) {
        waiting.splice(0, head);
        head = 0;
      }
      next(); // the slot passes straight on: inFlight is unchanged
    } else inFlight--;
  };

  /** Sends one request once a slot is free; a request that has passed its deadline is not sent. */
  async function throttled(request: HttpRequest, deadline: number, route: string): Promise<HttpResponse> {
    const wait = acquire();
    if (wait) await wait;
    try {
      if (now() > deadline) {
        onEvent('expired');
        throw new AnswerExpiredError(route);
      }
      return await options.http.send(request);
    } finally {
      release();
    }
  }

  async function send(
    method: 'POST' | 'PATCH',
    path: string,
    route: string,
    body: unknown,
    deadline: number,
    idempotent: boolean,
    onWritten?: () => void,
  ): Promise<void> {
    const payload = JSON.stringify(body);
    let serverErrors = 0;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await throttled(
          { url: base + path, method, headers: JSON_HEADERS, body: payload, timeoutMs, onWritten },
          deadline,
          route,
        );
      } catch (error) {
        if (error instanceof DiscordRequestError) throw error;
        if (idempotent && ++serverErrors < SERVER_ERROR_ATTEMPTS) {
          onEvent('retried');
          await sleep(100 * serverErrors);
          continue;
        }
        throw new DiscordRequestError(
          route,
          0,
          undefined,
          error instanceof Error ? error.message : String(error),
          { cause: error },
        );
      }
      const { status } = response;
      if (status >= 200 && status < 300) return;
      const error = parseError(response);
      if (status === 429 && attempt < RATE_LIMIT_ATTEMPTS) {
        const waitMs = retryAfterMs(response, error);
        if (waitMs <= MAX_RETRY_AFTER_MS) {
          onEvent('rate_limited');
          await sleep(waitMs);
          continue;
        }
      }
      if (status >= 500 && idempotent && ++serverErrors < SERVER_ERROR_ATTEMPTS) {
        onEvent('retried');
        await sleep(100 * serverErrors);
        continue;
      }
      // A retried callback Discord calls "already acknowledged": the earlier try got through.
      if (serverErrors > 0 && error.code === ALREADY_ACKNOWLEDGED) return;
      throw new DiscordRequestError(route, status, error.code, error.message);
    }
  }

  return {
    callback(id, token, body, receivedAt) {
      const deadline = receivedAt === undefined ? Number.POSITIVE_INFINITY : receivedAt + window;
      return send(
        'POST',
        Routes.interactionCallback(id, token),
        'POST /interactions/:id/:token/callback',
        body,
        deadline,
        true,
        trace.enabled ? () => trace.stamp(id, 'written') : undefined,
      );
    },
    editOriginal(applicationId, token, body) {
      return send(
        'PATCH',
        Routes.webhookMessage(applicationId, token, '@original'),
        'PATCH /webhooks/:application_id/:token/messages/@original',
        body,
        now() + queueWindow,
        true,
      );
    },
    followUp(applicationId, token, body) {
      // Not retried after a 5xx: the message may have been posted, and a retry would post it twice.
      return send(
        'POST',
        Routes.webhook(applicationId, token),
        'POST /webhooks/:application_id/:token',
        body,
        now() + queueWindow,
        false,
      );
    },
    get queued() {
      return waiting.length - head;
    },
  };
}

function parseError(response: HttpResponse): {
  code: number | undefined;
  message: string;
  retryAfter?: number;
} {
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as {
      code?: unknown;
      message?: unknown;
      retry_after?: unknown;
    };
    return {
      code: typeof parsed.code === 'number' ? parsed.code : undefined,
      message: typeof parsed.message === 'string' ? parsed.message : '',
      ...(typeof parsed.retry_after === 'number' ? { retryAfter: parsed.retry_after } : {}),
    };
  } catch {
    return { code: undefined, message: response.body.toString('utf8').slice(0, 200) };
  }
}

function retryAfterMs(response: HttpResponse, error: { retryAfter?: number }): number {
  const seconds = error.retryAfter ?? Number(response.headers['retry-after'] ?? 1);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : 1000;
}
