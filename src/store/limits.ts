/**
 * @module store/limits
 * Per-user cooldown after a completed order and a rolling 24-hour cap, read from the orders
 * themselves, so they hold across restarts and there is nothing extra to record: committing an
 * order is what counts it.
 */
import type { OrderStore } from './orders.ts';

const DAY_MS = 86_400_000;

/** Whether a user may start an order now. */
export type LimitCheck = { ok: true } | { ok: false; reason: 'cooldown' | 'daily_cap'; retryAfterMs: number };

/** Options for {@link createOrderLimits}. */
export interface OrderLimitOptions {
  /** Where completed orders are. */
  orders: Pick<OrderStore, 'createdSince'>;
  /** @defaultValue 60 s */
  cooldownMs?: number;
  /** Completed orders allowed per user in any 24 hours. @defaultValue `10` */
  dailyCap?: number;
  /** @defaultValue `Date.now` */
  now?: () => number;
}

/** The cooldown and daily cap; the composition picks the implementation. */
export interface OrderLimits {
  check(userId: string): LimitCheck;
  configure(cooldownMs: number, dailyCap: number): void;
}

/** Creates the limits over the order store. */
export function createOrderLimits(options: OrderLimitOptions): OrderLimits {
  const now = options.now ?? Date.now;
  let cooldownMs = options.cooldownMs ?? 60_000;
  let dailyCap = options.dailyCap ?? 10;
  return {
    check(userId) {
      const at = now();
      const recent = options.orders.createdSince(userId, at - DAY_MS + 1);
      if (recent.length >= dailyCap) {
        const oldestCounted = recent[dailyCap - 1]!;
        return { ok: false, reason: 'daily_cap', retryAfterMs: oldestCounted + DAY_MS - at };
      }
      const last = recent[0];
      if (last !== undefined && at - last < cooldownMs) {
        return { ok: false, reason: 'cooldown', retryAfterMs: last + cooldownMs - at };
      }
      return { ok: true };
    },
    configure(newCooldown, newCap) {
      cooldownMs = newCooldown;
      dailyCap = newCap;
    },
  };
}
