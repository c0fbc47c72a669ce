/**
 * @module store/limits
 * The in-process limit store: per-user cooldown after a completed order and a rolling 24-hour
 * cap, so the bot cannot be used to mail strangers at volume. Only completion timestamps are
 * kept, at most `dailyCap` per user, and users with nothing in the last day are forgotten.
 */

const DAY_MS = 86_400_000;

/** Whether a user may start an order now. */
export type LimitCheck = { ok: true } | { ok: false; reason: 'cooldown' | 'daily_cap'; retryAfterMs: number };

/** Options for {@link createOrderLimits}. */
export interface OrderLimitOptions {
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
  /** Records a completed order. */
  record(userId: string): void;
  /** Forgets users with no order in the last 24 hours; returns how many. */
  sweep(): number;
  configure(cooldownMs: number, dailyCap: number): void;
  readonly trackedUsers: number;
}

/** Creates the limits. */
export function createOrderLimits(options: OrderLimitOptions = {}): OrderLimits {
  const now = options.now ?? Date.now;
  let cooldownMs = options.cooldownMs ?? 60_000;
  let dailyCap = options.dailyCap ?? 10;
  const completions = new Map<string, number[]>();

  const recent = (userId: string, at: number) => {
    const list = completions.get(userId);
    if (!list) return [];
    const kept = list.filter((t) => at - t < DAY_MS);
    if (kept.length === 0) completions.delete(userId);
    else completions.set(userId, kept);
    return kept;
  };

  return {
    check(userId) {
      const at = now();
      const list = recent(userId, at);
      if (list.length >= dailyCap) {
        const oldest = list[list.length - dailyCap]!;
        return { ok: false, reason: 'daily_cap', retryAfterMs: oldest + DAY_MS - at };
      }
      const last = list[list.length - 1];
      if (last !== undefined && at - last < cooldownMs) {
        return { ok: false, reason: 'cooldown', retryAfterMs: last + cooldownMs - at };
      }
      return { ok: true };
    },
    record(userId) {
      const at = now();
      const list = recent(userId, at);
      list.push(at);
      completions.set(userId, list.slice(-Math.max(dailyCap, 1)));
    },
    sweep() {
      const at = now();
      let removed = 0;
      for (const userId of [...completions.keys()]) {
        if (recent(userId, at).length === 0) removed++;
      }
      return removed;
    },
    configure(newCooldown, newCap) {
      cooldownMs = newCooldown;
      dailyCap = newCap;
    },
    get trackedUsers() {
      return completions.size;
    },
  };
}
