/**
 * @module errors
 * The project's named errors. Each carries the context a log line or a user message needs, and a
 * typed `reason` callers `switch` on instead of matching message text.
 */

/** A configuration file or environment variable is missing or invalid; the message names file and field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The order store cannot be opened or is not usable; the message says which file or server and what to do. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** The order store or the store of forms in progress cannot be reached right now (a server down or restarting). */
export class StoreUnavailableError extends StoreError {
  override name = 'StoreUnavailableError';
}

/** Connection failures of a database client (Node's socket codes, PostgreSQL's shutdown and connection classes). */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  // query_canceled: the statement ran past the store's statement timeout (a lock held elsewhere).
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Whether `error` says a store is unreachable for now (so the customer is told to try again, not that something broke). */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect/i.test(
    message,
  );
}

/**
 * Why sending one message failed:
 * - `recipient_rejected`: the server refused the customer's address (550-553).
 * - `auth`: the server refused SENDER_EMAIL / SENDER_PASSWORD.
 * - `tls`: the TLS handshake or certificate failed.
 * - `message_rejected`: the server refused the message itself (other 5xx, envelope or content).
 * - `config`: the transport is set up wrongly.
 * - `unreachable`: no connection (refused, reset, DNS, timeout).
 * - `server_busy`: a temporary 4xx answer such as 421 or 451.
 * - `disabled`: email is switched off (no SENDER_EMAIL).
 * - `unknown`: anything else; treated as temporary.
 */
export type MailFailureReason =
  | 'recipient_rejected'
  | 'auth'
  | 'tls'
  | 'message_rejected'
  | 'config'
  | 'unreachable'
  | 'server_busy'
  | 'disabled'
  | 'unknown';

/** Whether a mail failure may succeed on a later attempt. */
export type MailErrorKind = 'transient' | 'permanent';

const TRANSIENT_REASONS: ReadonlySet<MailFailureReason> = new Set(['unreachable', 'server_busy', 'unknown']);

/** Whether a failure with `reason` may succeed on a later attempt. */
export function mailErrorKind(reason: MailFailureReason): MailErrorKind {
  return TRANSIENT_REASONS.has(reason) ? 'transient' : 'permanent';
}

/** Sending one message failed; `reason` says why, `kind` whether a retry can help. */
export class MailError extends Error {
  override name = 'MailError';
  readonly kind: MailErrorKind;
  constructor(
    message: string,
    readonly reason: MailFailureReason,
    readonly responseCode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.kind = mailErrorKind(reason);
  }
}
