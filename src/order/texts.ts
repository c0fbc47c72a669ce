/**
 * @module order/texts
 * Everything the order feature says to customers, in one place (the handlers, the delivery jobs
 * and the composition's busy/restarting answers take their words from here). Staff-facing texts
 * (the staff post, diagnostics) stay with what builds them.
 */
import type { LifecycleStatus, StoredOrder } from '../store/engine.ts';

/** The answer to a button or modal whose form no longer exists. */
export const EXPIRED = '⌛ This order form expired. Run /order_form again.';

/** The seed's message for a bad address, with an example. */
export const INVALID_EMAIL =
  '❌ Invalid email address provided. Please use a valid email format.\nExample: `/order_form email:name@example.com`';

/** The answer to any order interaction from a server that is not one of the shop's (`allowed_guild_ids`). */
export const NOT_THIS_SERVER = "🚫 This bot takes orders only in its shop's own Discord server.";

/** The answer when an interaction carries no user. */
export const UNKNOWN_USER = '❌ I could not tell who you are. Please try again.';

/** The answer when ordering is limited to roles the member does not have. */
export function rolesRequired(roleIds: readonly string[]): string {
  return `🚫 Ordering is open to members with the ${roleIds.map((id) => `<@&${id}>`).join(' or ')} role. Ask the shop's staff if you think you should have it.`;
}

/** The answer during the cooldown after an order. */
export function cooldownText(retryAfterMs: number): string {
  return `⏳ You just placed an order. You can start another in ${formatWait(retryAfterMs)}.`;
}

/** The answer once the member's daily order limit is reached. */
export function dailyLimitText(limit: number, retryAfterMs: number): string {
  return `⏳ You have reached the limit of ${limit} orders in 24 hours. You can order again in ${formatWait(retryAfterMs)}.`;
}

/** The answer when every form slot is taken (`max_sessions`). */
export const FORMS_FULL =
  '⏳ The shop is very busy right now. Please try /order_form again in a few minutes.';

/** The answer when no form can be started because the store of forms in progress (Redis) cannot be reached. */
export const FORMS_UNAVAILABLE =
  '⏳ Order forms cannot be started for a moment. Please try /order_form again in a minute (nothing was sent).';

/** The answer when a store the order needs (orders, forms in progress) cannot be reached for a moment. */
export const ORDERS_UNAVAILABLE =
  '⏳ Orders are unavailable for a moment. Please try again in a minute (if you were filling in the form, press the button again then).';

/** The answer when the shop changed its form (a reload) while the customer was filling it in. */
export const FORM_CHANGED =
  '🔄 The shop has just changed its order form, so this one can no longer be completed. Run /order_form again to start the new form (nothing was sent).';

/** Added to {@link EXPIRED} when a submitted step could not be kept. */
export const STEP_NOT_SAVED = 'What you typed in this step could not be saved because the form had ended.';

/** A step accepted; `replacedEarlier` when an older unfinished form was discarded. */
export function stepComplete(step: number, steps: number, replacedEarlier: boolean): string {
  const notice = replacedEarlier ? '\n(Your earlier unfinished order form was discarded.)' : '';
  return `✅ Step ${step} of ${steps} complete.${notice}`;
}

/** The answer when the order could not be committed (nothing was written). */
export const SAVE_FAILED =
  '❌ Your order could not be saved just now, so nothing was sent. Press **Submit again** in a moment: everything you typed is kept.';

/** A form's button or final step pressed again after its order was taken (the first answer was lost). */
export const ALREADY_RECEIVED =
  '✅ This order was already received: here it is again. Nothing more to do; the confirmation is on its way.';

/** The answer to Cancel. */
export const CANCELLED =
  '🗑️ Order cancelled. Nothing was sent. Run /order_form whenever you want to start again.';

/** Where the confirmation email stands right after the order was committed. */
export function emailStatusText(options: {
  mailEnabled: boolean;
  /** Why a cap kept the email back, if one did. */
  refused: string | undefined;
  /** The address, already made safe for Discord markdown. */
  to: string;
}): string {
  if (!options.mailEnabled) {
    return '✅ Your order was received and the shop has it. (Confirmation emails are switched off; the shop will contact you if needed.)';
  }
  if (options.refused) {
    return `✅ Your order was received and the shop has it. No confirmation email was sent: ${options.refused}. The shop will contact you if needed.`;
  }
  return `📧 Sending your confirmation to ${options.to}…`;
}

/** The plainer answer tried once when the summary could not be shown. */
export function receivedFallback(orderId: number, status: string): string {
  return `✅ Order received (reference #${orderId}). ${status}`;
}

/**
 * What the customer is told once the email job has settled: `done`, refused by the mail server,
 * or not sent (`to` already made safe for Discord markdown).
 */
export function emailOutcomeText(to: string, outcome: 'sent' | 'address_refused' | 'not_sent'): string {
  const received = '✅ Your order was received and the shop has it';
  if (outcome === 'sent') return `📧 Confirmation sent to ${to}`;
  if (outcome === 'address_refused') {
    return `${received}, but the mail server refused the address ${to}, so no confirmation email was sent.`;
  }
  return `${received}, but the confirmation email to ${to} could not be sent. The shop will contact you if needed.`;
}

/** The answer while the bot has too many interactions in flight. */
export const BUSY = '⏳ The bot is very busy right now. Please try again in a few seconds.';

/** The answer while the bot is shutting down (a restart or a deploy). */
export const RESTARTING = '⏳ The bot is restarting. Please try again in a minute.';

/** Formats a wait as `45s`, `3m 20s` or `5h 12m`. */
export function formatWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Why no confirmation email was sent, for the customer and the staff post. */
export function emailRefusedText(
  reason: 'recipient_daily' | 'user_daily' | 'server_hourly' | 'mail_hourly',
  limit: number,
): string {
  switch (reason) {
    case 'recipient_daily':
      return `this address has already been sent ${limit} confirmation${limit === 1 ? '' : 's'} today`;
    case 'user_daily':
      return `you have already been sent ${limit} confirmation${limit === 1 ? '' : 's'} today`;
    case 'server_hourly':
      return `this server has reached its limit of ${limit} confirmation emails an hour`;
    case 'mail_hourly':
      return `the shop has reached its limit of ${limit} confirmation emails an hour`;
    default: {
      const unreachable: never = reason;
      return String(unreachable);
    }
  }
}

// ---- After the order: statuses, the customer's notifications, /my_orders ----------------------

/** A status as people read it. */
export function statusName(status: LifecycleStatus): string {
  return STATUS_NAMES[status];
}

const STATUS_NAMES: Readonly<Record<LifecycleStatus, string>> = {
  received: 'Received',
  accepted: 'Accepted',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

/** The direct message a customer gets when their order's status changes (`reference` already safe for markdown). */
export function statusDm(options: {
  shopName: string;
  reference: string;
  to: LifecycleStatus;
  trackingNumber?: string | null;
  trackingUrl?: string | null;
  reason?: string | null;
}): string {
  const { shopName, reference } = options;
  const shop = escapeText(shopName);
  switch (options.to) {
    case 'accepted':
      return `✅ **${shop}** accepted your order ${reference}. We'll tell you when it ships.`;
    case 'shipped': {
      const lines = [`📦 Your order ${reference} from **${shop}** has shipped.`];
      if (options.trackingNumber) lines.push(`Tracking number: ${escapeText(options.trackingNumber)}`);
      if (options.trackingUrl) lines.push(`Track it: <${linkTarget(options.trackingUrl)}>`);
      return lines.join('\n');
    }
    case 'delivered':
      return `🎉 Your order ${reference} from **${shop}** is marked as delivered. Enjoy!`;
    case 'cancelled':
      return `🚫 Your order ${reference} at **${shop}** was cancelled.${options.reason ? `\nReason: ${escapeText(options.reason)}` : ''}`;
    default:
      return `ℹ️ Your order ${reference} at **${shop}** is now ${statusName(options.to).toLowerCase()}.`;
  }
}

/** One line of /my_orders (`reference` is the bot's own reference). */
export function myOrderLine(order: StoredOrder, reference: string): string {
  const number = order.fields.order_number;
  const shown = number ? `**${escapeText(number).slice(0, 100)}** (${reference})` : `**${reference}**`;
  const date = new Date(order.createdAt).toISOString().slice(0, 10);
  const first = Object.entries(order.fields).find(([key, value]) => key !== 'order_number' && value);
  const what = escapeText((order.fields.product_name || first?.[1] || '').split('\n')[0] ?? '').slice(0, 80);
  const tracking =
    order.lifecycle === 'shipped' && order.trackingUrl
      ? ` · [track it](<${linkTarget(order.trackingUrl)}>)`
      : order.lifecycle === 'shipped' && order.trackingNumber
        ? ` · tracking ${escapeText(order.trackingNumber)}`
        : '';
  return `${shown} · ${date}${what ? ` · ${what}` : ''} · ${statusName(order.lifecycle)}${tracking}`;
}

/** /my_orders when the member has no orders. */
export const NO_ORDERS = "📭 You haven't placed any orders here yet. Run /order_form to place one.";

/** The heading of /my_orders. */
export function myOrdersHeading(shown: number): string {
  return `🧾 Your ${shown === 1 ? 'order' : `latest ${shown} orders`} (newest first):`;
}

/** The customer's cancel, asked once more. */
export function confirmCancelText(reference: string): string {
  return `❓ Cancel your order ${reference}? The shop is told at once, and this cannot be undone.`;
}

/** The customer's cancel, done. */
export function cancelledByCustomerText(reference: string): string {
  return `🗑️ Your order ${reference} is cancelled. The shop has been told.`;
}

/** The customer changed their mind at the confirmation. */
export const KEPT = '👍 Your order is unchanged.';

/** The customer tried to cancel an order that is no longer `received` (or not theirs). */
export function cannotCancelText(status: LifecycleStatus | undefined): string {
  return status === undefined
    ? '❌ That order cannot be found.'
    : `❌ This order is already ${statusName(status).toLowerCase()}, so it can no longer be cancelled here. Please contact the shop.`;
}

/** The reason recorded when a customer cancels from /my_orders. */
export const CUSTOMER_CANCEL_REASON = 'Cancelled by the customer';

/** A web address as a markdown link target: the characters that would end it are percent-encoded. */
function linkTarget(url: string): string {
  return url.replace(
    /[<>()[\]\s`]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Escapes Discord markdown in someone's text (a local copy: ui.ts imports this module). */
function escapeText(text: string): string {
  return text.replace(/[\\*_~`|>#[\]()<@:-]/g, '\\$&');
}

// ---- Staff actions on the staff post ---------------------------------------------------------

/** The answer to anyone but staff pressing a staff button (or forging its modal). */
export const NOT_STAFF =
  "🚫 Only the shop's staff can change orders (members with Manage Server or a staff role). Nothing was changed.";

/** A staff button or modal for an order that is not in this server's store (or was purged). */
export const ORDER_NOT_FOUND =
  '❌ That order cannot be found (it may have been removed). Nothing was changed.';

/** Someone changed the order first (two staff at once, or a button on an old post). */
export function alreadyChangedText(status: LifecycleStatus, by: string | undefined): string {
  const who =
    by === undefined
      ? ''
      : by === 'cli'
        ? ' by the owner (CLI)'
        : /^\d{1,20}$/.test(by)
          ? ` by <@${by}>`
          : '';
  return `⚠️ Already done: this order is now **${statusName(status)}**${who}. Nothing else was changed.`;
}

/** A staff change made (`reference` already safe for markdown). */
export function changedText(reference: string, status: LifecycleStatus): string {
  return `✅ Order ${reference} is now **${statusName(status)}**. The customer is being told, and the post will show it in a moment.`;
}

/** The tracking link typed in Mark shipped is not a web address. */
export function badTrackingUrlText(): string {
  return '⚠️ The tracking link must be a web address starting with http:// or https://. Nothing was changed: press **Fix the tracking link**, the form reopens with what you typed.';
}

/** Cancel order was submitted without a reason. */
export const REASON_REQUIRED =
  '⚠️ A reason is needed to cancel an order (the customer reads it). Nothing was changed: press **Cancel order** again.';
