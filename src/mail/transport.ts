/**
 * @module mail/transport
 * The nodemailer SMTP transport built from config, and the classification of its errors by
 * nodemailer's error codes and the SMTP reply code into a typed reason (see `MailFailureReason`).
 */
import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
// The mailer and the two SMTP transports only: the package root also loads SES, sendmail, stream,
// JSON transports and a fetch client, which this bot never uses (about 150 KB of bundled code).
import Mail from 'nodemailer/lib/mailer';
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
  if (options.pool === false) return new Mail(new SMTPTransport(common), common);
  const pooled = {
    ...common,
    pool: true,
    maxConnections: options.maxConnections ?? 2,
    maxMessages: 500,
    // The queue in mail/queue.ts owns retries; the pool must not requeue on its own.
    maxRequeues: 0,
    idleTimeout: 30_000,
  };
  return new Mail(new SMTPPool(pooled), pooled);
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

/** Turns a nodemailer error into a {@link MailError} whose `reason` says what went wrong. */
export function classifyMailError(error: unknown): MailError {
  if (error instanceof MailError) return error;
  const err = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const message = typeof err.message === 'string' ? err.message : String(error);
  // The reply code is the server's own word and wins over the transport's code (EENVELOPE with 451
  // is a busy server, not a bad message).
  const reason: MailFailureReason =
    responseCode !== undefined
      ? reasonOfReply(responseCode)
      : ((code === undefined ? undefined : NODEMAILER_CODES[code]) ?? 'unknown');
  return new MailError(describeSmtpError(reason, code, responseCode, message), reason, responseCode, {
    cause: error,
  });
}

function describeSmtpError(
  reason: MailFailureReason,
  code: string | undefined,
  responseCode: number | undefined,
  message: string,
): string {
  switch (reason) {
    case 'auth':
      return `SMTP Authentication Error: the server rejected SENDER_EMAIL / SENDER_PASSWORD (${message})`;
    case 'recipient_rejected':
      return `recipient rejected by the mail server (${responseCode}): ${message}`;
    case 'tls':
      return `TLS problem talking to the mail server: ${message}`;
    case 'unreachable':
      return `cannot reach the mail server (${code}): ${message}`;
    default:
      return responseCode ? `mail server replied ${responseCode}: ${message}` : message;
  }
}
