/**
 * @module store/orders
 * Completed orders and their outbox, in SQLite. An order and the jobs that deliver it (email,
 * staff post, the customer's outcome message) are written in one transaction, so either all of
 * them exist or none does; the outbox worker then moves each job to `done` or `failed`. The
 * order's `status` follows its jobs: `pending` while one is outstanding, `failed` when one failed,
 * `sent` when all are done. It knows nothing of what the jobs do (their kind is a string).
 */
import { mailboxKey } from '../email-address.ts';
import { createCheckpoints, type Database } from './database.ts';
import {
  describe,
  eventValues,
  LIFECYCLE_STATUSES,
  type LifecycleStatus,
  num,
  type OrderEvent,
  type OrderStatus,
  type Row,
  readEventRow,
  readJobRow,
  readOrderRow,
  type StoredJob,
  type StoredOrder,
} from './rows.ts';

export type {
  JobStatus,
  LifecycleStatus,
  OrderEvent,
  OrderStatus,
  StoredJob,
  StoredOrder,
} from './rows.ts';
export { LIFECYCLE_STATUSES } from './rows.ts';

/** A change of an order's lifecycle status to commit (see {@link OrderStore.changeStatus}). */
export interface StatusChange {
  orderId: number;
  /** The status the change was decided on: it applies only while the order is still in it. */
  from: LifecycleStatus;
  to: LifecycleStatus;
  /** A Discord user ID, or `cli`. */
  actor: string;
  at: number;
  note?: string | undefined;
  trackingNumber?: string | undefined;
  trackingUrl?: string | undefined;
  reason?: string | undefined;
}

/**
 * What {@link OrderStore.changeStatus} did: committed the change with its event and jobs; found no
 * such order (or a purged one); or found it no longer in `from` (someone changed it first: `order`
 * is as it is now, `last` the change that moved it).
 */
export type ChangeResult =
  | { ok: true; order: StoredOrder; event: OrderEvent; jobs: StoredJob[] }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'stale'; order: StoredOrder; last: OrderEvent | undefined };

/** The jobs a status change commits (its notifications), decided inside its transaction. */
export type ChangeJobs = (order: StoredOrder, event: OrderEvent) => readonly NewJob[];

/** An order to commit. */
export interface NewOrder {
  /** The number the customer typed. */
  orderNumber: string;
  userId: string;
  guildId: string | undefined;
  email: string;
  /** Every field as typed, by field key. */
  fields: Readonly<Record<string, string>>;
  createdAt: number;
  /** The form the order was taken under: its ID and definition (JSON), kept once per form. */
  form?: { id: string; definition: string };
  /**
   * The form session this order completes (its nonce). Unique: committing the same session again
   * (a final submit whose process died before answering, or that reached two processes) returns
   * the first order, marked {@link Committed.existing}, and writes nothing.
   */
  sessionKey?: string;
  /** The customer's language (a Discord locale code), for everything the order tells them later. */
  language?: string;
}

/** A job to commit with its order. */
export interface NewJob {
  kind: string;
  payload?: unknown;
  /** Index (in the same commit) of a job that must settle first. */
  after?: number;
  /** Whether this job's outcome sets the order's status. @defaultValue true */
  affectsStatus?: boolean;
  /** Not due before this long after the order's creation (unless released earlier). @defaultValue 0 */
  delayMs?: number;
}

/** What to commit with an order, decided inside its transaction (see {@link OrderStore.commit}). */
export interface OrderPlan {
  jobs: readonly NewJob[];
  /** Why the confirmation email is not sent, when a cap kept it back. */
  emailRefused?: string | undefined;
}

/** Whether the store's latest write succeeded; while not, since when and why. */
export type WriteStatus = { ok: true } | { ok: false; since: number; error: string };

/** An order and its jobs as written. */
export interface Committed {
  order: StoredOrder;
  jobs: StoredJob[];
  /** True when the order's session was committed before: this is that order, and nothing was written. */
  existing?: boolean;
}

/** One job outcome for {@link OrderStore.record}; `clearPayload` forgets the payload in the same write. */
export type JobRecord = (
  | { jobId: number; status: 'done'; result: string | undefined; at: number }
  | { jobId: number; status: 'retry'; nextAt: number; reason: string; detail: string; at: number }
  | { jobId: number; status: 'failed'; reason: string; detail: string; at: number }
) & { clearPayload?: boolean };

/** Filters of {@link OrderStore.list}. */
export interface OrderFilter {
  since?: number;
  status?: OrderStatus;
  /** Only orders in this lifecycle status. */
  lifecycle?: LifecycleStatus;
  /** Only this Discord user's orders. */
  userId?: string;
  limit?: number;
}

/** Figures for diagnostics and metrics. */
export interface StoreCounts {
  ordersTotal: number;
  ordersSince: number;
  jobsPending: number;
  /** Pending jobs that have failed at least once and wait for a retry. */
  jobsRetrying: number;
  jobsFailed: number;
  /** Creation time of the oldest pending job, or undefined when none is pending. */
  oldestPendingAt: number | undefined;
  /** Orders in each lifecycle status. */
  byLifecycle: Record<LifecycleStatus, number>;
}

/** The orders and their outbox. */
export interface OrderStore {
  /** The open database (for an online backup). */
  readonly database: Database;
  /** A random ID of this database, made when it was created (stable Message-IDs use it). */
  readonly storeId: string;
  /**
   * Writes the order and its jobs in one transaction, flushed to disk; throws (and writes nothing)
   * on failure. Given a function, it runs inside the transaction after the order is written, so
   * what it reads (the caps' counts) cannot change before the order and its jobs are committed.
   */
  commit(order: NewOrder, plan: readonly NewJob[] | ((orderId: number) => OrderPlan)): Committed;
  /**
   * Moves an order from `change.from` to `change.to` in one flushed transaction with its event and
   * the jobs `jobs` gives (compare-and-set: when the order is no longer in `from`, nothing is
   * written and the result says who changed it first).
   */
  changeStatus(change: StatusChange, jobs: ChangeJobs): ChangeResult;
  /** The order's lifecycle changes, oldest first. */
  history(orderId: number): OrderEvent[];
  /** Whether writes are succeeding (health reads it). */
  writeStatus(): WriteStatus;
  /** Tries a small write when the last one failed, so a freed disk is noticed; returns {@link writeStatus}. */
  probe(now: number): WriteStatus;
  /** Checkpoints the write-ahead log when the store has been quiet (call it from a timer). */
  checkpoint(now: number): boolean;
  get(id: number): StoredOrder | undefined;
  /** The order that completed the form session `key`, if one did. */
  bySessionKey(key: string): StoredOrder | undefined;
  /** The definition (JSON) of a form orders were taken under, by its ID. */
  formDefinition(id: string): string | undefined;
  /** Every form orders were taken under, oldest first. */
  forms(): { id: string; definition: string }[];
  jobsOf(orderId: number): StoredJob[];
  job(id: number): StoredJob | undefined;
  /** Newest first. */
  list(filter?: OrderFilter): StoredOrder[];
  /** Oldest first, read a page at a time (for exports of any size; the caller may await between orders). */
  each(filter?: OrderFilter): IterableIterator<StoredOrder>;
  /**
   * How many jobs of `kind` were created since `since`, optionally only for orders to the mailbox
   * of `email` (see `mailboxKey`), else from server `guildId`, else by user `userId` (one filter at
   * a time, in that order), counting no further than `atMost` (a cap only needs to know whether it
   * was reached, so a check costs at most the cap, not the day's orders).
   */
  countJobs(
    kind: JobKinds,
    since: number,
    atMost: number,
    filter?: { email?: string; guildId?: string; userId?: string },
  ): number;
  /** Creation times of a user's orders since `since`, newest first. */
  createdSince(userId: string, since: number): number[];
  counts(since: number): StoreCounts;
  /**
   * Removes personal data of orders created before `before`, then rewrites the file (VACUUM) and
   * empties the write-ahead log, so no copy is left in free pages or the log; returns how many.
   */
  purge(before: number, now: number): number;

  /**
   * Pending jobs due at `now` whose prerequisite has settled, oldest first, skipping `busy`. A row
   * that cannot be read (a payload that is not JSON) is marked `failed` with reason `bad_row` on its
   * own, and the others are returned: one damaged job never stops the rest.
   */
  due(now: number, limit: number, busy: ReadonlySet<number>): StoredJob[];
  /** Notes that a try of a job begins (kept in `startedAt`). */
  markStarted(jobId: number, at: number): void;
  /**
   * Makes pending jobs scheduled after `latest` due at `at`; returns how many. No wait is ever that
   * long, so such a time was written by a clock that has since been set back.
   */
  pullIn(latest: number, at: number): number;
  /** The earliest `next_at` of a pending job that {@link due} could return, skipping `busy`; or undefined. */
  nextDueAt(busy?: ReadonlySet<number>): number | undefined;
  /**
   * Records job outcomes in one transaction: `done`; `retry` counts an attempt and schedules the
   * next; `failed` counts an attempt and gives up (the job stays with its reason).
   */
  record(outcomes: readonly JobRecord[]): void;
  /** Makes a pending job that waits for a later time due at `at` (no attempt is counted). */
  release(jobId: number, at: number): void;
  /** Makes the failed jobs of an order pending again; returns how many. */
  retryOrder(orderId: number, now: number): number;
  /** Makes every failed job pending again; returns how many. */
  retryAllFailed(now: number): number;
  close(): void;
}

/** One job kind, or two counted together (a cap on all mail counts confirmations and status emails). */
export type JobKinds = string | readonly [string, string];

/** The two kind parameters of a count: a single kind is given twice. */
const kindPair = (kind: JobKinds): [string, string] =>
  typeof kind === 'string' ? [kind, kind] : [kind[0], kind[1]];

/** Orders {@link OrderStore.each} reads at a time. */
const EACH_PAGE = 500;

/** Creates the store over an open database (see `store/database.ts`). */
export function createOrderStore(db: Database): OrderStore {
  const sql = (text: string) => db.prepare(text);
  const insertOrder = sql(
    `INSERT INTO orders (order_number, user_id, guild_id, email, email_key, fields, created_at, form_id, session_key, language)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const selectBySessionKey = sql('SELECT * FROM orders WHERE session_key = ?');
  const insertForm = sql('INSERT OR IGNORE INTO forms (id, definition, created_at) VALUES (?, ?, ?)');
  const selectForm = sql('SELECT definition FROM forms WHERE id = ?');
  const selectForms = sql('SELECT id, definition FROM forms ORDER BY created_at, id');
  const insertJob = sql(
    `INSERT INTO jobs (order_id, kind, after_job, affects_status, next_at, payload, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const selectOrder = sql('SELECT * FROM orders WHERE id = ?');
  const selectJobs = sql('SELECT * FROM jobs WHERE order_id = ? ORDER BY id');
  const selectJob = sql('SELECT * FROM jobs WHERE id = ?');
  const selectCreated = sql(
    'SELECT created_at FROM orders WHERE user_id = ? AND created_at >= ? ORDER BY created_at DESC',
  );
  const selectDue = sql(
    `SELECT j.* FROM jobs j LEFT JOIN jobs d ON d.id = j.after_job
     WHERE j.status = 'pending' AND j.next_at <= ? AND (d.id IS NULL OR d.status != 'pending')
     ORDER BY j.next_at, j.id LIMIT ?`,
  );
  const selectNextDue = sql(
    `SELECT j.id, j.next_at FROM jobs j LEFT JOIN jobs d ON d.id = j.after_job
     WHERE j.status = 'pending' AND (d.id IS NULL OR d.status != 'pending')
     ORDER BY j.next_at, j.id LIMIT ?`,
  );
  const updateDone = sql(
    `UPDATE jobs SET status = 'done', attempts = attempts + 1, result = ?, reason = NULL, detail = NULL,
     updated_at = ? WHERE id = ? AND status = 'pending' RETURNING order_id`,
  );
  const updateRetry = sql(
    `UPDATE jobs SET attempts = attempts + 1, next_at = ?, reason = ?, detail = ?, updated_at = ?
     WHERE id = ? AND status = 'pending'`,
  );
  const updateFailed = sql(
    `UPDATE jobs SET status = 'failed', attempts = attempts + 1, reason = ?, detail = ?, updated_at = ?
     WHERE id = ? AND status = 'pending' RETURNING order_id`,
  );
  const updateOrderStatus = sql(
    `UPDATE orders SET status = CASE
       WHEN EXISTS (SELECT 1 FROM jobs WHERE order_id = ?1 AND affects_status = 1 AND status = 'failed') THEN 'failed'
       WHEN EXISTS (SELECT 1 FROM jobs WHERE order_id = ?1 AND affects_status = 1 AND status = 'pending') THEN 'pending'
       ELSE 'sent' END
     WHERE id = ?1`,
  );
  const retryJobs = sql(
    `UPDATE jobs SET status = 'pending', attempts = 0, next_at = ?, updated_at = ?
     WHERE order_id = ? AND status = 'failed'`,
  );
  // The caps' counts. Each stops at the cap (LIMIT), and the per-address and per-server ones start
  // from that address's or server's orders (CROSS JOIN keeps SQLite from walking every email job of
  // the day instead): a check reads at most as many rows as the cap allows.
  const countJobsAll = sql(
    'SELECT count(*) AS n FROM (SELECT 1 FROM jobs WHERE kind IN (?, ?) AND created_at >= ? LIMIT ?)',
  );
  const countJobsByEmail = sql(
    `SELECT count(*) AS n FROM (SELECT 1 FROM orders o CROSS JOIN jobs j INDEXED BY jobs_by_order_kind ON j.order_id = o.id
       WHERE o.email_key = ? AND o.created_at >= ? AND j.kind IN (?, ?) AND j.created_at >= ? LIMIT ?)`,
  );
  const countJobsByUser = sql(
    `SELECT count(*) AS n FROM (SELECT 1 FROM orders o CROSS JOIN jobs j INDEXED BY jobs_by_order_kind ON j.order_id = o.id
       WHERE o.user_id = ? AND o.created_at >= ? AND j.kind IN (?, ?) AND j.created_at >= ? LIMIT ?)`,
  );
  const countJobsByGuild = sql(
    `SELECT count(*) AS n FROM (SELECT 1 FROM orders o CROSS JOIN jobs j INDEXED BY jobs_by_order_kind ON j.order_id = o.id
       WHERE o.guild_id = ? AND o.created_at >= ? AND j.kind IN (?, ?) AND j.created_at >= ? LIMIT ?)`,
  );
  const failedOrders = sql(`SELECT DISTINCT order_id FROM jobs WHERE status = 'failed'`);
  const clearPayload = sql('UPDATE jobs SET payload = NULL WHERE id = ?');
  const releaseJob = sql(`UPDATE jobs SET next_at = ? WHERE id = ? AND status = 'pending' AND next_at > ?`);
  const markStarted = sql('UPDATE jobs SET started_at = ? WHERE id = ?');
  const failRow = sql(
    `UPDATE jobs SET status = 'failed', reason = 'bad_row', detail = ?, updated_at = ?
     WHERE id = ? AND status = 'pending' RETURNING order_id`,
  );
  const pullIn = sql(`UPDATE jobs SET next_at = ? WHERE status = 'pending' AND next_at > ?`);
  const setEmailRefused = sql('UPDATE orders SET email_refused = ? WHERE id = ?');
  const casLifecycle = sql(
    `UPDATE orders SET lifecycle = ?, lifecycle_at = ?,
       tracking_number = CASE WHEN ? = 'shipped' THEN ? ELSE tracking_number END,
       tracking_url = CASE WHEN ? = 'shipped' THEN ? ELSE tracking_url END
     WHERE id = ? AND lifecycle = ? AND purged_at IS NULL RETURNING *`,
  );
  const insertEvent = sql(
    `INSERT INTO order_events (order_id, at, actor, from_status, to_status, note, tracking_number, tracking_url, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const selectEvents = sql('SELECT * FROM order_events WHERE order_id = ? ORDER BY id');
  const selectLastEvent = sql('SELECT * FROM order_events WHERE order_id = ? ORDER BY id DESC LIMIT 1');
  const insertChangeJob = sql(
    `INSERT INTO jobs (order_id, kind, affects_status, next_at, payload, created_at, updated_at)
     VALUES (?, ?, 0, ?, ?, ?, ?) RETURNING *`,
  );
  const probeWrite = sql(`INSERT OR REPLACE INTO meta (key, value) VALUES ('probed_at', ?)`);
  const storeId = String((sql(`SELECT value FROM meta WHERE key = 'store_id'`).get() as Row).value);

  const checkpoints = createCheckpoints(db);
  let status: WriteStatus = { ok: true };
  /** Runs a write, keeping {@link WriteStatus} up to date. */
  const writing = <T>(work: () => T): T => {
    try {
      const result = work();
      status = { ok: true };
      return result;
    } catch (error) {
      if (status.ok) status = { ok: false, since: Date.now(), error: describe(error) };
      else status = { ...status, error: describe(error) };
      throw error;
    }
  };
  /**
   * Runs `work` in one IMMEDIATE transaction: it commits, or rolls back and rethrows. `durable`
   * flushes the write-ahead log to disk before returning (synchronous=FULL for this commit), so the
   * data survives a power cut; otherwise it survives a crash of the process, and reaches the disk
   * with the next flush.
   */
  const transaction = <T>(work: () => T, durable = false): T =>
    writing(() => {
      if (durable) db.exec('PRAGMA synchronous = FULL');
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = work();
          db.exec('COMMIT');
          checkpoints.wrote();
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
      } finally {
        if (durable) db.exec('PRAGMA synchronous = NORMAL');
      }
    });
  const refreshOrderStatus = (row: Row | undefined) => {
    if (row) updateOrderStatus.run(num(row.order_id));
  };
  const where = (filter: OrderFilter) => {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (filter.since !== undefined) {
      clauses.push('created_at >= ?');
      params.push(filter.since);
    }
    if (filter.status !== undefined) {
      clauses.push('status = ?');
      params.push(filter.status);
    }
    if (filter.lifecycle !== undefined) {
      clauses.push('lifecycle = ?');
      params.push(filter.lifecycle);
    }
    if (filter.userId !== undefined) {
      clauses.push('user_id = ?');
      params.push(filter.userId);
    }
    return { text: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  };

  /** Inserts one order and its jobs (inside a transaction). */
  const writeOrder = (
    order: NewOrder,
    plan: readonly NewJob[] | ((orderId: number) => OrderPlan),
  ): Committed => {
    const first =
      order.sessionKey === undefined
        ? undefined
        : (selectBySessionKey.get(order.sessionKey) as Row | undefined);
    if (first) {
      const found = readOrderRow(first);
      return { order: found, jobs: store.jobsOf(found.id), existing: true };
    }
    const stored = readOrderRow(
      insertOrder.get(
        order.orderNumber,
        order.userId,
        order.guildId ?? null,
        order.email,
        mailboxKey(order.email),
        JSON.stringify(order.fields),
        order.createdAt,
        order.form?.id ?? null,
        order.sessionKey ?? null,
        order.language ?? null,
      ) as Row,
    );
    if (order.form) insertForm.run(order.form.id, order.form.definition, order.createdAt);
    const decided = typeof plan === 'function' ? plan(stored.id) : { jobs: plan };
    const { jobs } = decided;
    if (decided.emailRefused) {
      setEmailRefused.run(decided.emailRefused, stored.id);
      stored.emailRefused = decided.emailRefused;
    }
    const made: StoredJob[] = [];
    for (const job of jobs) {
      const after = job.after === undefined ? null : (made[job.after]?.id ?? null);
      made.push(
        readJobRow(
          insertJob.get(
            stored.id,
            job.kind,
            after,
            job.affectsStatus === false ? 0 : 1,
            order.createdAt + (job.delayMs ?? 0),
            job.payload === undefined ? null : JSON.stringify(job.payload),
            order.createdAt,
            order.createdAt,
          ) as Row,
        ),
      );
    }
    if (!jobs.some((job) => job.affectsStatus !== false)) {
      updateOrderStatus.run(stored.id);
      stored.status = 'sent';
    }
    return { order: stored, jobs: made };
  };

  const store: OrderStore = {
    database: db,
    storeId,
    commit(order, plan) {
      return transaction(() => writeOrder(order, plan), true);
    },
    changeStatus(change, plan) {
      return transaction((): ChangeResult => {
        const tracking = change.to === 'shipped';
        const row = casLifecycle.get(
          change.to,
          change.at,
          change.to,
          tracking ? (change.trackingNumber ?? null) : null,
          change.to,
          tracking ? (change.trackingUrl ?? null) : null,
          change.orderId,
          change.from,
        ) as Row | undefined;
        if (!row) {
          const current = selectOrder.get(change.orderId) as Row | undefined;
          if (!current || current.purged_at !== null) return { ok: false, reason: 'missing' };
          const last = selectLastEvent.get(change.orderId) as Row | undefined;
          return {
            ok: false,
            reason: 'stale',
            order: readOrderRow(current),
            last: last ? readEventRow(last) : undefined,
          };
        }
        const order = readOrderRow(row);
        const event = readEventRow(insertEvent.get(...eventValues(change)) as Row);
        const made = plan(order, event).map((job) =>
          readJobRow(
            insertChangeJob.get(
              change.orderId,
              job.kind,
              change.at + (job.delayMs ?? 0),
              job.payload === undefined ? null : JSON.stringify(job.payload),
              change.at,
              change.at,
            ) as Row,
          ),
        );
        return { ok: true, order, event, jobs: made };
      }, true);
    },
    history(orderId) {
      return (selectEvents.all(orderId) as Row[]).map(readEventRow);
    },
    writeStatus: () => status,
    probe(now) {
      if (!status.ok) {
        try {
          writing(() => probeWrite.run(String(now)));
        } catch {
          // still failing: the status says why
        }
      }
      return status;
    },
    checkpoint: (now) => checkpoints.run(now),
    get(id) {
      const row = selectOrder.get(id) as Row | undefined;
      return row ? readOrderRow(row) : undefined;
    },
    bySessionKey(key) {
      const row = selectBySessionKey.get(key) as Row | undefined;
      return row ? readOrderRow(row) : undefined;
    },
    formDefinition(id) {
      const row = selectForm.get(id) as Row | undefined;
      return row ? String(row.definition) : undefined;
    },
    forms() {
      return (selectForms.all() as Row[]).map((row) => ({
        id: String(row.id),
        definition: String(row.definition),
      }));
    },
    jobsOf(orderId) {
      return (selectJobs.all(orderId) as Row[]).map(readJobRow);
    },
    job(id) {
      const row = selectJob.get(id) as Row | undefined;
      return row ? readJobRow(row) : undefined;
    },
    list(filter = {}) {
      const { text, params } = where(filter);
      const limit = filter.limit ?? -1;
      return (
        sql(`SELECT * FROM orders ${text} ORDER BY id DESC LIMIT ?`).all(...params, limit) as Row[]
      ).map(readOrderRow);
    },
    *each(filter = {}) {
      // A page at a time by ID, each read whole (`.all()`): the caller may await between orders
      // (an export writing to a file), and an SQLite statement left iterating across an await
      // crashed the process (SIGSEGV in @photostructure/sqlite 2.6.0, 20,000 orders exported).
      const { text, params } = where(filter);
      const page = sql(
        `SELECT * FROM orders ${text ? `${text} AND` : 'WHERE'} id > ? ORDER BY id LIMIT ${EACH_PAGE}`,
      );
      let after = 0;
      for (;;) {
        const rows = page.all(...params, after) as Row[];
        for (const row of rows) yield readOrderRow(row);
        if (rows.length < EACH_PAGE) return;
        after = num(rows.at(-1)!.id);
      }
    },
    countJobs(kind, since, atMost, filter = {}) {
      const row =
        filter.email !== undefined
          ? countJobsByEmail.get(mailboxKey(filter.email), since, ...kindPair(kind), since, atMost)
          : filter.guildId !== undefined
            ? countJobsByGuild.get(filter.guildId, since, ...kindPair(kind), since, atMost)
            : filter.userId !== undefined
              ? countJobsByUser.get(filter.userId, since, ...kindPair(kind), since, atMost)
              : countJobsAll.get(...kindPair(kind), since, atMost);
      return num((row as Row).n);
    },
    createdSince(userId, since) {
      return (selectCreated.all(userId, since) as Row[]).map((row) => num(row.created_at));
    },
    counts(since) {
      const orders = sql(
        'SELECT count(*) AS total, count(CASE WHEN created_at >= ? THEN 1 END) AS recent FROM orders',
      ).get(since) as Row;
      const jobs = sql(
        `SELECT count(CASE WHEN status = 'pending' THEN 1 END) AS pending,
                count(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 END) AS retrying,
                count(CASE WHEN status = 'failed' THEN 1 END) AS failed,
                min(CASE WHEN status = 'pending' THEN created_at END) AS oldest
         FROM jobs WHERE status != 'done'`,
      ).get() as Row;
      const byLifecycle = Object.fromEntries(LIFECYCLE_STATUSES.map((name) => [name, 0])) as Record<
        LifecycleStatus,
        number
      >;
      for (const row of sql(
        'SELECT lifecycle, count(*) AS n FROM orders GROUP BY lifecycle',
      ).all() as Row[]) {
        const name = String(row.lifecycle) as LifecycleStatus;
        if (name in byLifecycle) byLifecycle[name] = num(row.n);
      }
      return {
        byLifecycle,
        ordersTotal: num(orders.total),
        ordersSince: num(orders.recent),
        jobsPending: num(jobs.pending),
        jobsRetrying: num(jobs.retrying),
        jobsFailed: num(jobs.failed),
        oldestPendingAt: jobs.oldest === null ? undefined : num(jobs.oldest),
      };
    },
    purge(before, now) {
      const purged = transaction(() => {
        sql(
          `UPDATE jobs SET payload = NULL, detail = NULL WHERE order_id IN
           (SELECT id FROM orders WHERE created_at < ? AND purged_at IS NULL)`,
        ).run(before);
        // What staff wrote (a reason, a note) may name the customer: gone with the order's data.
        sql(
          `UPDATE order_events SET note = NULL, reason = NULL, tracking_number = NULL, tracking_url = NULL,
             actor = CASE WHEN actor = (SELECT user_id FROM orders WHERE orders.id = order_events.order_id)
                          THEN 'customer' ELSE actor END
           WHERE order_id IN (SELECT id FROM orders WHERE created_at < ? AND purged_at IS NULL)`,
        ).run(before);
        // Tracking links often carry a postcode; the customer's own Discord ID (a cancel from
        // /my_orders) is in the history as its actor, kept as 'customer'.
        const changed = sql(
          `UPDATE orders SET email = '', email_key = NULL, user_id = '', fields = '{}', tracking_number = NULL,
             tracking_url = NULL, purged_at = ?
           WHERE created_at < ? AND purged_at IS NULL`,
        ).run(now, before);
        return Number(changed.changes);
      });
      if (purged > 0) {
        // secure_delete zeroes what the updates freed; VACUUM rewrites the file without the old
        // copies of the rows (index pages among them), and the TRUNCATE checkpoint empties the
        // write-ahead log, which still held the pages as they were before.
        writing(() => {
          db.exec('VACUUM');
          db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        });
      }
      return purged;
    },

    due(now, limit, busy) {
      const rows = selectDue.all(now, limit + busy.size) as Row[];
      const jobs: StoredJob[] = [];
      for (const row of rows) {
        if (busy.has(num(row.id))) continue;
        const job = readJobRow(row);
        if (job.damaged !== null) {
          // A damaged row or a hand edit: this job fails with its reason, and the others go on.
          const reason = `cannot read the job: ${job.damaged}`;
          transaction(() => refreshOrderStatus(failRow.get(reason, now, job.id) as Row | undefined));
          continue;
        }
        jobs.push(job);
        if (jobs.length >= limit) break;
      }
      return jobs;
    },
    markStarted(jobId, at) {
      writing(() => markStarted.run(at, jobId));
    },
    pullIn(latest, at) {
      return transaction(() => Number(pullIn.run(at, latest).changes));
    },
    nextDueAt(busy = new Set<number>()) {
      for (const row of selectNextDue.all(busy.size + 1) as Row[]) {
        if (!busy.has(num(row.id))) return num(row.next_at);
      }
      return undefined;
    },
    record(outcomes) {
      transaction(() => {
        for (const outcome of outcomes) {
          if (outcome.clearPayload) clearPayload.run(outcome.jobId);
          switch (outcome.status) {
            case 'done':
              refreshOrderStatus(
                updateDone.get(outcome.result ?? null, outcome.at, outcome.jobId) as Row | undefined,
              );
              break;
            case 'retry':
              updateRetry.run(outcome.nextAt, outcome.reason, outcome.detail, outcome.at, outcome.jobId);
              break;
            case 'failed':
              refreshOrderStatus(
                updateFailed.get(outcome.reason, outcome.detail, outcome.at, outcome.jobId) as
                  | Row
                  | undefined,
              );
              break;
            default: {
              const unreachable: never = outcome;
              throw new Error(`unknown job record ${JSON.stringify(unreachable)}`);
            }
          }
        }
      });
    },
    release(jobId, at) {
      writing(() => releaseJob.run(at, jobId, at));
    },
    retryOrder(orderId, now) {
      return transaction(() => {
        const changed = Number(retryJobs.run(now, now, orderId).changes);
        updateOrderStatus.run(orderId);
        return changed;
      });
    },
    retryAllFailed(now) {
      return transaction(() => {
        let changed = 0;
        for (const row of failedOrders.all() as Row[]) {
          changed += Number(retryJobs.run(now, now, num(row.order_id)).changes);
          updateOrderStatus.run(num(row.order_id));
        }
        return changed;
      });
    },
    close() {
      db.close();
    },
  };
  return store;
}
