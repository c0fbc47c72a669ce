/**
 * @module store/maintenance
 * The embedded store's own upkeep, on timers it owns: personal data of orders older than the
 * retention period is purged once a day (and at start), the write-ahead log is checkpointed when
 * the store is quiet, and while writes fail a small test write notices when they work again (so
 * health recovers without waiting for the next order).
 */
import type { Logger } from '../log.ts';
import type { OrderStore } from './orders.ts';

const DAY_MS = 86_400_000;

/** Options for {@link startMaintenance}. */
export interface MaintenanceOptions {
  store: Pick<OrderStore, 'purge' | 'checkpoint' | 'writeStatus' | 'probe'>;
  /** Days an order keeps its personal data (read at each purge, so a reload applies). */
  retentionDays: () => number;
  log: Logger;
  /** Wall time: retention is about dates people read. @defaultValue `Date.now` */
  now?: () => number;
}

/** Starts the timers (unref'd: they never keep the process alive); returns a stop function. */
export function startMaintenance(options: MaintenanceOptions): () => void {
  const { store, log } = options;
  const now = options.now ?? Date.now;
  const purgeOld = () => {
    try {
      const days = options.retentionDays();
      const purged = store.purge(now() - days * DAY_MS, now());
      if (purged > 0) log.info('orders.purged', { orders: purged, retention_days: days });
    } catch (error) {
      log.error('orders.purge_failed', { error });
    }
  };
  purgeOld();
  const daily = setInterval(purgeOld, DAY_MS);
  daily.unref();
  let probedAt = 0;
  const everySecond = setInterval(() => {
    try {
      const at = performance.now();
      if (!store.writeStatus().ok && at - probedAt >= 5000) {
        probedAt = at;
        store.probe(now());
      }
      store.checkpoint(at);
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
