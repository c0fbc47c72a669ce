/**
 * @module test/support/smtp
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 for tests, the demo and the
 * benchmark: STARTTLS with a self-signed certificate made on the spot, AUTH PLAIN and LOGIN,
 * and switches to reject recipients, answer 421, or go down and come back on the same port.
 * Received messages are parsed with mailparser.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** A self-signed certificate for 127.0.0.1 and localhost. */
export interface TestCertificate {
  key: Buffer;
  cert: Buffer;
  /** Path of the PEM certificate, for NODE_EXTRA_CA_CERTS. */
  certPath: string;
}

let cached: TestCertificate | undefined;
/** libfaketime, when installed (Debian's `faketime`). */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/**
 * Generates (once per process) a self-signed certificate with openssl, valid from a day ago where
 * libfaketime can backdate it (OpenSSL 3.0 has no start-date option for `req -x509`), so a test
 * may set the bot's clock back by hours and still trust the server.
 */
export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '3',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    {
      stdio: 'ignore',
      env: existsSync(LIBFAKETIME)
        ? { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME: '-1d', FAKETIME_DONT_FAKE_MONOTONIC: '1' }
        : process.env,
    },
  );
  cached = { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
  return cached;
}

/** One received message. */
export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  user: string | undefined;
}

/** Options for {@link startSmtpServer}. */
export interface TestSmtpOptions {
  /** Accepted logins. @defaultValue `{ 'shop@example.test': 'app-password' }` */
  users?: Record<string, string>;
  /** Offer STARTTLS (with the test certificate). @defaultValue `true` */
  starttls?: boolean;
  /** Implicit TLS from the first byte (port 465 style). @defaultValue `false` */
  implicitTls?: boolean;
  /** Require AUTH. @defaultValue `true` */
  requireAuth?: boolean;
  port?: number;
  /** @defaultValue `['PLAIN', 'LOGIN']` */
  authMethods?: string[];
  /** Offer AUTH at all (a relay that takes mail without login offers none). @defaultValue `true` */
  offerAuth?: boolean;
}

/** Starts the server. */
export async function startSmtpServer(options: TestSmtpOptions = {}) {
  const users = options.users ?? { 'shop@example.test': 'app-password' };
  const tls = testCertificate();
  const received: ReceivedMail[] = [];
  const rejectRecipients = new Set<string>();
  const waiters = new Set<() => void>();
  let fail421 = 0;
  let dataDelayMs = 0;
  let connections = 0;
  let authAttempts = 0;

  const serverOptions: SMTPServerOptions = {
    secure: options.implicitTls ?? false,
    key: tls.key,
    cert: tls.cert,
    logger: false,
    closeTimeout: 200,
    banner: 'test SMTP server',
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    authOptional: options.requireAuth === false,
    allowInsecureAuth: false,
    disabledCommands: [
      ...(options.starttls === false && !options.implicitTls ? ['STARTTLS', 'AUTH'] : []),
      ...(options.offerAuth === false ? ['AUTH'] : []),
    ],
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      authAttempts++;
      if (auth.username && users[auth.username] === auth.password)
        return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, callback) {
      if (fail421 > 0) {
        fail421--;
        return callback(
          Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }),
        );
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (rejectRecipients.has(address.address.toLowerCase())) {
        return callback(Object.assign(new Error(`No such user here`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (dataDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, dataDelayMs));
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            for (const waiter of waiters) waiter();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  };

  let server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  let running = true;

  return {
    port,
    host: '127.0.0.1',
    certPath: tls.certPath,
    cert: tls.cert,
    received,
    rejectRecipients,
    get connections() {
      return connections;
    },
    get authAttempts() {
      return authAttempts;
    },
    /** Waits `ms` before accepting each message's data (a slow server). */
    slow(ms: number) {
      dataDelayMs = ms;
    },
    /** Answers the next `count` MAIL FROM commands with 421. */
    fail421(count: number) {
      fail421 = count;
    },
    /** Resolves when `count` messages have arrived. */
    waitForMessages(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(received.slice(0, count));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP: timed out with ${received.length} of ${count} messages`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    /** Resolves with one message for each address in `to`, once all have arrived. */
    waitForRecipients(to: readonly string[], timeoutMs = 10_000): Promise<ReceivedMail[]> {
      const find = () => to.map((address) => received.find((m) => m.envelope.to.includes(address)));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found.every((m) => m !== undefined)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found as ReceivedMail[]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const missing = to.filter((_, i) => !find()[i]);
          reject(
            new Error(
              `SMTP: timed out; no message yet for ${missing.slice(0, 5).join(', ')} (${missing.length} missing)`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    /** Stops listening (connections are refused) until {@link start}. */
    async stop() {
      if (!running) return;
      running = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    /** Listens again on the same port. */
    async start() {
      if (running) return;
      server = new SMTPServer(serverOptions);
      server.on('error', () => undefined);
      server.listen(port, '127.0.0.1');
      await once(server.server, 'listening');
      running = true;
    },
    close() {
      return this.stop();
    },
  };
}

/** The server's type. */
export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;
