/**
 * @module discord/interactions-endpoint
 * The signed HTTP interactions endpoint (`POST /interactions`), on node:http. Every request is
 * verified (discord/signature.ts) before its body is parsed; a request that fails gets 401 and
 * reaches nothing. PING is answered `{"type":1}`; any other interaction goes to `receive` (the
 * same dispatcher, router and handlers as the gateway's), and its first answer becomes the HTTP
 * response body: {@link createHttpAnswers} holds the response open and turns the responder's
 * callback into it, so a handler does not know how its interaction arrived. Later answers (edits,
 * follow-ups, the edit after an automatic defer) go through REST as always. Bad HTTP gets the
 * right 4xx; nothing a client sends can throw out of the request handler.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream';
import {
  type APIInteraction,
  type APIInteractionResponse,
  InteractionResponseType,
  InteractionType,
} from 'discord-api-types/v10';
import type { Logger } from '../log.ts';
import { AnswerExpiredError, type InteractionApi } from './interactions.ts';
import type { SignatureProblem, SignatureVerifier } from './signature.ts';

/** The route named in errors about an HTTP answer. */
const HTTP_ANSWER_ROUTE = 'POST /interactions (HTTP response)';

/**
 * The interaction routes, with first answers to interactions that arrived over HTTP written as the
 * response to that request instead of a REST callback.
 */
export interface HttpAnswers extends InteractionApi {
  /** Makes `res` the place the first answer to interaction `id` goes; false when one is held already. */
  hold(id: string, res: http.ServerResponse): boolean;
  /** Stops holding `id`; true when it was still unanswered. */
  release(id: string): boolean;
  /** Interactions whose HTTP request waits for its first answer. */
  readonly held: number;
}

/** Wraps the REST interaction routes (`rest`) so that held interactions are answered over HTTP. */
export function createHttpAnswers(rest: InteractionApi): HttpAnswers {
  const held = new Map<string, http.ServerResponse>();
  return {
    callback(id, token, body, receivedAt) {
      const res = held.get(id);
      if (!res) return rest.callback(id, token, body, receivedAt);
      held.delete(id);
      return writeAnswer(res, body);
    },
    editOriginal: (applicationId, token, body) => rest.editOriginal(applicationId, token, body),
    followUp: (applicationId, token, body) => rest.followUp(applicationId, token, body),
    get queued() {
      return rest.queued;
    },
    hold(id, res) {
      if (held.has(id)) return false;
      held.set(id, res);
      return true;
    },
    release: (id) => held.delete(id),
    get held() {
      return held.size;
    },
  };
}

/** Writes `body` as the 200 JSON response; resolves once it is handed to the socket. */
function writeAnswer(res: http.ServerResponse, body: APIInteractionResponse): Promise<void> {
  // Discord gave up waiting (its 3 s) or the connection broke: the answer can no longer arrive.
  if (res.writableEnded || res.destroyed) return Promise.reject(new AnswerExpiredError(HTTP_ANSWER_ROUTE));
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    finished(res, (error) => (error ? reject(new AnswerExpiredError(HTTP_ANSWER_ROUTE)) : resolve()));
    res
      .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
      .end(text);
  });
}

/** Options for {@link createInteractionsListener}. */
export interface InteractionsEndpointOptions {
  verifier: SignatureVerifier;
  answers: HttpAnswers;
  /** Routes one verified interaction (not a PING); resolves when its handler has finished. */
  receive(interaction: APIInteraction): Promise<unknown>;
  log: Logger;
  /** A body larger than this is refused (401) unread. @defaultValue `1048576` (1 MiB) */
  maxBodyBytes?: number;
  /** Serves every path but `/interactions` (the health endpoints, when they share the port). */
  fallback?: http.RequestListener;
  /** Told of every request refused for its signature or size, for the counters. */
  onRejected?: (problem: SignatureProblem | 'too_large') => void;
  /** Wall-clock time in ms (the signed timestamp is compared with it). @defaultValue `Date.now` */
  now?: () => number;
}

/** Defaults of {@link InteractionsEndpointOptions}. */
const ENDPOINT_DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
} as const satisfies Partial<InteractionsEndpointOptions>;

/** Creates the request listener of the endpoint. */
export function createInteractionsListener(options: InteractionsEndpointOptions): http.RequestListener {
  const { verifier, answers, log } = options;
  const maxBodyBytes = options.maxBodyBytes ?? ENDPOINT_DEFAULTS.maxBodyBytes;
  const now = options.now ?? Date.now;

  const plain = (
    res: http.ServerResponse,
    status: number,
    text: string,
    headers: http.OutgoingHttpHeaders = {},
  ) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
  };
  const unauthorized = (res: http.ServerResponse, problem: SignatureProblem | 'too_large') => {
    options.onRejected?.(problem);
    log.debug('interactions.unverified', { problem });
    // A body too large is left unread: the connection is closed rather than drained.
    plain(res, 401, 'invalid request signature', problem === 'too_large' ? { Connection: 'close' } : {});
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/interactions') {
      if (options.fallback) return options.fallback(req, res);
      return plain(res, 404, 'not found');
    }
    if (req.method !== 'POST') return plain(res, 405, 'method not allowed', { Allow: 'POST' });
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return plain(res, 415, 'expected application/json');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared <= maxBodyBytes)) return unauthorized(res, 'too_large');

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBodyBytes) return unauthorized(res, 'too_large');
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks, size);
    const check = verifier.check(
      header(req, 'x-signature-ed25519'),
      header(req, 'x-signature-timestamp'),
      body,
      now(),
    );
    if (!check.ok) return unauthorized(res, check.problem);

    let interaction: APIInteraction | { type: InteractionType.Ping };
    try {
      interaction = JSON.parse(body.toString('utf8')) as APIInteraction;
    } catch {
      return plain(res, 400, 'the body is not JSON');
    }
    if (typeof interaction !== 'object' || interaction === null || typeof interaction.type !== 'number')
      return plain(res, 400, 'the body is not an interaction');
    if (interaction.type === InteractionType.Ping) {
      const pong = JSON.stringify({ type: InteractionResponseType.Pong });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': pong.length }).end(pong);
      return;
    }
    const { id, token, application_id: applicationId } = interaction;
    if (typeof id !== 'string' || typeof token !== 'string' || typeof applicationId !== 'string')
      return plain(res, 400, 'the body is not an interaction');
    if (!answers.hold(id, res)) return plain(res, 409, 'this interaction is being handled already');
    try {
      await options.receive(interaction);
    } catch (error) {
      log.error('interactions.receive_failed', { interaction_id: id, error });
    } finally {
      // A route that never answered (an unknown interaction type): Discord shows its own failure.
      if (answers.release(id)) plain(res, 500, 'no answer');
    }
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that went away mid-body, say: nothing to answer, nothing to crash.
      log.debug('interactions.request_failed', { error });
      if (!res.headersSent && !res.destroyed) plain(res, 400, 'bad request');
    });
  };
}

/** A request header's single value (`undefined` when absent or sent more than once). */
function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Options for {@link startInteractionsServer}. */
export interface InteractionsServerOptions {
  host: string;
  port: number;
  log: Logger;
}

/** Listens with `listener` on `host:port`; resolves with the server once it listens. */
export async function startInteractionsServer(
  listener: http.RequestListener,
  { host, port, log }: InteractionsServerOptions,
): Promise<http.Server> {
  const server = http.createServer(listener);
  // A slow or silent client cannot hold a socket for long (Discord sends the whole request at once).
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error('interactions.server_error', { error }));
  const address = server.address() as AddressInfo;
  log.info('interactions.listening', { host: address.address, port: address.port });
  return server;
}
