/**
 * @module store/maintenance
 * The store's upkeep, on timers it owns: personal data of orders older than the retention period
 * is purged once a day (and at start), while writes fail a small test write notices when they work
 * again (so health recovers without waiting for the next order), and, for the embedded engine, the
 * write-ahead log is checkpointed when the store is quiet.
 */
import type { Logger } from '../log.ts';
import type { OrderRepository } from './engine.ts';

const DAY_MS = 86_400_000;

/** Options for {@link startMaintenance}. */
export interface MaintenanceOptions {
  orders: Pick<OrderRepository, 'purge' | 'writeStatus' | 'probe'>;
  /** The embedded engine's checkpoint when the store has been quiet (see `createCheckpoints`). */
  checkpoint?: ((now: number) => boolean) | undefined;
  /** Days an order keeps its personal data (read at each purge, so a reload applies). */
  retentionDays: () => number;
  log: Logger;
  /** Wall time: retention is about dates people read. @defaultValue `Date.now` */
  now?: () => number;
}

/** Starts the timers (unref'd: they never keep the process alive); returns a stop function. */
export function startMaintenance(options: MaintenanceOptions): () => void {
  const { orders, log } = options;
  const now = options.now ?? Date.now;
  const purgeOld = async () => {
    try {
      const days = options.retentionDays();
      const purged = await orders.purge(now() - days * DAY_MS, now());
      if (purged > 0) log.info('orders.purged', { orders: purged, retention_days: days });
    } catch (error) {
      log.error('orders.purge_failed', { error });
    }
  };
  void purgeOld();
  const daily = setInterval(() => void purgeOld(), DAY_MS);
  daily.unref();
  let probedAt = 0;
  const everySecond = setInterval(() => {
    const at = performance.now();
    if (!orders.writeStatus().ok && at - probedAt >= 5000) {
      probedAt = at;
      orders.probe(now()).catch((error: unknown) => log.warn('orders.probe_failed', { error }));
    }
    try {
      options.checkpoint?.(at);
    } catch (error) {
      log.warn('orders.checkpoint_failed', { error });
    }
  }, 1000);
  everySecond.unref();
  return () => {
    clearInterval(daily);
    clearInterval(everySecond);
  };
}
