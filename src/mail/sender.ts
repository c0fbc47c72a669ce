/**
 * @module mail/sender
 * The nodemailer SMTP transport built from config, and the classification of its errors into
 * transient (retry) and permanent (do not).
 */
import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
// The mailer and the two SMTP transports only: the package root also loads SES, sendmail, stream,
// JSON transports and a fetch client, which this bot never uses (about 150 KB of bundled code).
import Mail from 'nodemailer/lib/mailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { BotConfig } from '../config.ts';
import { MailError } from '../errors.ts';

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

const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Turns a nodemailer error into a {@link MailError} that says whether to retry. */
export function classifyMailError(error: unknown): MailError {
  if (error instanceof MailError) return error;
  const err = error as { code?: unknown; responseCode?: unknown; message?: unknown; response?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const detail = describeSmtpError(
    code,
    responseCode,
    typeof err.message === 'string' ? err.message : String(error),
  );
  let kind: 'transient' | 'permanent';
  if (responseCode !== undefined) {
    kind = responseCode >= 400 && responseCode < 500 ? 'transient' : 'permanent';
  } else if (
    code === 'EAUTH' ||
    code === 'ETLS' ||
    code === 'EENVELOPE' ||
    code === 'EMESSAGE' ||
    code === 'ECONFIG'
  ) {
    kind = 'permanent';
  } else if (code !== undefined && TRANSIENT_CODES.has(code)) {
    kind = 'transient';
  } else {
    kind = 'transient';
  }
  return new MailError(detail, kind, responseCode, { cause: error });
}

function describeSmtpError(
  code: string | undefined,
  responseCode: number | undefined,
  message: string,
): string {
  if (code === 'EAUTH' || responseCode === 535 || responseCode === 534) {
    return `SMTP Authentication Error: the server rejected SENDER_EMAIL / SENDER_PASSWORD (${message})`;
  }
  if (responseCode !== undefined && responseCode >= 550 && responseCode <= 553) {
    return `recipient rejected by the mail server (${responseCode}): ${message}`;
  }
  if (code === 'ETLS') return `TLS problem talking to the mail server: ${message}`;
  if (code === 'ECONNECTION' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ESOCKET') {
    return `cannot reach the mail server (${code}): ${message}`;
  }
  return responseCode ? `mail server replied ${responseCode}: ${message}` : message;
}
