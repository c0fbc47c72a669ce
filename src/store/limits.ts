/**
 * @module store/limits
 * Per-user cooldown after a completed order and a rolling 24-hour cap, read from the orders
 * themselves, so they hold across restarts and there is nothing extra to record: committing an
 * order is what counts it.
 *
 * Times come from the injected `now` (monotonic in the bot). An order whose stored time lies ahead
 * of it (the clock was set back since) never makes a customer wait longer than the rule itself.
 */
import type { CapReader, CapRule, JobKinds } from './engine.ts';

const DAY_MS = 86_400_000;

/** Whether a user may start an order now. */
export type LimitCheck = { ok: true } | { ok: false; reason: 'cooldown' | 'daily_cap'; retryAfterMs: number };

/** Options for {@link createOrderLimits}. */
export interface OrderLimitOptions {
  /** Where completed orders are. */
  orders: Pick<CapReader, 'createdSince'>;
  /** @defaultValue 60 s */
  cooldownMs?: number;
  /** Completed orders allowed per user in any 24 hours. @defaultValue `10` */
  dailyCap?: number;
  /** @defaultValue `Date.now` */
  now?: () => number;
}

/** The cooldown and daily cap; the composition picks the implementation. */
export interface OrderLimits {
  check(userId: string): Promise<LimitCheck>;
  configure(cooldownMs: number, dailyCap: number): void;
}

/** Creates the limits over the order store. */
export function createOrderLimits(options: OrderLimitOptions): OrderLimits {
  const now = options.now ?? Date.now;
  let cooldownMs = options.cooldownMs ?? 60_000;
  let dailyCap = options.dailyCap ?? 10;
  return {
    async check(userId) {
      const at = now();
      const recent = await options.orders.createdSince(userId, at - DAY_MS + 1);
      if (recent.length >= dailyCap) {
        const oldestCounted = recent[dailyCap - 1]!;
        return {
          ok: false,
          reason: 'daily_cap',
          retryAfterMs: Math.min(DAY_MS, oldestCounted + DAY_MS - at),
        };
      }
      // An order stamped more than a cooldown ahead of now was stamped by a clock since set back:
      // its age cannot be told, and it holds no one up.
      const last = recent.find((createdAt) => createdAt <= at + cooldownMs);
      if (last !== undefined && at - last < cooldownMs) {
        return { ok: false, reason: 'cooldown', retryAfterMs: Math.min(cooldownMs, last + cooldownMs - at) };
      }
      return { ok: true };
    },
    configure(newCooldown, newCap) {
      cooldownMs = newCooldown;
      dailyCap = newCap;
    },
  };
}

const HOUR_MS = 3_600_000;

/** Why a confirmation email is not sent (the order itself is still taken). */
export type MailCapReason = 'recipient_daily' | 'user_daily' | 'server_hourly' | 'mail_hourly';

/** Whether one more confirmation may be sent. */
export type MailCapCheck = { ok: true } | { ok: false; reason: MailCapReason; limit: number };

/** The caps that protect the shop's mail account; numbers from config.json. */
export interface MailCapSettings {
  recipient_daily_limit: number;
  user_daily_email_limit: number;
  server_hourly_limit: number;
  mail_hourly_limit: number;
}

/** Options for {@link createMailCaps}. */
export interface MailCapOptions {
  /** The job kind that is a confirmation email (the caps count those jobs, across users, servers, processes and restarts). */
  kind: string;
  /**
   * The job kind of the emails staff start (status emails): never refused by a cap, but counted
   * toward the hourly ceilings (per server, in all), which protect the shop's mail account.
   */
  staffKind?: string;
  settings: () => MailCapSettings;
  now?: () => number;
}

/**
 * The caps on confirmation emails: per server an hour, in all an hour, per mailbox a day (see
 * `mailboxKey`), per Discord user a day. They are handed to the order's commit
 * (`OrderRepository.commit`), which checks them inside its transaction, so no other order, of this
 * process or another, slips in between.
 */
export interface MailCaps {
  /** The caps one more confirmation to `email` must pass, in the order they are checked. */
  rules(email: string, guildId: string | undefined, userId: string): CapRule<MailCapReason>[];
}

/** Creates the caps. */
export function createMailCaps(options: MailCapOptions): MailCaps {
  const now = options.now ?? Date.now;
  return {
    rules(email, guildId, userId) {
      const at = now();
      const caps = options.settings();
      const hourly: JobKinds = options.staffKind ? [options.kind, options.staffKind] : options.kind;
      const rule = (
        reason: MailCapReason,
        since: number,
        limit: number,
        filter?: { email?: string; guildId?: string; userId?: string },
      ): CapRule<MailCapReason> => ({
        reason,
        kind: reason === 'mail_hourly' || reason === 'server_hourly' ? hourly : options.kind,
        since,
        limit,
        ...(filter ? { filter } : {}),
      });
      return [
        rule('mail_hourly', at - HOUR_MS, caps.mail_hourly_limit),
        ...(guildId === undefined
          ? []
          : [rule('server_hourly', at - HOUR_MS, caps.server_hourly_limit, { guildId })]),
        rule('recipient_daily', at - DAY_MS, caps.recipient_daily_limit, { email }),
        rule('user_daily', at - DAY_MS, caps.user_daily_email_limit, { userId }),
      ];
    },
  };
}
