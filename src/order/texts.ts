/**
 * @module order/texts
 * What the order form says to customers, in one place.
 */

/** The answer to a button or modal whose form no longer exists. */
export const EXPIRED = '⌛ This order form expired. Run /order_form again.';

/** The seed's message for a bad address, with an example. */
export const INVALID_EMAIL =
  '❌ Invalid email address provided. Please use a valid email format.\nExample: `/order_form email:name@example.com`';

/** The answer to any order interaction from a server that is not one of the shop's (`allowed_guild_ids`). */
export const NOT_THIS_SERVER = "🚫 This bot takes orders only in its shop's own Discord server.";

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
