/**
 * @module discord/answer-client
 * A small HTTP/1.1 keep-alive client for the interaction answers, the bot's hot path. node:http
 * builds a `ClientRequest` and an `IncomingMessage` per request (14.5 KB of garbage, measured by
 * `npm run bench:alloc -- --http-only`) and writes only after a `process.nextTick`; this client
 * writes each request on an idle connection in the same turn it is asked to, as one string, and
 * reads the answer with a parser that keeps nothing but the status, the headers and the body.
 *
 * Deliberately small: one request at a time per connection (no pipelining), `Content-Length` or
 * chunked bodies or a body until close, no redirects, no compression, no proxies. TLS is Node's
 * (certificate and host name checked as usual). Anything it does not understand in a response ends
 * that connection and fails that request; the interaction API retries as it would after any
 * network error. The caller bounds how many requests are in flight (the interaction API: 96).
 */
import net from 'node:net';
import tls from 'node:tls';
import { createLocator, type HttpRequest, type HttpResponse, type RequestTarget } from './http-client.ts';

/** Longest response head accepted (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Longest response body accepted: Discord's answers to these routes are a few KB. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** The client. */
export interface AnswerClient {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Closes every connection so the process can exit. */
  destroy(): void;
  /** Open connections (idle and busy), for tests. */
  readonly connections: number;
}

interface Pending {
  resolve(response: HttpResponse): void;
  reject(error: Error): void;
  method: string;
  timer: NodeJS.Timeout | undefined;
}

interface Connection {
  socket: net.Socket;
  pending: Pending | undefined;
  /** Bytes received for the current response and not parsed yet. */
  buffer: Buffer;
  head: { status: number; headers: Record<string, string>; keepAlive: boolean } | undefined;
  /** 'fixed' with `remaining` bytes, 'chunked', or 'close' (until the server closes). */
  mode: 'fixed' | 'chunked' | 'close';
  remaining: number;
  chunks: Buffer[];
  bodyBytes: number;
}

/** Options for {@link createAnswerClient}. */
export interface AnswerClientOptions {
  /** Extra TLS settings (tests pass their own certificate authority). */
  tls?: Pick<tls.ConnectionOptions, 'ca'>;
}

/** Creates a client for the origins of the URLs it is given (http: and https:). */
export function createAnswerClient(options: AnswerClientOptions = {}): AnswerClient {
  const idle = new Map<string, Connection[]>();
  const all = new Set<Connection>();
  const locate = createLocator();

  const close = (connection: Connection, error?: Error) => {
    all.delete(connection);
    for (const list of idle.values()) {
      const index = list.indexOf(connection);
      if (index >= 0) list.splice(index, 1);
    }
    const pending = connection.pending;
    connection.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error ?? new Error('the connection closed before the response'));
    }
    connection.socket.destroy();
  };

  const finish = (connection: Connection, origin: string) => {
    const { head, pending } = connection;
    if (!head || !pending) return;
    const body =
      connection.chunks.length === 1
        ? connection.chunks[0]!
        : Buffer.concat(connection.chunks, connection.bodyBytes);
    connection.pending = undefined;
    connection.head = undefined;
    connection.chunks = [];
    connection.bodyBytes = 0;
    clearTimeout(pending.timer);
    // Bytes after a complete response: the server sent something no request asked for.
    const reusable = head.keepAlive && connection.mode !== 'close' && connection.buffer.length === 0;
    if (reusable) {
      let list = idle.get(origin);
      if (!list) {
        list = [];
        idle.set(origin, list);
      }
      list.push(connection);
    } else {
      close(connection);
    }
    pending.resolve({ status: head.status, headers: head.headers, body });
  };

  /** Parses what has arrived; returns an error message when the response cannot be understood. */
  const parse = (connection: Connection, origin: string): string | undefined => {
    for (;;) {
      if (!connection.pending) return connection.buffer.length > 0 ? 'data without a request' : undefined;
      if (!connection.head) {
        const end = connection.buffer.indexOf(CRLF2);
        if (end < 0) return connection.buffer.length > MAX_HEAD_BYTES ? 'response head too long' : undefined;
        const lines = connection.buffer.toString('latin1', 0, end).split('\r\n');
        connection.buffer = connection.buffer.subarray(end + 4);
        const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
        if (!status) return 'not an HTTP/1.x response';
        const code = Number(status[2]);
        const headers: Record<string, string> = {};
        for (let i = 1; i < lines.length; i++) {
          const line = lines[i]!;
          const colon = line.indexOf(':');
          if (colon <= 0) return 'malformed header line';
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
        }
        if (code < 200) continue; // 1xx: an interim answer; the real one follows
        const connectionHeader = (headers.connection ?? '').toLowerCase();
        const keepAlive =
          status[1] === '1' ? !connectionHeader.includes('close') : connectionHeader.includes('keep-alive');
        connection.head = { status: code, headers, keepAlive };
        connection.chunks = [];
        connection.bodyBytes = 0;
        if (code === 204 || code === 304 || connection.pending.method === 'HEAD') {
          connection.mode = 'fixed';
          connection.remaining = 0;
        } else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
          connection.mode = 'chunked';
          connection.remaining = -1;
        } else if (headers['content-length'] !== undefined) {
          if (!/^\d+$/.test(headers['content-length'])) return 'malformed Content-Length';
          connection.mode = 'fixed';
          connection.remaining = Number(headers['content-length']);
          if (connection.remaining > MAX_BODY_BYTES) return 'response body too large';
        } else {
          connection.mode = 'close';
          connection.remaining = 0;
        }
      }
      if (connection.mode === 'fixed') {
        const take = Math.min(connection.remaining, connection.buffer.length);
        if (take > 0) {
          connection.chunks.push(connection.buffer.subarray(0, take));
          connection.bodyBytes += take;
          connection.buffer = connection.buffer.subarray(take);
          connection.remaining -= take;
        }
        if (connection.remaining > 0) return undefined;
        finish(connection, origin);
        return connection.buffer.length > 0 ? 'data without a request' : undefined;
      }
      if (connection.mode === 'close') {
        if (connection.buffer.length > 0) {
          connection.chunks.push(connection.buffer);
          connection.bodyBytes += connection.buffer.length;
          connection.buffer = Buffer.alloc(0);
          if (connection.bodyBytes > MAX_BODY_BYTES) return 'response body too large';
        }
        return undefined; // complete when the server closes
      }
      // chunked: size line, data, CRLF; a zero size ends the body, then trailers and a blank line.
      if (connection.remaining === -1) {
        const lineEnd = connection.buffer.indexOf(CRLF);
        if (lineEnd < 0) return connection.buffer.length > 1024 ? 'chunk size line too long' : undefined;
        const sizeText = connection.buffer.toString('latin1', 0, lineEnd).split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return 'malformed chunk size';
        const size = Number.parseInt(sizeText, 16);
        connection.buffer = connection.buffer.subarray(lineEnd + 2);
        if (size === 0) {
          connection.remaining = -2; // trailers
        } else {
          if (connection.bodyBytes + size > MAX_BODY_BYTES) return 'response body too large';
          connection.remaining = size;
        }
        continue;
      }
      if (connection.remaining === -2) {
        const lineEnd = connection.buffer.indexOf(CRLF);
        if (lineEnd < 0) return connection.buffer.length > MAX_HEAD_BYTES ? 'trailers too long' : undefined;
        connection.buffer = connection.buffer.subarray(lineEnd + 2);
        if (lineEnd === 0) {
          connection.mode = 'fixed';
          connection.remaining = 0;
        }
        continue;
      }
      // Inside a chunk's data (and its closing CRLF).
      if (connection.buffer.length < connection.remaining + 2) return undefined;
      if (
        connection.buffer[connection.remaining] !== 13 ||
        connection.buffer[connection.remaining + 1] !== 10
      ) {
        return 'malformed chunk';
      }
      connection.chunks.push(connection.buffer.subarray(0, connection.remaining));
      connection.bodyBytes += connection.remaining;
      connection.buffer = connection.buffer.subarray(connection.remaining + 2);
      connection.remaining = -1;
    }
  };

  const open = (target: RequestTarget): Connection => {
    const socket = target.secure
      ? tls.connect({
          host: target.host,
          port: target.port,
          // SNI takes a host name, never an address (RFC 6066).
          ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
          ALPNProtocols: ['http/1.1'],
          ...options.tls,
        })
      : net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const connection: Connection = {
      socket,
      pending: undefined,
      buffer: Buffer.alloc(0),
      head: undefined,
      mode: 'fixed',
      remaining: 0,
      chunks: [],
      bodyBytes: 0,
    };
    all.add(connection);
    socket.on('data', (data: Buffer) => {
      connection.buffer = connection.buffer.length === 0 ? data : Buffer.concat([connection.buffer, data]);
      const problem = parse(connection, target.origin);
      if (problem) close(connection, new Error(`${target.host}: ${problem}`));
    });
    socket.on('end', () => {
      if (connection.head && connection.mode === 'close') finish(connection, target.origin);
      close(connection);
    });
    socket.on('error', (error) => close(connection, error));
    socket.on('close', () => close(connection));
    return connection;
  };

  return {
    send(request) {
      return new Promise<HttpResponse>((resolve, reject) => {
        const target = locate(request.url);
        if (/[\r\n]/.test(target.path) || /[\s]/.test(request.method)) {
          throw new Error('refusing a request line with spaces or line breaks');
        }
        let head = `${request.method} ${target.path} HTTP/1.1\r\nHost: ${target.hostHeader}\r\nConnection: keep-alive\r\n`;
        for (const [name, value] of Object.entries(request.headers ?? {})) {
          if (/[\r\n:]/.test(name) || /[\r\n]/.test(value)) throw new Error(`refusing header ${name}`);
          head += `${name}: ${value}\r\n`;
        }
        const body = request.body;
        if (
          body !== undefined &&
          !Object.keys(request.headers ?? {}).some((n) => n.toLowerCase() === 'content-length')
        ) {
          head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
        }
        head += '\r\n';

        const connection = idle.get(target.origin)?.pop() ?? open(target);
        const pending: Pending = { resolve, reject, method: request.method, timer: undefined };
        connection.pending = pending;
        if (request.timeoutMs) {
          pending.timer = setTimeout(
            () =>
              close(
                connection,
                new Error(`${request.method} to ${target.host}: no response in ${request.timeoutMs} ms`),
              ),
            request.timeoutMs,
          );
        }
        if (request.signal) {
          if (request.signal.aborted) return close(connection, new Error('aborted'));
          request.signal.addEventListener(
            'abort',
            () => connection.pending === pending && close(connection, new Error('aborted')),
            {
              once: true,
            },
          );
        }
        if (typeof body === 'string' || body === undefined) connection.socket.write(head + (body ?? ''));
        else {
          connection.socket.cork();
          connection.socket.write(head);
          connection.socket.write(body);
          connection.socket.uncork();
        }
        request.onWritten?.();
      });
    },
    destroy() {
      for (const connection of [...all]) close(connection, new Error('client destroyed'));
      idle.clear();
    },
    get connections() {
      return all.size;
    },
  };
}
