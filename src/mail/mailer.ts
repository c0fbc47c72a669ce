/**
 * @module mail/mailer
 * What the bot calls to send mail: sends one message on the pooled SMTP transport, verifies the
 * connection at start-up, and reports the connection's state. Retries and their schedule belong
 * to the caller (the order outbox keeps them in the database); a failure is thrown as a
 * `MailError` whose `reason` says what went wrong. It knows no feature.
 */
import type { Transporter } from 'nodemailer';
import { MailError, type MailFailureReason } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RenderedEmail } from './template.ts';
import { classifyMailError, type SmtpContext, smtpContextOf } from './transport.ts';

/** State of the SMTP connection as last seen. */
export type SmtpState = 'unchecked' | 'ok' | 'down' | 'disabled';

/** What diagnostics and metrics show about mail. */
export interface MailStatus {
  smtp: SmtpState;
  /** Why SMTP is down or disabled, as a readable sentence. */
  detail: string | undefined;
  /** Why SMTP is down, as a reason to switch on. */
  reason: MailFailureReason | undefined;
}

/** One message to send. */
export interface MailJob {
  to: string;
  bcc?: string | undefined;
  replyTo?: string | undefined;
  /** Display name of the From address. */
  fromName: string;
  /** A stable Message-ID (`<id@domain>`): a resend after a crash then shows as the same message. */
  messageId?: string | undefined;
  /** Renders subject and body. */
  render(): RenderedEmail;
}

/** Sends mail. */
export interface Mailer {
  /** Whether mail can be sent at all (SENDER_EMAIL is set). */
  readonly enabled: boolean;
  /** The From address (SENDER_EMAIL), when set. */
  readonly from: string | undefined;
  /** Sends one message; rejects with a {@link MailError} saying why it was not accepted. */
  send(job: MailJob): Promise<void>;
  status(): MailStatus;
  /** Checks the SMTP connection and login; never throws. */
  verify(): Promise<boolean>;
  /** Closes pooled connections. */
  close(): void;
}

/** Options for {@link createMailer}. */
export interface MailerOptions {
  /** The transport; undefined disables email (no SENDER_EMAIL). */
  transport: Transporter | undefined;
  /** The From address (SENDER_EMAIL). */
  from: string | undefined;
  /**
   * Where mail goes, so errors name `host:port` and the setting to change.
   * @defaultValue the server the transport was built for by `createSmtpTransport`
   */
  smtp?: SmtpContext;
  log: Logger;
  disabledReason?: string;
}

/** Creates the mailer. */
export function createMailer(options: MailerOptions): Mailer {
  const { transport, from, log } = options;
  const server = options.smtp ?? (transport ? smtpContextOf(transport) : undefined);
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

  return {
    enabled: transport !== undefined && from !== undefined,
    from,
    async send(job) {
      if (!transport || !from) throw new MailError('email is disabled (SENDER_EMAIL is not set)', 'disabled');
      const rendered = job.render();
      try {
        await transport.sendMail({
          from: { name: job.fromName, address: from },
          to: job.to,
          ...(job.bcc ? { bcc: job.bcc } : {}),
          // Replies reach a person: the shop's reply_to, else the sending address itself.
          replyTo: job.replyTo ?? from,
          ...(job.messageId ? { messageId: job.messageId } : {}),
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
        });
        noteOk();
      } catch (error) {
        const mailError = classifyMailError(error, server);
        noteFailure(mailError);
        throw mailError;
      }
    },
    status: () => ({ smtp, detail, reason }),
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
        const mailError = classifyMailError(error, server);
        smtp = 'down';
        reason = mailError.reason;
        detail = mailError.message;
        const fixable = mailError.kind === 'permanent';
        log.warn('smtp.unavailable', {
          reason: detail,
          note: fixable
            ? 'orders are still taken, but emails will fail until this is fixed (then restart, and resend them with: npm run orders -- retry --failed)'
            : 'orders are still taken; emails are retried',
        });
        return false;
      }
    },
    close() {
      transport?.close();
    },
  };
}
