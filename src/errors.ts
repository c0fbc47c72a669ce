/**
 * @module errors
 * The project's named errors. Each carries the context a log line or a user message needs.
 */

/** A configuration file or environment variable is missing or invalid; the message names file and field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Whether a mail failure may succeed on a later attempt. */
export type MailErrorKind = 'transient' | 'permanent';

/** Sending one message failed; `kind` says whether a retry can help. */
export class MailError extends Error {
  override name = 'MailError';
  constructor(
    message: string,
    readonly kind: MailErrorKind,
    readonly responseCode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
