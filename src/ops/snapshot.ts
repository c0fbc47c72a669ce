/**
 * @module ops/snapshot
 * The one place the bot's operating figures are read: gateway, sessions, orders, outbox, mail,
 * memory and counters, at one moment. `/run_diagnostics`, `/healthz` and `/metrics` are views of
 * it, so they never disagree. Reading never throws: a database that cannot be read (a damaged
 * page) is itself a figure (`storeReadError`).
 */
import type { Clock } from '../clock.ts';
import type { GatewayStatus } from '../gateway/status.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Metrics, OpsSnapshot } from '../metrics.ts';
import type { OrderRepository, StoreCounts } from '../store/engine.ts';
import type { OutboxWorker } from '../store/outbox.ts';

/** Where the figures come from. */
export interface SnapshotSources {
  /** The bot's clock (ages and uptime are measured on it). */
  clock: Clock;
  /** When the process started, on the same clock. */
  startedAt: number;
  gateway: GatewayStatus;
  sessions: { readonly size: number };
  orders: Pick<OrderRepository, 'counts' | 'writeStatus'>;
  outbox: Pick<OutboxWorker, 'status'>;
  mailer: Pick<Mailer, 'status'>;
  metrics: Metrics;
  /** Interaction answers waiting for a connection. */
  answersQueued: () => number;
}

/** How long the snapshot waits for the store's counts. */
const COUNTS_DEADLINE_MS = 1_500;

/** Local midnight of the day `now` falls on (the machine's time zone). */
export function startOfDay(now: number): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** Creates the snapshot function over its sources. */
export function createSnapshot(sources: SnapshotSources): () => Promise<OpsSnapshot> {
  const { clock, gateway, orders, outbox } = sources;
  return async () => {
    let counts: StoreCounts | undefined;
    let storeReadError: string | undefined;
    // A database that does not answer (a frozen host) must not hold /healthz or /run_diagnostics
    // past Discord's answer window: after COUNTS_DEADLINE_MS the counts are reported unreadable.
    let timer: NodeJS.Timeout | undefined;
    try {
      counts = await Promise.race([
        orders.counts(startOfDay(Date.now())),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${COUNTS_DEADLINE_MS / 1000} s`)),
            COUNTS_DEADLINE_MS,
          );
        }),
      ]);
    } catch (error) {
      storeReadError = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
    }
    const at = clock();
    const paused = outbox.status();
    const memory = process.memoryUsage();
    const mail = sources.mailer.status();
    return {
      at,
      uptimeMs: Math.max(0, at - sources.startedAt),
      gateway: {
        enabled: gateway.enabled,
        shardsReady: gateway.shardsReady(),
        shardsTotal: gateway.shardTotal(),
        guilds: gateway.guilds(),
        usersApproximate: gateway.users(),
        latencyMs: gateway.latencyMs(),
      },
      activeSessions: sources.sessions.size,
      orders: counts && {
        today: counts.ordersSince,
        total: counts.ordersTotal,
        byStatus: counts.byLifecycle,
      },
      outbox: {
        pending: counts?.jobsPending ?? 0,
        retrying: counts?.jobsRetrying ?? 0,
        failed: counts?.jobsFailed ?? 0,
        // Never negative: a job written before the clock was set back looks younger than zero.
        oldestPendingMs: counts?.oldestPendingAt === undefined ? 0 : Math.max(0, at - counts.oldestPendingAt),
        paused: paused.paused ? { since: paused.since, error: paused.error } : undefined,
      },
      storeWrites: orders.writeStatus(),
      storeReadError,
      mail: { smtp: mail.smtp, reason: mail.reason },
      answersQueued: sources.answersQueued(),
      memory: {
        residentBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
      },
      counters: { ...sources.metrics.counters },
    };
  };
}
