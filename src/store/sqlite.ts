/**
 * @module store/sqlite
 * The embedded engine: the orders and the job queue on the SQLite database in `DATA_DIR` (the
 * default; no service to install). One process owns the folder (`lockDataDir`), so a claim is a
 * lease kept in this process's memory; an order and its jobs commit in one synchronous, flushed
 * transaction, the caps counted inside it. Backups, checkpoints and the file's maintenance stay
 * with this engine (`store/maintenance.ts`, `npm run orders -- backup`).
 */
import type { Database } from './database.ts';
import type { CapRule, JobQueue, OrderEngine } from './engine.ts';
import { createOrderStore, type OrderStore, type StoredOrder } from './orders.ts';

/** The embedded engine over an open database; `store` is the synchronous store it wraps. */
export interface SqliteEngine extends OrderEngine {
  readonly name: 'sqlite';
  /** The synchronous store, for what only this engine has (backup, checkpoints). */
  readonly store: OrderStore;
  readonly database: Database;
}

const settle = async <T>(run: () => T): Promise<T> => run();

/**
 * The job queue over the synchronous store. The only process on the database keeps its claims in
 * memory (claimed job → lease end).
 */
export function jobQueueOver(store: OrderStore): JobQueue {
  const leases = new Map<number, { worker: string; until: number }>();
  const leased = (now: number) => {
    for (const [id, lease] of leases) if (lease.until < now) leases.delete(id);
    return new Set(leases.keys());
  };
  return {
    claim: (now, limit, worker, leaseUntil) =>
      settle(() => {
        const jobs = store.due(now, limit, leased(now));
        for (const job of jobs) leases.set(job.id, { worker, until: leaseUntil });
        return jobs;
      }),
    renew: (jobIds, worker, leaseUntil) =>
      settle(() => {
        // Only the worker holding a claim extends (or gives back) its lease.
        for (const id of jobIds)
          if (leases.get(id)?.worker === worker) leases.set(id, { worker, until: leaseUntil });
      }),
    markStarted: (jobId, at) => settle(() => store.markStarted(jobId, at)),
    record: (outcomes) =>
      settle(() => {
        store.record(outcomes);
        for (const outcome of outcomes) leases.delete(outcome.jobId);
      }),
    release: (jobId, at) => settle(() => store.release(jobId, at)),
    nextDueAt: (now) => settle(() => store.nextDueAt(leased(now))),
    pullIn: (latest, at) => settle(() => store.pullIn(latest, at)),
    job: (id) => settle(() => store.job(id)),
    retryOrder: (orderId, now) => settle(() => store.retryOrder(orderId, now)),
    retryAllFailed: (now) => settle(() => store.retryAllFailed(now)),
  };
}

/** Wraps the synchronous SQLite store in the engine-neutral interfaces. */
export function createSqliteEngine(db: Database): SqliteEngine {
  const store = createOrderStore(db);
  const reached = (rule: CapRule) =>
    store.countJobs(rule.kind, rule.since, rule.limit, rule.filter) >= rule.limit;

  return {
    name: 'sqlite',
    store,
    database: store.database,
    orders: {
      storeId: store.storeId,
      commit: (order, plan) =>
        // Synchronous from BEGIN to COMMIT: nothing else can touch the database in between.
        settle(() => store.commit(order, (orderId) => plan.decide(plan.caps.find(reached), orderId))),
      changeStatus: (change, jobs) => settle(() => store.changeStatus(change, jobs)),
      history: (orderId) => settle(() => store.history(orderId)),
      get: (id) => settle(() => store.get(id)),
      bySessionKey: (key) => settle(() => store.bySessionKey(key)),
      jobsOf: (orderId) => settle(() => store.jobsOf(orderId)),
      list: (filter) => settle(() => store.list(filter)),
      async *each(filter): AsyncGenerator<StoredOrder> {
        yield* store.each(filter);
      },
      formDefinition: (id) => settle(() => store.formDefinition(id)),
      forms: () => settle(() => store.forms()),
      counts: (since) => settle(() => store.counts(since)),
      purge: (before, now) => settle(() => store.purge(before, now)),
      writeStatus: () => store.writeStatus(),
      probe: (now) => settle(() => store.probe(now)),
      countJobs: (kind, since, atMost, filter) => settle(() => store.countJobs(kind, since, atMost, filter)),
      createdSince: (userId, since) => settle(() => store.createdSince(userId, since)),
    },
    jobs: jobQueueOver(store),
    close: () => settle(() => store.close()),
  };
}
