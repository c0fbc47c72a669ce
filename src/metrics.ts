/**
 * @module metrics
 * The metric registry: every counter declared once ({@link COUNTERS}: its Prometheus family, label,
 * help and the event that moves it), a latency histogram, and the shape of the operations
 * snapshot ({@link OpsSnapshot}) that `/run_diagnostics`, `/healthz` and `/metrics` all read. The
 * parts of the bot never touch a counter: they report events through callbacks (`onEvent`,
 * `onAnswerEvent`, `onStart`, `onEnd`, ...) that the composition points at {@link Metrics.count}.
 * Nothing stores history.
 */

/** One counter's declaration. */
interface CounterSpec {
  /** The Prometheus metric family it is a sample of. */
  family: string;
  /** The sample's label (`outcome="sent"`), when the family has several. */
  label?: string;
  /** The family's help text (the same for every sample of it). */
  help: string;
  /** What moves it, and where that is reported. */
  movedBy: string;
}

/** Every counter of the bot, in the order `/metrics` shows them. */
export const COUNTERS = {
  orders_started: {
    family: 'orderbot_orders_total',
    label: 'outcome="started"',
    help: 'Order forms by outcome.',
    movedBy: 'the session store: a customer starts a form (onStart)',
  },
  orders_completed: {
    family: 'orderbot_orders_total',
    label: 'outcome="completed"',
    help: 'Order forms by outcome.',
    movedBy: 'the session store: a form ends in a committed order (onEnd)',
  },
  orders_cancelled: {
    family: 'orderbot_orders_total',
    label: 'outcome="cancelled"',
    help: 'Order forms by outcome.',
    movedBy: 'the session store: the customer cancels (onEnd)',
  },
  orders_expired: {
    family: 'orderbot_orders_total',
    label: 'outcome="expired"',
    help: 'Order forms by outcome.',
    movedBy: 'the session store: a form times out (onEnd)',
  },
  emails_sent: {
    family: 'orderbot_emails_total',
    label: 'outcome="sent"',
    help: 'Confirmation emails by outcome.',
    movedBy: 'the outbox: an email job is done (onEvent)',
  },
  emails_failed: {
    family: 'orderbot_emails_total',
    label: 'outcome="failed"',
    help: 'Confirmation emails by outcome.',
    movedBy: 'the outbox: an email job failed for good (onEvent)',
  },
  emails_gave_up: {
    family: 'orderbot_emails_total',
    label: 'outcome="gave_up"',
    help: 'Confirmation emails by outcome.',
    movedBy: 'the outbox: an email job ran out of attempts (onEvent)',
  },
  emails_retried: {
    family: 'orderbot_emails_total',
    label: 'outcome="retried"',
    help: 'Confirmation emails by outcome.',
    movedBy: 'the outbox: an email job will be tried again (onEvent)',
  },
  emails_refused: {
    family: 'orderbot_emails_total',
    label: 'outcome="refused"',
    help: 'Confirmation emails by outcome.',
    movedBy: 'the order form: a cap kept an email back (onEmailRefused)',
  },
  staff_posts_sent: {
    family: 'orderbot_staff_posts_total',
    label: 'outcome="sent"',
    help: 'Staff channel posts by outcome.',
    movedBy: 'the outbox: a staff post job is done (onEvent)',
  },
  staff_posts_failed: {
    family: 'orderbot_staff_posts_total',
    label: 'outcome="failed"',
    help: 'Staff channel posts by outcome.',
    movedBy: 'the outbox: a staff post job failed or gave up (onEvent)',
  },
  notify_email_sent: {
    family: 'orderbot_notifications_total',
    label: 'kind="email",outcome="sent"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: a status email job is done (onEvent)',
  },
  notify_email_failed: {
    family: 'orderbot_notifications_total',
    label: 'kind="email",outcome="failed"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: a status email job failed or gave up (onEvent)',
  },
  notify_dm_sent: {
    family: 'orderbot_notifications_total',
    label: 'kind="dm",outcome="sent"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: a direct message job is done (onEvent)',
  },
  notify_dm_refused: {
    family: 'orderbot_notifications_total',
    label: 'kind="dm",outcome="refused"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: the customer does not accept direct messages (onEvent)',
  },
  notify_dm_failed: {
    family: 'orderbot_notifications_total',
    label: 'kind="dm",outcome="failed"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: a direct message job failed or gave up (onEvent)',
  },
  notify_webhook_sent: {
    family: 'orderbot_notifications_total',
    label: 'kind="webhook",outcome="sent"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: a webhook job is done (onEvent)',
  },
  notify_webhook_failed: {
    family: 'orderbot_notifications_total',
    label: 'kind="webhook",outcome="failed"',
    help: 'Status change notifications by kind and outcome.',
    movedBy: 'the outbox: a webhook job failed or gave up (onEvent)',
  },
  status_changes: {
    family: 'orderbot_status_changes_total',
    help: 'Order status changes committed by this process (staff buttons, /my_orders).',
    movedBy: 'the staff and /my_orders handlers: a change commits (onStatusChanged)',
  },
  interactions: {
    family: 'orderbot_interactions_total',
    help: 'Interactions handled.',
    movedBy: 'the handler context: an interaction reaches its handler',
  },
  interactions_refused: {
    family: 'orderbot_interactions_refused_total',
    help: 'Interactions answered "busy" (too many in flight).',
    movedBy: 'the dispatcher: one is refused as busy (refused)',
  },
  interactions_unverified: {
    family: 'orderbot_interactions_unverified_total',
    help: 'HTTP interaction requests refused with 401 (bad, missing or stale signature; too large).',
    movedBy: 'the interactions endpoint: a request fails verification (onRejected)',
  },
  interaction_errors: {
    family: 'orderbot_interaction_errors_total',
    help: 'Interactions whose handler failed.',
    movedBy: 'the handler context: a handler throws (onError)',
  },
  answers_expired: {
    family: 'orderbot_answers_total',
    label: 'outcome="expired"',
    help: 'Interaction answers that did not simply go out.',
    movedBy: 'the Discord transport: an answer too late to arrive is dropped (onAnswerEvent)',
  },
  answers_rate_limited: {
    family: 'orderbot_answers_total',
    label: 'outcome="rate_limited"',
    help: 'Interaction answers that did not simply go out.',
    movedBy: 'the Discord transport: an answer met a 429 (onAnswerEvent)',
  },
  answers_retried: {
    family: 'orderbot_answers_total',
    label: 'outcome="retried"',
    help: 'Interaction answers that did not simply go out.',
    movedBy: 'the Discord transport: an answer was sent again (onAnswerEvent)',
  },
} as const satisfies Record<string, CounterSpec>;

/** The name of every counter. */
export type CounterName = keyof typeof COUNTERS;

/** Every counter's name, in registry order. */
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

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

/**
 * Everything the operations views read, taken at one moment by `ops/snapshot.ts`: the same figures
 * feed `/run_diagnostics`, `/healthz` and `/metrics`.
 */
export interface OpsSnapshot {
  /** When it was taken (the bot's clock). */
  at: number;
  uptimeMs: number;
  gateway: {
    /** False on a process without a gateway connection (`DISCORD_GATEWAY=off`): the figures below are then unknown here. */
    enabled: boolean;
    shardsReady: number;
    shardsTotal: number;
    guilds: number;
    usersApproximate: number;
    /** Undefined before the first heartbeat. */
    latencyMs: number | undefined;
  };
  activeSessions: number;
  /** Undefined when the database could not be read (see `storeReadError`). */
  orders: { today: number; total: number; byStatus: Readonly<Record<string, number>> } | undefined;
  outbox: {
    pending: number;
    /** Pending jobs that failed at least once and wait for a retry. */
    retrying: number;
    failed: number;
    /** Age of the oldest pending job, ms, never negative (0 when none). */
    oldestPendingMs: number;
    /** Paused while job outcomes cannot be written. */
    paused: { since: number; error: string } | undefined;
  };
  /** Whether the database's latest write succeeded. */
  storeWrites: { ok: true } | { ok: false; since: number; error: string };
  /** Why the database could not be read for this snapshot, else undefined. */
  storeReadError: string | undefined;
  mail: { smtp: string; reason: string | undefined };
  answersQueued: number;
  memory: { residentBytes: number; heapUsedBytes: number; heapTotalBytes: number };
  counters: Readonly<Record<CounterName, number>>;
}

/** Renders the Prometheus text exposition (format 0.0.4) of a snapshot and the histogram. */
export function renderPrometheus(snapshot: OpsSnapshot, histogram: Histogram): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples)
      out.push(`${name}${labels} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  const { gateway, outbox } = snapshot;
  metric('orderbot_uptime_seconds', 'gauge', 'Seconds since the bot started.', [
    ['', snapshot.uptimeMs / 1000],
  ]);
  metric('orderbot_shards_ready', 'gauge', 'Gateway shards that are ready.', [['', gateway.shardsReady]]);
  metric('orderbot_shards_total', 'gauge', 'Gateway shards this process runs.', [['', gateway.shardsTotal]]);
  metric('orderbot_guilds', 'gauge', 'Servers the bot is in.', [['', gateway.guilds]]);
  metric('orderbot_users_approximate', 'gauge', 'Sum of member counts.', [['', gateway.usersApproximate]]);
  metric('orderbot_gateway_latency_ms', 'gauge', 'Average heartbeat round trip over shards.', [
    ['', gateway.latencyMs ?? Number.NaN],
  ]);
  metric('orderbot_active_sessions', 'gauge', 'Order forms in progress.', [['', snapshot.activeSessions]]);
  metric('orderbot_orders_stored', 'gauge', 'Orders in the database.', [
    ['', snapshot.orders?.total ?? Number.NaN],
  ]);
  metric('orderbot_orders_today', 'gauge', 'Orders since local midnight.', [
    ['', snapshot.orders?.today ?? Number.NaN],
  ]);
  metric(
    'orderbot_orders_by_status',
    'gauge',
    'Orders in the database by status (received, accepted, shipped, delivered, cancelled).',
    Object.entries(snapshot.orders?.byStatus ?? {}).map(([status, n]): [string, number] => [
      `{status="${status}"}`,
      n,
    ]),
  );
  metric('orderbot_outbox_jobs', 'gauge', 'Delivery jobs (email, staff post, customer message) by state.', [
    ['{status="pending"}', outbox.pending],
    ['{status="failed"}', outbox.failed],
  ]);
  metric('orderbot_outbox_oldest_pending_seconds', 'gauge', 'Age of the oldest pending delivery job.', [
    ['', outbox.oldestPendingMs / 1000],
  ]);
  metric('orderbot_outbox_paused', 'gauge', '1 while delivery outcomes cannot be written.', [
    ['', outbox.paused ? 1 : 0],
  ]);
  metric('orderbot_store_writes_ok', 'gauge', "1 when the database's latest write succeeded.", [
    ['', snapshot.storeWrites.ok ? 1 : 0],
  ]);
  metric('orderbot_smtp_up', 'gauge', '1 when the last SMTP contact worked.', [
    ['', snapshot.mail.smtp === 'ok' ? 1 : 0],
  ]);
  // The counters, one family at a time, in registry order.
  const families = new Map<string, { help: string; samples: [string, number][] }>();
  for (const name of COUNTER_NAMES) {
    const spec: CounterSpec = COUNTERS[name];
    const family = families.get(spec.family) ?? { help: spec.help, samples: [] };
    family.samples.push([spec.label ? `{${spec.label}}` : '', snapshot.counters[name]]);
    families.set(spec.family, family);
  }
  for (const [name, family] of families) metric(name, 'counter', family.help, family.samples);
  metric('orderbot_answers_queued', 'gauge', 'Interaction answers waiting for a free connection.', [
    ['', snapshot.answersQueued],
  ]);
  out.push(
    '# HELP orderbot_interaction_duration_ms Time from an interaction arriving to its first answer leaving.',
    '# TYPE orderbot_interaction_duration_ms histogram',
  );
  for (const [i, bound] of histogram.bounds.entries()) {
    out.push(`orderbot_interaction_duration_ms_bucket{le="${bound}"} ${histogram.counts[i]}`);
  }
  out.push(`orderbot_interaction_duration_ms_bucket{le="+Inf"} ${histogram.count}`);
  out.push(
    `orderbot_interaction_duration_ms_sum ${histogram.sum}`,
    `orderbot_interaction_duration_ms_count ${histogram.count}`,
  );
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', [['', snapshot.memory.residentBytes]]);
  metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', snapshot.memory.heapUsedBytes]]);
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
