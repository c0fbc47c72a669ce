/**
 * @module discord/http-client
 * One node:http(s) client with a keep-alive agent, the bot's only way to send HTTP to Discord: it
 * carries @discordjs/rest's requests (through the `makeRequest` it calls) and the interaction
 * answers (interactions.ts calls `send`). Measured here, global fetch had a p99 of 27-167 ms for
 * many small requests where node:http with keep-alive stayed near 8 ms, and skipping undici saves
 * its code and, on Node 20, 12 MB of resident memory (see Headers below).
 */
import http from 'node:http';
import https from 'node:https';
import type { ResponseLike } from '@discordjs/rest';

/** The init argument @discordjs/rest passes (undici's RequestInit; only these fields are read). */
interface RequestInit {
  method?: string | undefined;
  headers?: unknown;
  body?: unknown;
  signal?: unknown;
}

/**
 * No complete response arrived within the request's `timeoutMs`: the one way this client says
 * "timed out", so callers tell a timeout by its type. Its `name` stays `AbortError` on purpose:
 * @discordjs/rest 2.x retries a request whose error has that name (`shouldRetry`), as it did when
 * its own AbortController cut a request short. Never carries the path (interaction routes hold a
 * token there).
 */
export class RequestTimeoutError extends Error {
  override readonly name = 'AbortError';
  constructor(
    /** The request's method. */
    readonly method: string,
    /** The host that did not answer. */
    readonly host: string,
    /** How long the request was given. */
    readonly timeoutMs: number,
  ) {
    super(`${method} to ${host}: no response in ${timeoutMs} ms`);
  }
}

/** Options for {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Most sockets open per host at once. @defaultValue `128` (16 capped throughput near 4,000 requests/s) */
  maxSockets?: number;
  /**
   * How long a request sent through `makeRequest` (for @discordjs/rest) may take before it fails
   * with {@link RequestTimeoutError}. @defaultValue `10000`
   */
  timeoutMs?: number;
}

/** A response read to the end. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request; `url` is absolute. */
export interface HttpRequest {
  url: string | URL;
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
  /** Gives up (rejects with {@link RequestTimeoutError}) after this many ms without a complete response. */
  timeoutMs?: number;
  /** Called when the request gets its socket; Node writes it there in the same tick. */
  onWritten?: (() => void) | undefined;
}

/** The shared client. */
export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** The `makeRequest` option of @discordjs/rest. */
  makeRequest(url: string, init: RequestInit): Promise<ResponseLike>;
  /** Closes idle sockets so the process can exit. */
  destroy(): void;
}

/** Where a request goes: its origin, parsed once, and its path. */
export interface RequestTarget {
  origin: string;
  secure: boolean;
  /** The host name or address (IPv6 without brackets). */
  host: string;
  port: number;
  /** The `Host` header: host and, when not the default, port. */
  hostHeader: string;
  path: string;
}

/**
 * Splits URLs into origin and path, parsing each origin once (the bot talks to one or two; at
 * most 8 are remembered).
 */
export function createLocator(): (url: string | URL) => RequestTarget {
  const origins = new Map<string, Omit<RequestTarget, 'path'>>();
  return (url) => {
    const text = String(url);
    const slash = text.indexOf('/', text.indexOf('//') + 2);
    const origin = slash < 0 ? text : text.slice(0, slash);
    let parsed = origins.get(origin);
    if (!parsed) {
      const { protocol, hostname, port, host } = new URL(origin);
      if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`unsupported protocol ${protocol}`);
      const secure = protocol === 'https:';
      parsed = {
        origin,
        secure,
        host: hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(port) || (secure ? 443 : 80),
        hostHeader: host,
      };
      if (origins.size < 8) origins.set(origin, parsed);
    }
    // The path first and the spread last: a copy that gains a property after a spread costs V8 a
    // promotion to the old generation per call (see discord/responder.ts).
    return { path: slash < 0 ? '/' : text.slice(slash), ...parsed };
  };
}

/** Creates the client with its own keep-alive agents. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const restTimeoutMs = options.timeoutMs ?? 10_000;
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 128,
    maxFreeSockets: options.maxSockets ?? 128,
    scheduling: 'lifo' as const,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  const locate = createLocator();

  function send(request: HttpRequest): Promise<HttpResponse> {
    const target = locate(request.url);
    return new Promise((resolve, reject) => {
      // The caller's headers object is passed as it is (callers share one for every request):
      // node:http adds Content-Length itself from the one body given to `end`. No copy of it with
      // one more property: V8 kept such a copy alive into the old generation (see createLocator).
      const outgoing = (target.secure ? https : http).request(
        {
          hostname: target.host,
          port: target.port,
          path: target.path,
          method: request.method,
          headers: request.headers,
          agent: target.secure ? httpsAgent : httpAgent,
          signal: request.signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
            });
          });
        },
      );
      // A deadline for the whole exchange (node:http's `timeout` counts only idle time).
      const timer = request.timeoutMs
        ? setTimeout(
            () => outgoing.destroy(new RequestTimeoutError(request.method, target.host, request.timeoutMs!)),
            request.timeoutMs,
          )
        : undefined;
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      outgoing.on('error', fail);
      if (request.onWritten) outgoing.once('socket', request.onWritten);
      outgoing.end(request.body);
    });
  }

  return {
    send,
    async makeRequest(url, init) {
      const response = await send({
        url,
        method: init.method ?? 'GET',
        // @discordjs/rest always passes a plain object of strings.
        headers: (init.headers ?? {}) as Record<string, string>,
        body: normalizeBody(init.body),
        signal: init.signal as AbortSignal | undefined,
        timeoutMs: restTimeoutMs,
      });
      return new RestResponse(response);
    },
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function normalizeBody(body: RequestInit['body']): string | Buffer | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // File uploads (FormData) are the one body the bot never sends.
  throw new TypeError('makeRequest: only string and binary bodies are supported');
}

/**
 * The two methods @discordjs/rest calls on response headers. Not the global `Headers`: touching
 * that makes Node 20 load its internal undici, 12 MB of resident memory (measured:
 * `node -e "globalThis.Headers"` 51.2 MB against 39.2 MB for an empty script).
 */
class ResponseHeaders {
  readonly #headers: http.IncomingHttpHeaders;
  constructor(headers: http.IncomingHttpHeaders) {
    this.#headers = headers;
  }
  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }
}

/**
 * What @discordjs/rest reads of a response. A class rather than an object literal with a `get`
 * accessor: such a literal gets accessor functions of its own each time, which V8 keeps reachable
 * from old space, so every response would survive its first scavenge and be promoted.
 */
class RestResponse implements ResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  // Only get() and has() are ever called (checked against @discordjs/rest 2.6's source).
  readonly headers: Headers;
  readonly body = null;
  #body: Buffer;
  #used = false;

  constructor({ status, headers, body }: HttpResponse) {
    this.status = status;
    this.statusText = http.STATUS_CODES[status] ?? '';
    this.ok = status >= 200 && status < 300;
    this.headers = new ResponseHeaders(headers) as unknown as Headers;
    this.#body = body;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  #consume(): Buffer {
    this.#used = true;
    return this.#body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const data = this.#consume();
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return this.#consume().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.#consume().toString('utf8'));
  }
}
