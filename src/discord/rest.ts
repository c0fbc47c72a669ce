/**
 * @module discord/rest
 * The Discord transport, built once and injected everywhere: one keep-alive node:http client
 * (http-client.ts) under both @discordjs/rest (bot-token routes: the gateway URL, commands, the
 * staff channel) and the interaction API (answers, outside rest's queue; see interactions.ts).
 * The gateway, the handlers and the CLIs all take what is built here; nothing below builds its own.
 */
import { DiscordAPIError, HTTPError, REST } from '@discordjs/rest';
import { describeDiscordFailure } from './failure.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';
import { type AnswerEvent, createInteractionApi, type InteractionApi } from './interactions.ts';

/** Options for {@link createDiscordTransport}. */
export interface DiscordTransportOptions {
  token: string;
  /** Discord's API base URL (`DISCORD_API_URL`). */
  apiUrl: string;
  /** Per-request timeout of bot-token routes. @defaultValue `10000` */
  timeoutMs?: number;
  /** Retries of bot-token routes after a 5xx or a network error. @defaultValue @discordjs/rest's 3 */
  retries?: number;
  /**
   * This process's share of Discord's global rate limit for the bot token (50 requests a second
   * per bot, however many processes use the token): 50 divided by the processes that make
   * bot-token requests. Interaction answers do not count against it. @defaultValue `50`
   */
  globalRequestsPerSecond?: number;
  /** Counters of the interaction routes. */
  onAnswerEvent?: (event: AnswerEvent) => void;
  /**
   * Called when Discord answers a bot-token request with 401: the token was reset or revoked.
   * (@discordjs/rest then clears its token, so every later bot-token request would fail too.)
   * Gets the line {@link describeDiscordFailure} makes of it.
   */
  onUnauthorized?: (description: string) => void;
}

/** The REST client, the interaction routes and the connection pool they share. */
export interface DiscordTransport {
  readonly rest: REST;
  readonly interactions: InteractionApi;
  readonly http: HttpClient;
  /** Closes the pooled sockets so the process can exit. */
  destroy(): void;
}

/** Creates the transport. */
export function createDiscordTransport(options: DiscordTransportOptions): DiscordTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const http = createHttpClient({ timeoutMs });
  const rest = new REST({
    api: options.apiUrl,
    version: '10',
    makeRequest: async (url, init) => {
      const response = await http.makeRequest(url, init);
      if (response.status === 401 && options.onUnauthorized) {
        const failure = new HTTPError(401, response.statusText, init.method ?? 'GET', url, {});
        options.onUnauthorized(describeDiscordFailure(failure));
      }
      return response;
    },
    // Only a backstop: the HTTP client's own deadline (`timeoutMs`) ends a request first, with a
    // RequestTimeoutError that says it timed out; @discordjs/rest's abort would not.
    timeout: timeoutMs + 1000,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.globalRequestsPerSecond === undefined
      ? {}
      : { globalRequestsPerSecond: options.globalRequestsPerSecond }),
  }).setToken(options.token);
  const interactions = createInteractionApi({
    http,
    apiUrl: options.apiUrl,
    ...(options.onAnswerEvent ? { onEvent: options.onAnswerEvent } : {}),
  });
  return {
    rest,
    interactions,
    http,
    destroy: () => http.destroy(),
  };
}

/** The HTTP status of a failed @discordjs/rest request, or undefined when no response arrived. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof DiscordAPIError || error instanceof HTTPError) return error.status;
  return undefined;
}
