/**
 * @module metrics
 * Every counter of the bot in one place, with one naming style (`<thing>_<outcome>`), and a latency
 * histogram, kept as plain numbers. The parts of the bot never touch a counter: they report events
 * through callbacks (`onEnd`, `onOutcome`, …) that the composition points at {@link Metrics.count}.
 * `/run_diagnostics` and `/metrics` read them; nothing stores history.
 */

/** The name of every counter. */
export const COUNTER_NAMES = [
  'interactions',
  'interactions_refused',
  'interaction_errors',
  'orders_started',
  'orders_completed',
  'orders_cancelled',
  'orders_expired',
  'emails_sent',
  'emails_failed',
  'emails_gave_up',
  'emails_retried',
  'emails_refused',
  'staff_posts_sent',
  'staff_posts_failed',
  'answers_expired',
  'answers_rate_limited',
  'answers_retried',
] as const;

/** One of {@link COUNTER_NAMES}. */
export type CounterName = (typeof COUNTER_NAMES)[number];

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

/** The counters and the interaction-time histogram. */
export interface Metrics {
  readonly startedAt: number;
  readonly counters: Readonly<Record<CounterName, number>>;
  /** Adds `by` (default 1) to a counter. */
  count(name: CounterName, by?: number): void;
  /** Time from an interaction arriving to its first answer leaving. */
  readonly interactionMs: Histogram;
}

/** Creates the counters, all at zero. */
export function createMetrics(startedAt: number = Date.now()): Metrics {
  const counters = Object.fromEntries(COUNTER_NAMES.map((name) => [name, 0])) as Record<CounterName, number>;
  return {
    startedAt,
    counters,
    count(name, by = 1) {
      counters[name] += by;
    },
    interactionMs: createHistogram([1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]),
  };
}

/** Figures read at scrape time (gauges), supplied by the composition. */
export interface Gauges {
  uptimeSeconds: number;
  shardsReady: number;
  shardsTotal: number;
  guilds: number;
  usersApproximate: number;
  /** Undefined before the first heartbeat. */
  gatewayLatencyMs: number | undefined;
  activeSessions: number;
  ordersStored: number;
  ordersToday: number;
  outboxPending: number;
  outboxFailed: number;
  /** Age of the oldest pending outbox job, 0 when none is pending. */
  outboxOldestSeconds: number;
  smtpUp: boolean;
  answersQueued: number;
  residentBytes: number;
  heapUsedBytes: number;
}

/** Renders the Prometheus text exposition (format 0.0.4). */
export function renderPrometheus(metrics: Metrics, gauges: Gauges): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples)
      out.push(`${name}${labels} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  const c = metrics.counters;
  metric('orderbot_uptime_seconds', 'gauge', 'Seconds since the bot started.', [['', gauges.uptimeSeconds]]);
  metric('orderbot_shards_ready', 'gauge', 'Gateway shards that are ready.', [['', gauges.shardsReady]]);
  metric('orderbot_shards_total', 'gauge', 'Gateway shards this process runs.', [['', gauges.shardsTotal]]);
  metric('orderbot_guilds', 'gauge', 'Servers the bot is in.', [['', gauges.guilds]]);
  metric('orderbot_users_approximate', 'gauge', 'Sum of member counts.', [['', gauges.usersApproximate]]);
  metric('orderbot_gateway_latency_ms', 'gauge', 'Average heartbeat round trip over shards.', [
    ['', gauges.gatewayLatencyMs ?? Number.NaN],
  ]);
  metric('orderbot_active_sessions', 'gauge', 'Order forms in progress.', [['', gauges.activeSessions]]);
  metric('orderbot_orders_total', 'counter', 'Order forms by outcome.', [
    ['{outcome="started"}', c.orders_started],
    ['{outcome="completed"}', c.orders_completed],
    ['{outcome="cancelled"}', c.orders_cancelled],
    ['{outcome="expired"}', c.orders_expired],
  ]);
  metric('orderbot_emails_total', 'counter', 'Confirmation emails by outcome.', [
    ['{outcome="sent"}', c.emails_sent],
    ['{outcome="failed"}', c.emails_failed],
    ['{outcome="gave_up"}', c.emails_gave_up],
    ['{outcome="retried"}', c.emails_retried],
    ['{outcome="refused"}', c.emails_refused],
  ]);
  metric('orderbot_staff_posts_total', 'counter', 'Staff channel posts by outcome.', [
    ['{outcome="sent"}', c.staff_posts_sent],
    ['{outcome="failed"}', c.staff_posts_failed],
  ]);
  metric('orderbot_orders_stored', 'gauge', 'Orders in the database.', [['', gauges.ordersStored]]);
  metric('orderbot_orders_today', 'gauge', 'Orders since local midnight.', [['', gauges.ordersToday]]);
  metric('orderbot_outbox_jobs', 'gauge', 'Delivery jobs (email, staff post, customer message) by state.', [
    ['{status="pending"}', gauges.outboxPending],
    ['{status="failed"}', gauges.outboxFailed],
  ]);
  metric('orderbot_outbox_oldest_pending_seconds', 'gauge', 'Age of the oldest pending delivery job.', [
    ['', gauges.outboxOldestSeconds],
  ]);
  metric('orderbot_smtp_up', 'gauge', '1 when the last SMTP contact worked.', [['', gauges.smtpUp ? 1 : 0]]);
  metric('orderbot_interactions_total', 'counter', 'Interactions handled.', [['', c.interactions]]);
  metric(
    'orderbot_interactions_refused_total',
    'counter',
    'Interactions answered "busy" (too many in flight).',
    [['', c.interactions_refused]],
  );
  metric('orderbot_interaction_errors_total', 'counter', 'Interactions whose handler failed.', [
    ['', c.interaction_errors],
  ]);
  metric('orderbot_answers_total', 'counter', 'Interaction answers that did not simply go out.', [
    ['{outcome="expired"}', c.answers_expired],
    ['{outcome="rate_limited"}', c.answers_rate_limited],
    ['{outcome="retried"}', c.answers_retried],
  ]);
  metric('orderbot_answers_queued', 'gauge', 'Interaction answers waiting for a free connection.', [
    ['', gauges.answersQueued],
  ]);
  const h = metrics.interactionMs;
  out.push(
    '# HELP orderbot_interaction_duration_ms Time from an interaction arriving to its first answer leaving.',
    '# TYPE orderbot_interaction_duration_ms histogram',
  );
  for (const [i, bound] of h.bounds.entries()) {
    out.push(`orderbot_interaction_duration_ms_bucket{le="${bound}"} ${h.counts[i]}`);
  }
  out.push(`orderbot_interaction_duration_ms_bucket{le="+Inf"} ${h.count}`);
  out.push(
    `orderbot_interaction_duration_ms_sum ${h.sum}`,
    `orderbot_interaction_duration_ms_count ${h.count}`,
  );
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', [['', gauges.residentBytes]]);
  metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', gauges.heapUsedBytes]]);
  return `${out.join('\n')}\n`;
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
