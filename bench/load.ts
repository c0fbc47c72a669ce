/**
 * The load generator of the benchmarks: interactions written to the fake Discord's socket at a
 * steady rate, and their round trips (written to the socket until the callback reaches the fake).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeDiscord, InteractionRecord } from '../test/support/fake-discord.ts';

/** The `p`th percentile (nearest rank) of `values`. */
export const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** `n` rounded to `digits` decimals. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Sends /ping (or /order_form) at `rate` per second for `seconds`; returns round trips (ms), the
 * unanswered count and the rate actually achieved. What is owed is computed from the clock, not
 * per timer tick, so a late tick sends more instead of silently lowering the rate.
 */
export async function load(discord: FakeDiscord, rate: number, seconds: number, command = 'ping') {
  const entries: InteractionRecord[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  for (let now = start; now < end; now = performance.now()) {
    const owed = Math.floor((rate * (now - start)) / 1000) - n;
    for (let i = 0; i < owed; i++) {
      n++;
      const user = { id: String(600_000_000_000_000_000n + BigInt(n)), username: `load${n}` };
      entries.push(
        command === 'ping'
          ? discord.command(user, 'ping')
          : discord.command(user, 'order_form', { email: `l${n}@example.com` }),
      );
    }
    await sleep(2);
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await discord
    .waitFor(() => (entries.every((e) => e.callbackAtHr !== undefined) ? true : undefined), 5000)
    .catch(() => undefined);
  const answered = entries.filter((e) => e.callbackAtHr !== undefined);
  const trips = answered.map((e) => e.callbackAtHr! - e.sentAtHr);
  return {
    entries,
    sent: entries.length,
    achieved_per_s: Math.round(entries.length / sendSeconds),
    unanswered: entries.length - answered.length,
    p50: percentile(trips, 50),
    p99: percentile(trips, 99),
    max: trips.length ? Math.max(...trips) : Number.NaN,
  };
}
