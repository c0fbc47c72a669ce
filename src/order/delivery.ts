/**
 * @module order/delivery
 * What happens after a customer completes the form: the order is posted to the shop's staff
 * channel, and the confirmation email is sent, with a sentence for the customer saying how that
 * went.
 */
import type { API } from '@discordjs/core/http-only';
import type { BotConfig, EmailTemplate } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { confirmationJob } from './email.ts';
import type { Order } from './fields.ts';
import { discordText, staffMessage } from './ui.ts';

/** Options for {@link createOrderDelivery}. */
export interface OrderDeliveryOptions {
  /** Bot-token REST routes (the staff channel). */
  api: API;
  mailer: Mailer;
}

/** Delivers completed orders. */
export interface OrderDelivery {
  /** Posts the order to `orders_channel_id`, when one is set; a failure is logged, never thrown. */
  postToStaff(order: Order, userId: string, config: BotConfig, log: Logger): Promise<void>;
  /** Sends the confirmation and resolves with what to tell the customer about it. Never rejects. */
  sendConfirmation(order: Order, config: BotConfig, template: EmailTemplate, log: Logger): Promise<string>;
}

/** Creates the delivery. */
export function createOrderDelivery({ api, mailer }: OrderDeliveryOptions): OrderDelivery {
  return {
    async postToStaff(order, userId, config, log) {
      const channelId = config.orders_channel_id;
      if (!channelId) return;
      try {
        await api.channels.createMessage(channelId, staffMessage(order, userId));
      } catch (error) {
        // The order is already confirmed to the customer and in the log; staff can look it up there.
        log.error('order.staff_post_failed', { order_number: order.order_number.slice(0, 60), error });
      }
    },

    async sendConfirmation(order, config, template, log) {
      const to = discordText(order.email, 300);
      const received = '✅ Your order was received and the shop has it';
      const queued = mailer.send(confirmationJob(order, config, template));
      if (!queued.accepted) {
        log.error('order.email_not_queued', { reason: queued.reason });
        return `${received}, but the confirmation email could not be sent right now (${
          queued.reason === 'full' ? 'too many emails are waiting' : 'email is not available'
        }). The shop will contact you if needed.`;
      }
      const outcome = await queued.done;
      if (outcome.status === 'delivered') return `📧 Confirmation sent to ${to}`;
      if (outcome.reason === 'recipient_rejected') {
        return `${received}, but the mail server refused the address ${to}, so no confirmation email was sent.`;
      }
      return `${received}, but the confirmation email to ${to} could not be sent. The shop will contact you if needed.`;
    },
  };
}
