/**
 * @module mail/mailer
 * What the bot calls to send mail: queues a message on the pooled SMTP transport, renders it
 * only when it is sent (so 1,000 queued messages do not hold 1,000 HTML bodies), verifies the
 * connection at start-up, and reports the connection's state. It knows no feature: the caller
 * says who gets what, and how to render it.
 */
import type { Transporter } from 'nodemailer';
import { MailError, type MailFailureReason } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createMailQueue, type EnqueueResult, type MailOutcome, type MailQueue } from './queue.ts';
import type { RenderedEmail } from './template.ts';
import { classifyMailError } from './transport.ts';

/** State of the SMTP connection as last seen. */
export type SmtpState = 'unchecked' | 'ok' | 'down' | 'disabled';

/** What diagnostics and metrics show about mail. */
export interface MailStatus {
  smtp: SmtpState;
  /** Why SMTP is down or disabled, as a readable sentence. */
  detail: string | undefined;
  /** Why SMTP is down, as a reason to switch on. */
  reason: MailFailureReason | undefined;
  /** Messages accepted and not yet settled. */
  queued: number;
}

/** One message to send. */
export interface MailJob {
  to: string;
  bcc?: string | undefined;
  replyTo?: string | undefined;
  /** Display name of the From address. */
  fromName: string;
  /** A label for log lines (never an address). */
  label: string;
  /** Renders subject and body when the message is sent. */
  render(): RenderedEmail;
}

/** Retry settings (from config.json). */
export interface MailSettings {
  mail_queue_size: number;
  mail_max_attempts: number;
  mail_retry_initial_seconds: number;
}

/** Sends mail. */
export interface Mailer {
  /** Queues a message; `accepted: false` says why it was not queued. */
  send(job: MailJob): EnqueueResult | { accepted: false; reason: 'disabled' };
  status(): MailStatus;
  /** Checks the SMTP connection and login; never throws. */
  verify(): Promise<boolean>;
  /** Stops taking mail and drains; returns how many were not sent. */
  close(drainMs: number): Promise<number>;
  configure(settings: MailSettings): void;
}

/** Options for {@link createMailer}. */
export interface MailerOptions {
  /** The transport; undefined disables email (no SENDER_EMAIL). */
  transport: Transporter | undefined;
  /** The From address (SENDER_EMAIL). */
  from: string | undefined;
  settings: MailSettings;
  log: Logger;
  disabledReason?: string;
  /** Told of every settled message (for the counters). */
  onOutcome?: (outcome: MailOutcome) => void;
  /** Told of every retry (for the counters). */
  onRetry?: () => void;
  random?: () => number;
}

/** Creates the mailer. */
export function createMailer(options: MailerOptions): Mailer {
  const { transport, from, log } = options;
  let smtp: SmtpState = transport ? 'unchecked' : 'disabled';
  let reason: MailFailureReason | undefined = transport ? undefined : 'disabled';
  let detail: string | undefined = transport
    ? undefined
    : (options.disabledReason ?? 'SENDER_EMAIL is not set');

  /** Marks SMTP down when the failure is about the server or the login, not one message. */
  const noteFailure = (error: MailError) => {
    switch (error.reason) {
      case 'unreachable':
      case 'server_busy':
      case 'auth':
      case 'tls':
      case 'config':
      case 'unknown':
        smtp = 'down';
        reason = error.reason;
        detail = error.message;
        break;
      case 'recipient_rejected':
      case 'message_rejected':
      case 'disabled':
        break;
      default: {
        const unreachable: never = error.reason;
        throw new Error(`unhandled mail failure reason ${String(unreachable)}`);
      }
    }
  };
  const noteOk = () => {
    smtp = 'ok';
    reason = undefined;
    detail = undefined;
  };

  const queue: MailQueue<MailJob> = createMailQueue<MailJob>({
    capacity: options.settings.mail_queue_size,
    maxAttempts: options.settings.mail_max_attempts,
    initialDelayMs: options.settings.mail_retry_initial_seconds * 1000,
    log,
    classify: classifyMailError,
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.random ? { random: options.random } : {}),
    describe: (job) => job.label,
    send: async (job) => {
      if (!transport || !from) throw new MailError('email is disabled', 'disabled');
      const rendered = job.render();
      try {
        await transport.sendMail({
          from: { name: job.fromName, address: from },
          to: job.to,
          ...(job.bcc ? { bcc: job.bcc } : {}),
          ...(job.replyTo ? { replyTo: job.replyTo } : {}),
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
        });
        noteOk();
      } catch (error) {
        const mailError = classifyMailError(error);
        noteFailure(mailError);
        throw mailError;
      }
    },
  });

  return {
    send(job) {
      if (!transport) return { accepted: false, reason: 'disabled' };
      return queue.enqueue(job);
    },
    status: () => ({ smtp, detail, reason, queued: queue.size }),
    async verify() {
      if (!transport) {
        log.warn('smtp.disabled', { reason: detail });
        return false;
      }
      try {
        await transport.verify();
        noteOk();
        log.info('smtp.ready', {});
        return true;
      } catch (error) {
        const mailError = classifyMailError(error);
        smtp = 'down';
        reason = mailError.reason;
        detail = mailError.message;
        log.warn('smtp.unavailable', { reason: detail, note: 'orders are still taken; emails are retried' });
        return false;
      }
    },
    async close(drainMs) {
      const left = await queue.drain(drainMs);
      transport?.close();
      return left;
    },
    configure(settings) {
      queue.configure({
        capacity: settings.mail_queue_size,
        maxAttempts: settings.mail_max_attempts,
        initialDelayMs: settings.mail_retry_initial_seconds * 1000,
      });
    },
  };
}
