/**
 * @module metrics
 * Counters and a latency histogram, kept as plain numbers; `/run_diagnostics` and `/metrics`
 * read them, nothing else stores history.
 */
import type { InteractionApiStats } from './gateway/interactions.ts';

/** Monotonic counters. */
export interface Counters {
  interactions: number;
  interaction_errors: number;
  orders_started: number;
  orders_completed: number;
  orders_cancelled: number;
  orders_expired: number;
}

/** A cumulative histogram in milliseconds, Prometheus style. */
export interface Histogram {
  readonly bounds: readonly number[];
  /** counts[i] = observations <= bounds[i]; the last entry counts everything (+Inf). */
  readonly counts: number[];
  sum: number;
  count: number;
  observe(value: number): void;
}

/** Creates a histogram with the given upper bounds (ms). */
export function createHistogram(bounds: readonly number[]): Histogram {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  const histogram: Histogram = {
    bounds,
    counts,
    sum: 0,
    count: 0,
    observe(value) {
      for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) counts[i]!++;
      counts[bounds.length]!++;
      histogram.sum += value;
      histogram.count++;
    },
  };
  return histogram;
}

/** Live gateway figures, read on demand. */
export interface GatewayStatus {
  /** Average heartbeat round trip over shards that measured one, or undefined before the first. */
  latencyMs(): number | undefined;
  shardsReady(): number;
  shardTotal(): number;
  guilds(): number;
  /** Sum of member counts from GUILD_CREATE. */
  users(): number;
}

/** Figures of the interaction routes, read-only here. */
export type AnswerStats = Readonly<InteractionApiStats>;

/** Everything diagnostics and metrics report. */
export interface BotStats {
  readonly answers: AnswerStats;
  readonly startedAt: number;
  readonly counters: Counters;
  /** Time from an interaction arriving to its first answer leaving. */
  readonly interactionMs: Histogram;
  readonly gateway: GatewayStatus;
}

/** Creates the counters and histogram. */
export function createStats(
  gateway: GatewayStatus,
  startedAt: number = Date.now(),
  answers: AnswerStats = { expired: 0, rateLimited: 0, retried: 0, queued: 0 },
): BotStats {
  return {
    answers,
    startedAt,
    gateway,
    counters: {
      interactions: 0,
      interaction_errors: 0,
      orders_started: 0,
      orders_completed: 0,
      orders_cancelled: 0,
      orders_expired: 0,
    },
    interactionMs: createHistogram([1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]),
  };
}

/** Formats seconds as `2d 14h 32m 18s`. */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

/** Formats bytes as megabytes with one decimal. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
