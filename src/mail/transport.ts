/**
 * @module mail/transport
 * The nodemailer SMTP transport built from config, and the classification of its errors by
 * nodemailer's error codes and the SMTP reply code into a typed reason (see `MailFailureReason`),
 * with a message that names the server as `host:port`.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
// The mailer and the two SMTP transports only: the package root also loads SES, sendmail, stream,
// JSON transports and a fetch client, which this bot never uses (about 150 KB of bundled code).
import Mail from 'nodemailer/lib/mailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { BotConfig } from '../config.ts';
import { MailError, type MailFailureReason } from '../errors.ts';

/** SMTP login from the environment. */
export interface SmtpCredentials {
  user: string | undefined;
  pass: string | undefined;
}

/** Options for {@link createSmtpTransport}. */
export interface SmtpTransportOptions {
  /** Reuse connections (SMTP is sequential, so one or two cover a shop). @defaultValue `true` */
  pool?: boolean;
  /** @defaultValue `2` */
  maxConnections?: number;
  /** Extra TLS options, e.g. a CA for a self-signed test server. */
  tls?: ConnectionOptions;
  /** @defaultValue 10 s */
  connectionTimeoutMs?: number;
}

/** The config keys the transport reads. */
export type SmtpConfig = Pick<BotConfig, 'smtp_server' | 'smtp_port' | 'smtp_security'>;

/** Where the bot was trying to send: lets an error name the server and the setting to change. */
export type SmtpContext = SmtpConfig;

/** The server each transport built by {@link createSmtpTransport} sends to. */
const SERVERS = new WeakMap<Transporter, SmtpContext>();

/** The server `transport` sends to, when {@link createSmtpTransport} built it. */
export function smtpContextOf(transport: Transporter): SmtpContext | undefined {
  return SERVERS.get(transport);
}

/** Builds the SMTP transport: STARTTLS required by default, implicit TLS, or plain on loopback. */
export function createSmtpTransport(
  config: SmtpConfig,
  credentials: SmtpCredentials,
  options: SmtpTransportOptions = {},
): Transporter {
  const security = config.smtp_security;
  const timeout = options.connectionTimeoutMs ?? 10_000;
  const common = {
    host: config.smtp_server,
    port: config.smtp_port,
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    ...(credentials.user && credentials.pass
      ? { auth: { user: credentials.user, pass: credentials.pass } }
      : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 30_000,
    dnsTimeout: timeout,
    tls: { minVersion: 'TLSv1.2' as const, ...options.tls },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const remember = (transport: Transporter) => {
    SERVERS.set(transport, {
      smtp_server: config.smtp_server,
      smtp_port: config.smtp_port,
      smtp_security: config.smtp_security,
    });
    return transport;
  };
  if (options.pool === false) return remember(new Mail(new SMTPTransport(common), common));
  const pooled = {
    ...common,
    pool: true,
    maxConnections: options.maxConnections ?? 2,
    maxMessages: 500,
    // The outbox (store/outbox.ts) owns retries; the pool must not requeue on its own.
    maxRequeues: 0,
    idleTimeout: 30_000,
  };
  return remember(new Mail(new SMTPPool(pooled), pooled));
}

/** nodemailer's error codes (`code` on its errors), as documented in its source. */
const NODEMAILER_CODES: Readonly<Record<string, MailFailureReason>> = {
  EAUTH: 'auth',
  ENOAUTH: 'auth',
  ETLS: 'tls',
  EENVELOPE: 'message_rejected',
  EMESSAGE: 'message_rejected',
  ECONFIG: 'config',
  EPROTOCOL: 'unknown',
  ECONNECTION: 'unreachable',
  ETIMEDOUT: 'unreachable',
  ESOCKET: 'unreachable',
  EDNS: 'unreachable',
  ESTREAM: 'unknown',
  // Node's own socket codes, which nodemailer passes on for some failures.
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  EPIPE: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EAI_AGAIN: 'unreachable',
};

/** The reason an SMTP reply code gives: 4xx is temporary, 535/534 a refused login, 550-553 the address. */
function reasonOfReply(responseCode: number): MailFailureReason {
  if (responseCode >= 400 && responseCode < 500) return 'server_busy';
  if (responseCode === 535 || responseCode === 534 || responseCode === 530) return 'auth';
  if (responseCode >= 550 && responseCode <= 553) return 'recipient_rejected';
  return 'message_rejected';
}

/** What {@link checkSmtpLogin} found. */
export type LoginCheck = { ok: true; loggedIn: boolean } | { ok: false; error: MailError };

/**
 * Connects as the bot will (TLS as configured) and logs in, without sending anything. Unlike
 * nodemailer's `verify()`, it tells whether a login happened: a server that offers no AUTH lets
 * the connection through with the password unused.
 */
export async function checkSmtpLogin(
  config: SmtpConfig,
  credentials: SmtpCredentials,
  options: Pick<SmtpTransportOptions, 'tls' | 'connectionTimeoutMs'> = {},
): Promise<LoginCheck> {
  const timeout = options.connectionTimeoutMs ?? 10_000;
  const connection = new SMTPConnection({
    host: config.smtp_server,
    port: config.smtp_port,
    secure: config.smtp_security === 'tls',
    requireTLS: config.smtp_security === 'starttls',
    ignoreTLS: config.smtp_security === 'none',
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    tls: { minVersion: 'TLSv1.2', ...options.tls },
  });
  // SMTPConnection reports connection failures as 'error' events, not through connect's callback.
  let failed: (error: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  failure.catch(() => undefined);
  connection.on('error', (error) => failed(error));
  const unlessFailed = <T>(step: Promise<T>) => Promise.race([step, failure]);
  try {
    await unlessFailed(
      new Promise<void>((resolve, reject) =>
        connection.connect((error) => (error ? reject(error) : resolve())),
      ),
    );
    // Set from the server's EHLO answer; @types/nodemailer does not declare it.
    const allowsAuth = (connection as unknown as { allowsAuth?: boolean }).allowsAuth === true;
    if (!credentials.user || !credentials.pass || !allowsAuth) return { ok: true, loggedIn: false };
    const auth = { credentials: { user: credentials.user, pass: credentials.pass } };
    await unlessFailed(
      new Promise<void>((resolve, reject) =>
        connection.login(auth, (error) => (error ? reject(error) : resolve())),
      ),
    );
    return { ok: true, loggedIn: true };
  } catch (error) {
    return { ok: false, error: classifyMailError(error, config) };
  } finally {
    connection.quit();
    connection.close();
  }
}

/** `host:port`, the address in brackets when it is IPv6 (`[::1]:25`). */
function serverName({ smtp_server, smtp_port }: SmtpContext): string {
  return `${smtp_server.includes(':') ? `[${smtp_server}]` : smtp_server}:${smtp_port}`;
}

/**
 * The TLS and socket codes nodemailer keeps as `originalCode`, with the mistake each one means.
 * Every sentence names the server as `host:port`.
 */
const ORIGINAL_CODES: Readonly<
  Record<string, { reason: MailFailureReason; text: (server: string) => string }>
> = {
  ERR_SSL_WRONG_VERSION_NUMBER: {
    reason: 'tls',
    text: (server) =>
      `${server} does not start with TLS: set smtp_security to "starttls" (ports 587 and 25); "tls" is for port 465`,
  },
  ERR_SSL_PACKET_LENGTH_TOO_LONG: {
    reason: 'tls',
    text: (server) =>
      `${server} does not start with TLS: set smtp_security to "starttls" (ports 587 and 25); "tls" is for port 465`,
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    reason: 'tls',
    text: (server) =>
      `the TLS certificate of ${server} is self-signed, so it cannot be trusted: use your provider's official mail host name, or give Node its CA with NODE_EXTRA_CA_CERTS`,
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    reason: 'tls',
    text: (server) =>
      `the TLS certificate of ${server} is signed by an unknown authority: use your provider's official mail host name, or give Node its CA with NODE_EXTRA_CA_CERTS`,
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    reason: 'tls',
    text: (server) =>
      `the TLS certificate of ${server} cannot be verified: use your provider's official mail host name`,
  },
  CERT_HAS_EXPIRED: {
    reason: 'tls',
    text: (server) => `the TLS certificate of ${server} has expired: the mail provider must renew it`,
  },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    reason: 'tls',
    text: (server) =>
      `the TLS certificate of ${server} is for another name: set smtp_server to the host name your provider gives`,
  },
  ECONNREFUSED: {
    reason: 'unreachable',
    text: (server) => `nothing answers at ${server} (connection refused): check smtp_server and smtp_port`,
  },
  ENOTFOUND: {
    reason: 'unreachable',
    text: (server) => `the host name of ${server} does not exist: check smtp_server`,
  },
  EAI_AGAIN: {
    reason: 'unreachable',
    text: (server) =>
      `the host name of ${server} could not be looked up (DNS): try again, or check smtp_server`,
  },
  EHOSTUNREACH: {
    reason: 'unreachable',
    text: (server) => `${server} cannot be reached from this machine (no route)`,
  },
  ENETUNREACH: {
    reason: 'unreachable',
    text: (server) => `${server} cannot be reached from this machine (no network)`,
  },
};

/**
 * Turns a nodemailer error into a {@link MailError} whose `reason` says what went wrong. With a
 * `context` (the bot always has one), the message names the server as `host:port`.
 */
export function classifyMailError(error: unknown, context?: SmtpContext): MailError {
  if (error instanceof MailError) return error;
  const err = error as { code?: unknown; responseCode?: unknown; message?: unknown; originalCode?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const originalCode = typeof err.originalCode === 'string' ? err.originalCode : undefined;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const message = typeof err.message === 'string' ? err.message : String(error);
  const server = context ? serverName(context) : 'the mail server';
  const known = originalCode === undefined ? undefined : ORIGINAL_CODES[originalCode];
  if (responseCode === undefined && known) {
    return new MailError(known.text(server), known.reason, undefined, { cause: error });
  }
  // The reply code is the server's own word and wins over the transport's code (EENVELOPE with 451
  // is a busy server, not a bad message).
  const reason: MailFailureReason =
    responseCode !== undefined
      ? reasonOfReply(responseCode)
      : ((code === undefined ? undefined : NODEMAILER_CODES[code]) ?? 'unknown');
  if (code === 'ETIMEDOUT' && context) {
    // No greeting: on 465 the server waits for TLS first; elsewhere something eats the connection.
    const text =
      context.smtp_port === 465 && context.smtp_security !== 'tls'
        ? `no greeting from ${server}: port 465 expects TLS from the first byte: set smtp_security to "tls"`
        : `no answer from ${server} in time: a firewall or the VPS provider may block the port (many block 25; try 587 or 465)`;
    return new MailError(text, 'unreachable', undefined, { cause: error });
  }
  const text = describeSmtpError(reason, code, responseCode, message, context ? server : undefined);
  return new MailError(text, reason, responseCode, { cause: error });
}

function describeSmtpError(
  reason: MailFailureReason,
  code: string | undefined,
  responseCode: number | undefined,
  message: string,
  /** `host:port`, when known. */
  known: string | undefined,
): string {
  const server = known ?? 'the mail server';
  switch (reason) {
    case 'auth':
      return `SMTP Authentication Error: ${server} rejected SENDER_EMAIL / SENDER_PASSWORD (${message})`;
    case 'recipient_rejected':
      return `recipient rejected by ${server} (${responseCode}): ${message}`;
    case 'tls':
      return `TLS problem talking to ${server}: ${message}`;
    case 'unreachable':
      return `cannot reach ${server} (${code}): ${message}`;
    default:
      if (responseCode) return `${server} replied ${responseCode}: ${message}`;
      return known ? `${known}: ${message}` : message;
  }
}
