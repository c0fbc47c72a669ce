/**
 * @module order/texts
 * Everything the order feature says to customers and staff, composed from the message catalogs
 * (`i18n/catalogs/`): each function takes the translator of the language it speaks (the
 * customer's, or `staff_language` for the staff's texts). The constants are the English texts,
 * as tests and the English-only tools compare against them.
 */
import { EN, formatDate, formatWait as formatWaitIn, type Translator } from '../i18n/translate.ts';
import type { LifecycleStatus, StoredOrder } from '../store/engine.ts';

/** The answer to a button or modal whose form no longer exists. */
export const EXPIRED = EN('expired');
/** The seed's message for a bad address, with an example. */
export const INVALID_EMAIL = EN('invalid_email');
/** The answer to any order interaction from a server that is not one of the shop's (`allowed_guild_ids`). */
export const NOT_THIS_SERVER = EN('not_this_server');
/** The answer when no form can be started because the store of forms in progress (Redis) cannot be reached. */
export const FORMS_UNAVAILABLE = EN('forms_unavailable');
/** The answer when a store the order needs (orders, forms in progress) cannot be reached for a moment. */
export const ORDERS_UNAVAILABLE = EN('orders_unavailable');
/** The answer when the shop changed its form (a reload) while the customer was filling it in. */
export const FORM_CHANGED = EN('form_changed');
/** Added to {@link EXPIRED} when a submitted step could not be kept. */
export const STEP_NOT_SAVED = EN('step_not_saved');
/** The answer when the order could not be committed (nothing was written). */
export const SAVE_FAILED = EN('save_failed');
/** The answer while the bot has too many interactions in flight. */
export const BUSY = EN('busy');
/** The answer to anyone but staff pressing a staff button (or forging its modal). */
export const NOT_STAFF = EN('not_staff');
/** A staff button or modal for an order that is not in this server's store (or was purged). */
export const ORDER_NOT_FOUND = EN('order_not_found');

/** The answer when ordering is limited to roles the member does not have. */
export function rolesRequired(t: Translator, roleIds: readonly string[]): string {
  return t('roles_required', { roles: roleIds.map((id) => `<@&${id}>`).join(t('list_or')) });
}

/** The answer during the cooldown after an order. */
export function cooldownText(t: Translator, retryAfterMs: number): string {
  return t('cooldown', { wait: formatWaitIn(t, retryAfterMs) });
}

/** The answer once the member's daily order limit is reached. */
export function dailyLimitText(t: Translator, limit: number, retryAfterMs: number): string {
  return t('daily_limit', { limit, wait: formatWaitIn(t, retryAfterMs) });
}

/** A step accepted; `replacedEarlier` when an older unfinished form was discarded. */
export function stepComplete(t: Translator, step: number, steps: number, replacedEarlier: boolean): string {
  const notice = replacedEarlier ? `\n${t('draft_replaced')}` : '';
  return `${t('step_complete', { step, steps })}${notice}`;
}

/** Where the confirmation email stands right after the order was committed. */
export function emailStatusText(
  t: Translator,
  options: {
    mailEnabled: boolean;
    /** Why a cap kept the email back, if one did (in the customer's language). */
    refused: string | undefined;
    /** The address, already made safe for Discord markdown. */
    to: string;
  },
): string {
  if (!options.mailEnabled) return t('email_off');
  if (options.refused) return t('email_refused', { reason: options.refused });
  return t('email_sending', { to: options.to });
}

/** The plainer answer tried once when the summary could not be shown. */
export function receivedFallback(t: Translator, orderId: number, status: string): string {
  return t('received_fallback', { id: orderId, status });
}

/**
 * What the customer is told once the email job has settled: `done`, refused by the mail server,
 * or not sent (`to` already made safe for Discord markdown).
 */
export function emailOutcomeText(
  t: Translator,
  to: string,
  outcome: 'sent' | 'address_refused' | 'not_sent',
): string {
  if (outcome === 'sent') return t('email_sent', { to });
  if (outcome === 'address_refused') return t('email_address_refused', { to });
  return t('email_not_sent', { to });
}

/** Formats a wait as `45s`, `3m 20s` or `5h 12m` (English; see `i18n/translate.ts` for others). */
export function formatWait(ms: number): string {
  return formatWaitIn(EN, ms);
}

/** Why no confirmation email was sent, for the customer and the staff post. */
export function emailRefusedText(
  t: Translator,
  reason: 'recipient_daily' | 'user_daily' | 'server_hourly' | 'mail_hourly',
  limit: number,
): string {
  switch (reason) {
    case 'recipient_daily':
      return t('cap_recipient_daily', { count: limit });
    case 'user_daily':
      return t('cap_user_daily', { count: limit });
    case 'server_hourly':
      return t('cap_server_hourly', { count: limit });
    case 'mail_hourly':
      return t('cap_mail_hourly', { count: limit });
    default: {
      const unreachable: never = reason;
      return String(unreachable);
    }
  }
}

// ---- After the order: statuses, the customer's notifications, /my_orders ----------------------

/** A status as people read it. */
export function statusName(t: Translator, status: LifecycleStatus): string {
  return t(`status_${status}`);
}

/** The direct message a customer gets when their order's status changes (`reference` already safe for markdown). */
export function statusDm(
  t: Translator,
  options: {
    shopName: string;
    reference: string;
    to: LifecycleStatus;
    trackingNumber?: string | null;
    trackingUrl?: string | null;
    reason?: string | null;
  },
): string {
  const { reference } = options;
  const shop = escapeText(options.shopName);
  switch (options.to) {
    case 'accepted':
      return t('dm_accepted', { shop, reference });
    case 'shipped': {
      const lines = [t('dm_shipped', { shop, reference })];
      if (options.trackingNumber) {
        lines.push(t('dm_tracking_number', { number: escapeText(options.trackingNumber) }));
      }
      if (options.trackingUrl) lines.push(t('dm_track_it', { url: linkTarget(options.trackingUrl) }));
      return lines.join('\n');
    }
    case 'delivered':
      return t('dm_delivered', { shop, reference });
    case 'cancelled':
      return `${t('dm_cancelled', { shop, reference })}${options.reason ? `\n${t('dm_reason', { reason: escapeText(options.reason) })}` : ''}`;
    default:
      return t('dm_other', { shop, reference, status: statusName(t, options.to).toLowerCase() });
  }
}

/** One line of /my_orders (`reference` is the bot's own reference). */
export function myOrderLine(t: Translator, order: StoredOrder, reference: string): string {
  const number = order.fields.order_number;
  const shown = number ? `**${escapeText(number).slice(0, 100)}** (${reference})` : `**${reference}**`;
  const date = formatDate(t, new Date(order.createdAt).toISOString().slice(0, 10));
  const first = Object.entries(order.fields).find(([key, value]) => key !== 'order_number' && value);
  const what = escapeText((order.fields.product_name || first?.[1] || '').split('\n')[0] ?? '').slice(0, 80);
  const tracking =
    order.lifecycle === 'shipped' && order.trackingUrl
      ? ` · ${t('my_orders_track_link', { url: linkTarget(order.trackingUrl) })}`
      : order.lifecycle === 'shipped' && order.trackingNumber
        ? ` · ${t('my_orders_tracking', { number: escapeText(order.trackingNumber) })}`
        : '';
  return `${shown} · ${date}${what ? ` · ${what}` : ''} · ${statusName(t, order.lifecycle)}${tracking}`;
}

/** The heading of /my_orders. */
export function myOrdersHeading(t: Translator, shown: number): string {
  return t('my_orders_heading', { count: shown });
}

/** The customer's cancel, asked once more. */
export function confirmCancelText(t: Translator, reference: string): string {
  return t('confirm_cancel', { reference });
}

/** The customer's cancel, done. */
export function cancelledByCustomerText(t: Translator, reference: string): string {
  return t('cancelled_by_customer', { reference });
}

/** The customer tried to cancel an order that is no longer `received` (or not theirs). */
export function cannotCancelText(t: Translator, status: LifecycleStatus | undefined): string {
  return status === undefined
    ? t('order_missing')
    : t('cannot_cancel', { status: statusName(t, status).toLowerCase() });
}

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

// ---- Staff actions on the staff post (in `staff_language`) ------------------------------------

/** Someone changed the order first (two staff at once, or a button on an old post). */
export function alreadyChangedText(t: Translator, status: LifecycleStatus, by: string | undefined): string {
  const who =
    by === undefined
      ? undefined
      : by === 'cli'
        ? t('staff_by_cli')
        : /^\d{1,20}$/.test(by)
          ? `<@${by}>`
          : undefined;
  const name = statusName(t, status);
  return who === undefined
    ? t('already_changed', { status: name })
    : t('already_changed_by', { status: name, who });
}

/** A staff change made (`reference` already safe for markdown). */
export function changedText(t: Translator, reference: string, status: LifecycleStatus): string {
  return t('changed', { reference, status: statusName(t, status) });
}

/** The tracking link typed in Mark shipped is not a web address. */
export function badTrackingUrlText(t: Translator): string {
  return t('bad_tracking_url');
}
