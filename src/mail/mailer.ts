/**
 * @module mail/mailer
 * What the bot calls to send confirmations: renders the template, queues the message on the
 * pooled SMTP transport, verifies the connection at start-up, and reports its state.
 */
import type { Transporter } from 'nodemailer';
import type { BotConfig, EmailTemplate } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Order } from '../order/fields.ts';
import { createMailQueue, type EnqueueResult, type MailCounters, type MailQueue } from './queue.ts';
import { classifyMailError } from './sender.ts';
import { headerSafe, type RenderedEmail, renderEmail } from './template.ts';

/** State of the SMTP connection as last seen. */
export type SmtpState = 'unchecked' | 'ok' | 'down' | 'disabled';

/** What diagnostics and metrics show about mail. */
export interface MailStatus extends MailCounters {
  smtp: SmtpState;
  /** Why SMTP is down or disabled. */
  detail: string | undefined;
}

/**
 * One message on the queue. It keeps the order and the template in force when it was queued (a
 * reload does not change it) and is rendered when sent, so 1,000 queued jobs do not hold 1,000
 * rendered HTML bodies.
 */
export interface MailJob {
  to: string;
  orderNumber: string;
  order: Order;
  template: EmailTemplate;
  shopName: string;
  fromName: string;
  replyTo: string | undefined;
  bcc: string | undefined;
}

/** Sends order confirmations. */
export interface Mailer {
  /** Renders and queues a confirmation; `accepted: false` says why it was not queued. */
  sendConfirmation(
    order: Order,
    config: BotConfig,
    template: EmailTemplate,
  ): EnqueueResult | { accepted: false; reason: 'disabled' };
  status(): MailStatus;
  /** Checks the SMTP connection and login; never throws. */
  verify(): Promise<boolean>;
  /** Stops taking mail and drains; returns how many were not sent. */
  close(drainMs: number): Promise<number>;
  configure(config: BotConfig): void;
}

/** Options for {@link createMailer}. */
export interface MailerOptions {
  /** The transport; undefined disables email (no SENDER_EMAIL). */
  transport: Transporter | undefined;
  /** The From address (SENDER_EMAIL). */
  from: string | undefined;
  config: BotConfig;
  log: Logger;
  disabledReason?: string;
  random?: () => number;
}

/** Creates the mailer. */
export function createMailer(options: MailerOptions): Mailer {
  const { transport, from, log } = options;
  let smtp: SmtpState = transport ? 'unchecked' : 'disabled';
  let detail: string | undefined = transport
    ? undefined
    : (options.disabledReason ?? 'SENDER_EMAIL is not set');

  const queue: MailQueue<MailJob> = createMailQueue<MailJob>({
    capacity: options.config.mail_queue_size,
    maxAttempts: options.config.mail_max_attempts,
    initialDelayMs: options.config.mail_retry_initial_seconds * 1000,
    log,
    ...(options.random ? { random: options.random } : {}),
    describe: (job) => `order ${headerSafe(job.orderNumber, 60)}`,
    send: async (job) => {
      if (!transport || !from) throw new Error('email is disabled');
      const rendered: RenderedEmail = renderEmail(job.template, { order: job.order, shopName: job.shopName });
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
        smtp = 'ok';
        detail = undefined;
      } catch (error) {
        const mailError = classifyMailError(error);
        if (mailError.kind === 'transient' || /Authentication/.test(mailError.message)) {
          smtp = 'down';
          detail = mailError.message;
        }
        throw mailError;
      }
    },
  });

  return {
    sendConfirmation(order, config, template) {
      if (!transport) return { accepted: false, reason: 'disabled' };
      const shopName = config.shop_name;
      return queue.enqueue({
        to: order.email,
        orderNumber: order.order_number,
        order,
        template,
        shopName,
        fromName: headerSafe(config.sender_name ?? shopName, 100),
        replyTo: config.reply_to,
        bcc: config.shop_bcc,
      });
    },
    status: () => ({ smtp, detail, ...queue.counters }),
    async verify() {
      if (!transport) {
        log.warn('smtp.disabled', { reason: detail });
        return false;
      }
      try {
        await transport.verify();
        smtp = 'ok';
        detail = undefined;
        log.info('smtp.ready', {});
        return true;
      } catch (error) {
        smtp = 'down';
        detail = classifyMailError(error).message;
        log.warn('smtp.unavailable', { reason: detail, note: 'orders are still taken; emails are retried' });
        return false;
      }
    },
    async close(drainMs) {
      const left = await queue.drain(drainMs);
      transport?.close();
      return left;
    },
    configure(config) {
      queue.configure({
        capacity: config.mail_queue_size,
        maxAttempts: config.mail_max_attempts,
        initialDelayMs: config.mail_retry_initial_seconds * 1000,
      });
    },
  };
}
