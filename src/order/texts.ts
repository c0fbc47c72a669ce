/**
 * @module order/texts
 * What the order form says to customers, in one place.
 */

/** The answer to a button or modal whose form no longer exists. */
export const EXPIRED = '⌛ This order form expired. Run /order_form again.';

/** The seed's message for a bad address, with an example. */
export const INVALID_EMAIL =
  '❌ Invalid email address provided. Please use a valid email format.\nExample: `/order_form email:name@example.com`';

/** Formats a wait as `45s`, `3m 20s` or `5h 12m`. */
export function formatWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
