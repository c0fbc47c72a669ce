/**
 * @module store/postgres
 * The orders and the job queue on PostgreSQL, for several bot processes sharing one database. It
 * behaves as the SQLite engine does (`store/orders.ts`: the same rows, order status, caps and
 * purge), with what several processes need on top:
 *
 * - Start-up migrations run in one transaction holding an advisory lock, so processes starting
 *   together migrate once; the version is kept in `schema_version`.
 * - An order's commit takes a transaction-level advisory lock before anything else, so the caps
 *   counted inside it cannot change before it commits, whichever process commits next.
 * - Jobs are claimed with `FOR UPDATE SKIP LOCKED` under a lease (`locked_by`, `locked_until`),
 *   so each due job goes to one worker, and a dead worker's jobs return when its lease runs out.
 * - Writes that change an order's status lock the order's row first (in ID order), so two jobs of
 *   one order settled by two workers at once still leave the order `sent`, not `pending`.
 *
 * Times are BIGINT milliseconds, as in SQLite; payloads and fields stay JSON text (a JSON column
 * would reorder an order's fields and could not hold the damaged row that `bad_row` is for).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mailboxKey } from '../email-address.ts';
import { type Logger, silentLogger } from '../log.ts';
import type {
  CapReader,
  CapRule,
  ChangeResult,
  Committed,
  JobKinds,
  JobQueue,
  NewOrder,
  OrderEngine,
  OrderFilter,
  OrderRepository,
  StoredJob,
  WriteStatus,
} from './engine.ts';
import {
  describe,
  eventValues,
  LIFECYCLE_STATUSES,
  type LifecycleStatus,
  num,
  type Row,
  readEventRow,
  readJobRow,
  readOrderRow,
} from './rows.ts';

/** Options for {@link createPostgresEngine}. */
export interface PostgresOptions {
  /** A connection URL, `postgres://user:password@host:port/database`. */
  url: string;
  /** Where the pool's connection errors are logged. @defaultValue `silentLogger` */
  log?: Logger;
  /**
   * Connections for what customers wait for (limits, commits, reads); the outbox has a pool of its
   * own, half as large and at most 4. @defaultValue 10
   */
  poolSize?: number;
}

/** The PostgreSQL engine. */
export interface PostgresEngine extends OrderEngine {
  readonly name: 'postgres';
  /**
   * Copies another store's orders, jobs and forms in (`npm run orders -- migrate --from-sqlite`),
   * in one transaction that commits only when the rows found in the target afterwards match the
   * source's counts. Each store is copied once: a second call for the same store ID copies nothing
   * and reports the first copy. Into a database without orders the IDs are kept (and the store ID
   * taken over, so email Message-IDs stay the same); otherwise they follow the target's own.
   */
  importStore(source: StoreImport): Promise<ImportReport>;
}

/** A row of the source as its engine holds it, by column name (SQLite's `SELECT *`). */
export type ImportRow = Readonly<Record<string, unknown>>;

/** How many rows of each kind. */
export interface ImportCounts {
  orders: number;
  jobs: number;
  forms: number;
  /** Status changes (the orders' history). */
  events: number;
}

/** A store to copy in with {@link PostgresEngine.importStore}. */
export interface StoreImport {
  /** The source's store ID (the copy is recorded under it). */
  storeId: string;
  /** What the source holds, counted by the caller; the copy commits only when the target then holds as many. */
  counts: ImportCounts;
  forms: Iterable<ImportRow> | AsyncIterable<ImportRow>;
  /** Oldest first (by ID). */
  orders: Iterable<ImportRow> | AsyncIterable<ImportRow>;
  /** Oldest first (by ID): a job's prerequisite comes before it. */
  jobs: Iterable<ImportRow> | AsyncIterable<ImportRow>;
  /** The orders' status changes, oldest first (by ID). */
  events: Iterable<ImportRow> | AsyncIterable<ImportRow>;
}

/**
 * What {@link PostgresEngine.importStore} did: `copied` (committed), `mismatch` (rolled back:
 * `copied` is what the target would have held), or `already` (copied before, at `at`; `copied` is
 * what that copy counted).
 */
export type ImportReport =
  | { outcome: 'copied' | 'mismatch'; copied: ImportCounts; keptIds: boolean; keptStoreId: boolean }
  | { outcome: 'already'; copied: ImportCounts; at: number };

const DEFAULTS = { log: silentLogger, poolSize: 10 } as const satisfies Omit<
  Required<PostgresOptions>,
  'url'
>;

/**
 * Keys of the transaction-level advisory locks (arbitrary constants; nothing else in the database
 * may use them): one for migrations, one that order commits hold while they count the caps.
 */
const LOCK = { migrate: 7_104_259_001, commit: 7_104_259_002 } as const;

/** Rows an `each` page reads. */
const PAGE = 500;

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Each step brings the schema from version `index` to `index + 1`; never edit a shipped step. The
 * first is SQLite's schema 5 (the same tables, columns and indexes) plus the claims' lease.
 */
const MIGRATIONS: readonly ((client: pg.PoolClient) => Promise<void>)[] = [
  async (client) => {
    await client.query(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE forms (
        id TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE orders (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        order_number TEXT NOT NULL,
        user_id TEXT NOT NULL,
        guild_id TEXT,
        email TEXT NOT NULL,
        email_key TEXT,
        email_refused TEXT,
        fields TEXT NOT NULL,
        form_id TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        created_at BIGINT NOT NULL,
        purged_at BIGINT
      );
      CREATE INDEX orders_by_user ON orders (user_id, created_at);
      CREATE INDEX orders_by_time ON orders (created_at);
      CREATE INDEX orders_by_guild ON orders (guild_id, created_at);
      CREATE INDEX orders_by_email_key ON orders (email_key, created_at);
      CREATE TABLE jobs (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        order_id BIGINT NOT NULL REFERENCES orders (id),
        kind TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        after_job BIGINT REFERENCES jobs (id),
        affects_status BOOLEAN NOT NULL DEFAULT TRUE,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at BIGINT NOT NULL,
        reason TEXT,
        detail TEXT,
        payload TEXT,
        result TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        started_at BIGINT,
        locked_by TEXT,
        locked_until BIGINT
      );
      CREATE INDEX jobs_due ON jobs (status, next_at);
      CREATE INDEX jobs_by_kind ON jobs (kind, created_at);
      CREATE INDEX jobs_by_order_kind ON jobs (order_id, kind, created_at);
    `);
    await client.query(`INSERT INTO meta (key, value) VALUES ('store_id', $1)`, [
      randomBytes(8).toString('hex'),
    ]);
  },
  // 2 (SQLite's 6): an order's life, separate from its delivery, and its history of changes.
  async (client) => {
    await client.query(`
      ALTER TABLE orders ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'received'
        CHECK (lifecycle IN ('received', 'accepted', 'shipped', 'delivered', 'cancelled'));
      ALTER TABLE orders ADD COLUMN lifecycle_at BIGINT;
      ALTER TABLE orders ADD COLUMN tracking_number TEXT;
      ALTER TABLE orders ADD COLUMN tracking_url TEXT;
      CREATE INDEX orders_by_lifecycle ON orders (lifecycle, id);
      CREATE TABLE order_events (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        order_id BIGINT NOT NULL REFERENCES orders (id),
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        note TEXT,
        tracking_number TEXT,
        tracking_url TEXT,
        reason TEXT
      );
      CREATE INDEX order_events_by_order ON order_events (order_id, id);
    `);
  },
  // 3 (SQLite's 7): the form session an order completed, unique (see OrderRepository.commit).
  async (client) => {
    await client.query(`
      ALTER TABLE orders ADD COLUMN session_key TEXT;
      CREATE UNIQUE INDEX orders_by_session_key ON orders (session_key) WHERE session_key IS NOT NULL;
    `);
  },
  // 4 (SQLite's 8): the customer's language.
  async (client) => {
    await client.query('ALTER TABLE orders ADD COLUMN language TEXT');
  },
];

/** The schema version this build writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

const SQL = {
  // An order's commit, after `BEGIN` and the lock (see `commit` below): the order and its form in
  // one statement, which also counts the caps (`capsReached`); its snapshot is taken after the lock,
  // so the counts see every order committed before. $8 is the form's ID (NULL: no form).
  insertOrder: (caps: string) => `WITH form AS (
      INSERT INTO forms (id, definition, created_at) SELECT $8::text, $9::text, $7::bigint WHERE $8::text IS NOT NULL
      ON CONFLICT (id) DO NOTHING
    ), inserted AS (
      INSERT INTO orders (order_number, user_id, guild_id, email, email_key, fields, created_at, form_id, session_key, language)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $11)
      ON CONFLICT (session_key) WHERE session_key IS NOT NULL DO NOTHING RETURNING *
    )
    SELECT inserted.*, ${caps} AS refused FROM inserted`,
  // An order's jobs in one statement: their IDs are drawn first, in order, so that `after` (the
  // index of an earlier job of the same commit) can name one. $1 is the order's ID, $2 its time.
  insertJobs: `WITH planned AS (
      SELECT * FROM unnest($3::text[], $4::int[], $5::boolean[], $6::bigint[], $7::text[])
        WITH ORDINALITY AS p(kind, after_index, affects_status, next_at, payload, n)
    ), ids AS MATERIALIZED (
      SELECT n, nextval(pg_get_serial_sequence('jobs', 'id')) AS id FROM planned ORDER BY n
    ), inserted AS (
      INSERT INTO jobs (id, order_id, kind, after_job, affects_status, next_at, payload, created_at, updated_at)
      SELECT ids.id, $1, p.kind, earlier.id, p.affects_status, p.next_at, p.payload, $2, $2
      FROM planned p JOIN ids USING (n) LEFT JOIN ids earlier ON earlier.n = p.after_index + 1 AND earlier.n < p.n
      RETURNING *
    )`,
  /** Ends `insertJobs`: the jobs as written, oldest first; `settle` also sets the order's status ($8) and refusal ($9). */
  insertedJobs: (settle: boolean) =>
    `${settle ? ', settled AS (UPDATE orders SET status = $8, email_refused = $9 WHERE id = $1)' : ''}
    SELECT * FROM inserted ORDER BY id`,
  // What commit writes on the order after deciding, when it is not the default ('pending', not refused).
  settleOrder: 'UPDATE orders SET status = $1, email_refused = $2 WHERE id = $3',
  // Status from the jobs, as in SQLite. Run it after the order's row is locked (lockOrders): in
  // READ COMMITTED each statement reads what had committed when it began, so it then sees the
  // jobs another worker settled just before.
  refreshStatus: `UPDATE orders SET status = CASE
      WHEN EXISTS (SELECT 1 FROM jobs WHERE order_id = $1 AND affects_status AND status = 'failed') THEN 'failed'
      WHEN EXISTS (SELECT 1 FROM jobs WHERE order_id = $1 AND affects_status AND status = 'pending') THEN 'pending'
      ELSE 'sent' END
    WHERE id = $1`,
  // The orders of some jobs, locked in ID order (the same order in every transaction: no deadlock).
  lockOrdersOfJobs: `SELECT id FROM orders WHERE id IN (SELECT order_id FROM jobs WHERE id = ANY($1::bigint[]))
    ORDER BY id FOR UPDATE`,
  // Due, unclaimed (or whose lease ran out) and whose prerequisite has settled; rows another
  // worker is claiming this instant are skipped, not waited for.
  claim: `UPDATE jobs SET locked_by = $3, locked_until = $4 WHERE id IN (
      SELECT j.id FROM jobs j
      WHERE j.status = 'pending' AND j.next_at <= $1 AND (j.locked_until IS NULL OR j.locked_until < $1)
        AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.id = j.after_job AND d.status = 'pending')
      ORDER BY j.next_at, j.id LIMIT $2
      FOR UPDATE SKIP LOCKED)
    RETURNING *`,
  nextDue: `SELECT j.next_at FROM jobs j
    WHERE j.status = 'pending' AND (j.locked_until IS NULL OR j.locked_until < $1)
      AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.id = j.after_job AND d.status = 'pending')
    ORDER BY j.next_at, j.id LIMIT 1`,
  renew: `UPDATE jobs SET locked_until = $3 WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND status = 'pending'`,
  failRow: `UPDATE jobs SET status = 'failed', reason = 'bad_row', detail = $1, updated_at = $2,
      locked_by = NULL, locked_until = NULL
    WHERE id = $3 AND status = 'pending' RETURNING order_id`,
  clearPayload: 'UPDATE jobs SET payload = NULL WHERE id = $1',
  done: `UPDATE jobs SET status = 'done', attempts = attempts + 1, result = $1, reason = NULL, detail = NULL,
      updated_at = $2, locked_by = NULL, locked_until = NULL
    WHERE id = $3 AND status = 'pending' RETURNING order_id`,
  retry: `UPDATE jobs SET attempts = attempts + 1, next_at = $1, reason = $2, detail = $3, updated_at = $4,
      locked_by = NULL, locked_until = NULL
    WHERE id = $5 AND status = 'pending'`,
  failed: `UPDATE jobs SET status = 'failed', attempts = attempts + 1, reason = $1, detail = $2, updated_at = $3,
      locked_by = NULL, locked_until = NULL
    WHERE id = $4 AND status = 'pending' RETURNING order_id`,
  // A lifecycle change as a compare-and-set: the row is updated only while it is still in the
  // status the change was decided on ($8). The row lock it takes makes a second change of the same
  // order wait for this one's transaction, then find the status changed and update nothing.
  changeLifecycle: `UPDATE orders SET lifecycle = $1, lifecycle_at = $2,
      tracking_number = CASE WHEN $1 = 'shipped' THEN $3 ELSE tracking_number END,
      tracking_url = CASE WHEN $1 = 'shipped' THEN $4 ELSE tracking_url END
    WHERE id = $5 AND lifecycle = $6 AND purged_at IS NULL RETURNING *`,
  insertEvent: `INSERT INTO order_events (order_id, at, actor, from_status, to_status, note, tracking_number, tracking_url, reason)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
  insertChangeJobs: `INSERT INTO jobs (order_id, kind, affects_status, next_at, payload, created_at, updated_at)
    SELECT $1, kind, FALSE, next_at, payload, $2, $2
    FROM unnest($3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY AS p(kind, next_at, payload, n)
    ORDER BY n RETURNING *`,
  retryJobs: `UPDATE jobs SET status = 'pending', attempts = 0, next_at = $1, updated_at = $1,
      locked_by = NULL, locked_until = NULL
    WHERE order_id = $2 AND status = 'failed'`,
} as const;

/** What a cap counts: jobs of `kind` since `since`, for one mailbox, server or user (see {@link CapReader.countJobs}). */
type CapCount = Pick<CapRule, 'kind' | 'since' | 'limit' | 'filter'>;

/**
 * A scalar subquery counting the jobs of `cap`, no further than its limit (LIMIT: a check reads
 * at most as many rows as the cap allows); its values are pushed on `params`. With a filter, each
 * order found reads its own jobs by `order_id` (`jobs_by_order_kind`), and kind and time are
 * checked on those: the OFFSET 0 keeps the planner from pushing them into the subquery. Without
 * it, on tables not yet analysed and orders created the same millisecond (a burst of submits), it
 * read every job of the kind once per order: 400 orders of one server took 24 ms to count (160,000
 * rows), 1.6 ms with the fence, inside the commit's lock. Once analysed it may hash-join instead
 * (1,000 orders: 1.0 ms; the fence 2.2 ms), but the fence stays linear.
 */
function capCount(cap: CapCount, params: unknown[]): string {
  const $ = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const { email, guildId, userId } = cap.filter ?? {};
  const [column, key] =
    email !== undefined
      ? (['email_key', mailboxKey(email)] as const)
      : guildId !== undefined
        ? (['guild_id', guildId] as const)
        : userId !== undefined
          ? (['user_id', userId] as const)
          : [undefined, undefined];
  const kind = `ANY(${$(typeof cap.kind === 'string' ? [cap.kind] : [...cap.kind], 'text[]')})`;
  const since = $(cap.since, 'bigint');
  const rows =
    column === undefined
      ? `SELECT 1 FROM jobs WHERE kind = ${kind} AND created_at >= ${since}`
      : `SELECT 1 FROM orders o
         CROSS JOIN LATERAL (SELECT kind, created_at FROM jobs WHERE order_id = o.id OFFSET 0) j
         WHERE o.${column} = ${$(key, 'text')} AND o.created_at >= ${since}
           AND j.kind = ${kind} AND j.created_at >= ${since}`;
  return `(SELECT count(*) FROM (${rows} LIMIT ${$(cap.limit, 'bigint')}) c)`;
}

/**
 * The SQL expression for the first of `caps` reached (its index, or NULL), with its values pushed
 * on `params`. CASE counts them in order and stops at the first reached, as checking them one
 * query at a time did.
 */
function capsReached(caps: readonly CapRule[], params: unknown[]): string {
  if (caps.length === 0) return 'NULL::int';
  const arms = caps.map((rule, index) => {
    const count = capCount(rule, params);
    params.push(rule.limit);
    return `WHEN ${count} >= $${params.length}::bigint THEN ${index}`;
  });
  return `CASE ${arms.join(' ')} END`;
}

/** Counts jobs for a cap on `db` (the pool, or the client of a commit). */
async function countJobs(
  db: Queryable,
  kind: JobKinds,
  since: number,
  atMost: number,
  filter: { email?: string; guildId?: string; userId?: string } = {},
): Promise<number> {
  const params: unknown[] = [];
  const { rows } = await db.query(
    `SELECT ${capCount({ kind, since, limit: atMost, filter }, params)} AS n`,
    params,
  );
  return num((rows[0] as Row).n);
}

/** The cap readers on `db`. */
const capReader = (db: Queryable): CapReader => ({
  countJobs: (kind, since, atMost, filter) => countJobs(db, kind, since, atMost, filter),
  async createdSince(userId, since) {
    const { rows } = await db.query(
      'SELECT created_at FROM orders WHERE user_id = $1 AND created_at >= $2 ORDER BY created_at DESC',
      [userId, since],
    );
    return rows.map((row: Row) => num(row.created_at));
  },
});

/**
 * `createdSince` for the customers of one busy moment in one query. Each `/order_form` reads its
 * user's recent orders (the cooldown and the daily cap); 1,000 customers starting at once put
 * 1,000 single-row queries in the pool's queue, behind each other and the commits, and the last
 * waited past Discord's answer window (p50 2.5 s in `npm run bench -- --engines-only`). Here at
 * most two such reads are in flight; whatever arrives meanwhile waits for one of them to finish and
 * then goes as one query for all its users (up to 500).
 */
function coalescedCreatedSince(db: Queryable): CapReader['createdSince'] {
  type Waiting = {
    userId: string;
    since: number;
    resolve: (at: number[]) => void;
    reject: (e: unknown) => void;
  };
  const MAX_IN_FLIGHT = 2;
  const MAX_USERS = 500;
  let waiting: Waiting[] = [];
  let inFlight = 0;
  const send = async (batch: Waiting[]) => {
    inFlight++;
    try {
      const users = [...new Set(batch.map((w) => w.userId))];
      const since = Math.min(...batch.map((w) => w.since));
      const { rows } = await db.query(
        'SELECT user_id, created_at FROM orders WHERE user_id = ANY($1::text[]) AND created_at >= $2 ORDER BY created_at DESC',
        [users, since],
      );
      const byUser = new Map<string, number[]>();
      for (const row of rows as Row[]) {
        const user = String(row.user_id);
        byUser.set(user, [...(byUser.get(user) ?? []), num(row.created_at)]);
      }
      for (const w of batch) w.resolve((byUser.get(w.userId) ?? []).filter((at) => at >= w.since));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      inFlight--;
      next();
    }
  };
  const next = () => {
    while (inFlight < MAX_IN_FLIGHT && waiting.length > 0) {
      void send(waiting.slice(0, MAX_USERS));
      waiting = waiting.slice(MAX_USERS);
    }
  };
  return (userId, since) =>
    new Promise<number[]>((resolve, reject) => {
      waiting.push({ userId, since, resolve, reject });
      next();
    });
}

/** Columns copied by `importStore`, with their PostgreSQL types; `shift` names the ID each is offset by. */
const IMPORTED: Readonly<
  Record<
    'orders' | 'jobs' | 'forms' | 'order_events',
    readonly [column: string, type: string, shift?: 'order' | 'job' | 'event'][]
  >
> = {
  forms: [
    ['id', 'text'],
    ['definition', 'text'],
    ['created_at', 'bigint'],
  ],
  orders: [
    ['id', 'bigint', 'order'],
    ['order_number', 'text'],
    ['user_id', 'text'],
    ['guild_id', 'text'],
    ['email', 'text'],
    ['email_key', 'text'],
    ['email_refused', 'text'],
    ['fields', 'text'],
    ['form_id', 'text'],
    ['language', 'text'],
    ['status', 'text'],
    ['lifecycle', 'text'],
    ['lifecycle_at', 'bigint'],
    ['tracking_number', 'text'],
    ['tracking_url', 'text'],
    ['created_at', 'bigint'],
    ['purged_at', 'bigint'],
    ['session_key', 'text'],
  ],
  jobs: [
    ['id', 'bigint', 'job'],
    ['order_id', 'bigint', 'order'],
    ['kind', 'text'],
    ['status', 'text'],
    ['after_job', 'bigint', 'job'],
    ['affects_status', 'boolean'],
    ['attempts', 'integer'],
    ['next_at', 'bigint'],
    ['reason', 'text'],
    ['detail', 'text'],
    ['payload', 'text'],
    ['result', 'text'],
    ['created_at', 'bigint'],
    ['updated_at', 'bigint'],
    ['started_at', 'bigint'],
  ],
  order_events: [
    ['id', 'bigint', 'event'],
    ['order_id', 'bigint', 'order'],
    ['at', 'bigint'],
    ['actor', 'text'],
    ['from_status', 'text'],
    ['to_status', 'text'],
    ['note', 'text'],
    ['tracking_number', 'text'],
    ['tracking_url', 'text'],
    ['reason', 'text'],
  ],
};

/** Rows `importStore` sends in one INSERT. */
const IMPORT_BATCH = 500;

/** The meta key recording that the store `storeId` was copied in. */
const importedKey = (storeId: string) => `imported:${storeId}`;

/** Rolls back an import whose counts do not match (carrying what they were). */
class ImportMismatch extends Error {
  constructor(readonly copied: ImportCounts) {
    super('the copied rows do not match the source');
  }
}

/** Inserts `rows` into `table` in batches (one `unnest` INSERT each); returns how many were sent. */
async function insertRows(
  client: pg.PoolClient,
  table: keyof typeof IMPORTED,
  rows: Iterable<ImportRow> | AsyncIterable<ImportRow>,
  offsets: { order: number; job: number; event: number },
  conflict = '',
): Promise<number> {
  const columns = IMPORTED[table];
  const names = columns.map(([column]) => column).join(', ');
  const selected = columns
    .map(([column, , shift]) => (shift ? `${column} + ${offsets[shift]}` : column))
    .join(', ');
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const text = `INSERT INTO ${table} (${names}) SELECT ${selected} FROM unnest(${arrays}) AS t(${names}) ${conflict}`;
  // Text for every type but SQLite's 0/1 booleans: numbers reach bigint columns as their digits.
  const cell = (type: string, value: unknown) =>
    value === null || value === undefined ? null : type === 'boolean' ? Number(value) !== 0 : String(value);
  let batch: ImportRow[] = [];
  let sent = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await client.query(
      text,
      columns.map(([column, type]) => batch.map((row) => cell(type, row[column]))),
    );
    sent += batch.length;
    batch = [];
  };
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  await flush();
  return sent;
}

/** Brings the schema up to date, once however many processes start together. */
/** How long the server may run one statement before it cancels it (`statement_timeout`). */
const STATEMENT_TIMEOUT_MS = 5_000;
/** How long the client waits for any answer to a query before it gives the connection up. */
const QUERY_TIMEOUT_MS = 10_000;

/** Whether `error` is pg's own "the server did not answer in time" (`query_timeout`). */
function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      // Another process may be migrating: wait for it as long as it takes (the client-side timeout
      // still ends a wait on a server that does not answer).
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK.migrate]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await client.query('SELECT coalesce(max(version), 0) AS version FROM schema_version');
      const version = num((rows[0] as Row).version);
      if (version > MIGRATIONS.length) {
        throw new Error(
          `the PostgreSQL database was written by a newer version of the bot (schema ${version}; this version knows up to ${MIGRATIONS.length}): upgrade the bot`,
        );
      }
      for (let step = version; step < MIGRATIONS.length; step++) {
        await MIGRATIONS[step]!(client);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
          step + 1,
          Date.now(),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

/**
 * Connects to PostgreSQL, brings the schema up to date and returns the engine; rejects (and closes
 * the pool) when the database cannot be reached or migrated.
 */
export async function createPostgresEngine(options: PostgresOptions): Promise<PostgresEngine> {
  const { url, log, poolSize } = { ...DEFAULTS, ...options };
  const openPool = (max: number, name: string) => {
    const opened = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: 10_000,
      application_name: name,
      // A database that is slow (a lock held elsewhere) cancels the statement itself after 5 s, and
      // the connection stays usable; one that does not answer at all (a frozen host, a dropped
      // network) is given up on after 10 s and its connection dropped. Either way the caller gets
      // an error it can tell the customer about, instead of an interaction that waits forever.
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // A connection that breaks while idle (a restarted server) emits 'error' on the pool, and one
    // that breaks while checked out emits it on its client: unhandled, either would end the
    // process. The pool drops the broken connection; the next query opens another.
    opened.on('error', (error) => log.warn('store.postgres_connection_lost', { idle: true, error }));
    opened.on('connect', (client) => {
      client.on('error', (error) => log.warn('store.postgres_connection_lost', { idle: false, error }));
    });
    return opened;
  };
  // Two pools: what customers wait for (their limits, commits, reads) and the outbox's background
  // work (claims, renewals, outcomes). In one FIFO pool, 1,000 customers completing at once queued
  // their /order_form behind thousands of outcome writes: p50 1.2 s of Discord's 3 (npm run bench
  // -- --engines-only); the outbox now waits for its own connections instead.
  const pool = openPool(poolSize, 'order-bot');
  const queue = openPool(Math.max(1, Math.min(4, Math.floor(poolSize / 2))), 'order-bot-outbox');
  const closePools = () => Promise.all([pool.end(), queue.end()]).then(() => undefined);

  let storeId: string;
  try {
    await migrate(pool);
    const { rows } = await pool.query(`SELECT value FROM meta WHERE key = 'store_id'`);
    storeId = String((rows[0] as Row).value);
  } catch (error) {
    await closePools().catch(() => undefined);
    throw error;
  }

  let status: WriteStatus = { ok: true };
  /** Runs a write, keeping {@link WriteStatus} up to date. */
  const writing = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      status = { ok: true };
      return result;
    } catch (error) {
      status = status.ok
        ? { ok: false, since: Date.now(), error: describe(error) }
        : { ...status, error: describe(error) };
      throw error;
    }
  };
  /**
   * Runs `work` in one transaction on one connection: it commits, or rolls back and rejects.
   * `begin` is sent as one round trip; it may run fixed statements after `BEGIN` (no parameters).
   */
  const transaction = <T>(
    work: (client: pg.PoolClient) => Promise<T>,
    begin = 'BEGIN',
    via: pg.Pool = pool,
  ): Promise<T> =>
    writing(async () => {
      const client = await via.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // Whatever failed, BEGIN included (a lock wait cancelled by the statement timeout leaves
        // the transaction open and aborted), the connection goes back clean or not at all: a
        // connection whose server stopped answering is dropped at once (its BEGIN may still run
        // when the server wakes, and a ROLLBACK would only wait behind it), and one that cannot
        // roll back is dropped too. Found by freezing PostgreSQL under a running bot: a timed-out
        // BEGIN went back to the pool, ran on the thawed server, and held the commit lock for good.
        if (isReadTimeout(error)) broken = error as Error;
        else
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        throw error;
      } finally {
        client.release(broken);
      }
    });
  /** Locks the orders of `jobIds` (see {@link SQL.lockOrdersOfJobs}). */
  const lockOrdersOfJobs = (client: pg.PoolClient, jobIds: readonly number[]) =>
    client.query(SQL.lockOrdersOfJobs, [jobIds]);
  const refreshStatus = async (client: pg.PoolClient, result: pg.QueryResult) => {
    const row = result.rows[0] as Row | undefined;
    if (row) await client.query(SQL.refreshStatus, [num(row.order_id)]);
  };
  const where = (filter: OrderFilter, params: unknown[]) => {
    const clauses: string[] = [];
    if (filter.since !== undefined) {
      params.push(filter.since);
      clauses.push(`created_at >= $${params.length}`);
    }
    if (filter.status !== undefined) {
      params.push(filter.status);
      clauses.push(`status = $${params.length}`);
    }
    if (filter.lifecycle !== undefined) {
      params.push(filter.lifecycle);
      clauses.push(`lifecycle = $${params.length}`);
    }
    if (filter.userId !== undefined) {
      params.push(filter.userId);
      clauses.push(`user_id = $${params.length}`);
    }
    return clauses;
  };

  /**
   * Commits take turns in this process before they take a connection: they would queue on the
   * advisory lock anyway, and each one waiting there holds a pooled connection that the reads of
   * every other interaction (the limits, the outbox's claims) then wait for. With 200 customers
   * submitting at once, that starved the pool.
   */
  let commitTurn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    const result = commitTurn.then(run, run);
    commitTurn = result.catch(() => undefined);
    return result;
  };

  const orders: OrderRepository = {
    storeId,
    ...capReader(pool),
    createdSince: coalescedCreatedSince(pool),
    // Commits take turns from the lock to COMMIT: the caps counted cannot change meanwhile, and
    // order IDs follow commit order (which `each` relies on to page through). Four round trips:
    // BEGIN with the lock, the order (its form, the caps), its jobs (and its status when not
    // 'pending'), COMMIT. The caps cannot share the lock's statement: a statement reads what had
    // committed when it began, so orders committed while it waited for the lock would go uncounted.
    commit: (order: NewOrder, plan) =>
      inTurn(() =>
        transaction(async (client): Promise<Committed> => {
          const params: unknown[] = [
            order.orderNumber,
            order.userId,
            order.guildId ?? null,
            order.email,
            mailboxKey(order.email),
            JSON.stringify(order.fields),
            order.createdAt,
            order.form?.id ?? null,
            order.form?.definition ?? null,
            order.sessionKey ?? null,
            order.language ?? null,
          ];
          const inserted = await client.query(SQL.insertOrder(capsReached(plan.caps, params)), params);
          const row = inserted.rows[0] as Row | undefined;
          if (!row) {
            // This session's order was committed before (the commits take turns under the lock,
            // so it has committed): that order, not a second one.
            const first = await client.query('SELECT * FROM orders WHERE session_key = $1', [
              order.sessionKey,
            ]);
            const found = readOrderRow(first.rows[0] as Row);
            const jobs = await client.query('SELECT * FROM jobs WHERE order_id = $1 ORDER BY id', [found.id]);
            return { order: found, jobs: jobs.rows.map(readJobRow), existing: true };
          }
          const stored = readOrderRow(row);
          const refused = row.refused === null ? undefined : plan.caps[num(row.refused)];
          const decided = plan.decide(refused, stored.id);
          // No job that affects the status: nothing is outstanding (what refreshStatus would find).
          if (!decided.jobs.some((job) => job.affectsStatus !== false)) stored.status = 'sent';
          if (decided.emailRefused) stored.emailRefused = decided.emailRefused;
          const settle = stored.status !== 'pending' || stored.emailRefused !== null;
          if (decided.jobs.length === 0) {
            if (settle) await client.query(SQL.settleOrder, [stored.status, stored.emailRefused, stored.id]);
            return { order: stored, jobs: [] };
          }
          const { jobs } = decided;
          const made = await client.query(SQL.insertJobs + SQL.insertedJobs(settle), [
            stored.id,
            order.createdAt,
            jobs.map((job) => job.kind),
            jobs.map((job) => (job.after !== undefined && Number.isInteger(job.after) ? job.after : null)),
            jobs.map((job) => job.affectsStatus !== false),
            jobs.map((job) => order.createdAt + (job.delayMs ?? 0)),
            jobs.map((job) => (job.payload === undefined ? null : JSON.stringify(job.payload))),
            ...(settle ? [stored.status, stored.emailRefused] : []),
          ]);
          return { order: stored, jobs: made.rows.map(readJobRow) };
        }, `BEGIN; SELECT pg_advisory_xact_lock(${LOCK.commit})`),
      ),
    changeStatus: (change, plan) =>
      transaction(async (client): Promise<ChangeResult> => {
        const tracking = change.to === 'shipped';
        const updated = await client.query(SQL.changeLifecycle, [
          change.to,
          change.at,
          tracking ? (change.trackingNumber ?? null) : null,
          tracking ? (change.trackingUrl ?? null) : null,
          change.orderId,
          change.from,
        ]);
        const row = updated.rows[0] as Row | undefined;
        if (!row) {
          const current = await client.query('SELECT * FROM orders WHERE id = $1', [change.orderId]);
          const found = current.rows[0] as Row | undefined;
          if (!found || found.purged_at !== null) return { ok: false, reason: 'missing' };
          const last = await client.query(
            'SELECT * FROM order_events WHERE order_id = $1 ORDER BY id DESC LIMIT 1',
            [change.orderId],
          );
          const lastRow = last.rows[0] as Row | undefined;
          return {
            ok: false,
            reason: 'stale',
            order: readOrderRow(found),
            last: lastRow ? readEventRow(lastRow) : undefined,
          };
        }
        const order = readOrderRow(row);
        const inserted = await client.query(SQL.insertEvent, eventValues(change));
        const event = readEventRow(inserted.rows[0] as Row);
        const planned = plan(order, event);
        if (planned.length === 0) return { ok: true, order, event, jobs: [] };
        const made = await client.query(SQL.insertChangeJobs, [
          change.orderId,
          change.at,
          planned.map((job) => job.kind),
          planned.map((job) => change.at + (job.delayMs ?? 0)),
          planned.map((job) => (job.payload === undefined ? null : JSON.stringify(job.payload))),
        ]);
        const jobs = made.rows.map(readJobRow).sort((a, b) => a.id - b.id);
        return { ok: true, order, event, jobs };
      }),
    async history(orderId) {
      const { rows } = await pool.query('SELECT * FROM order_events WHERE order_id = $1 ORDER BY id', [
        orderId,
      ]);
      return rows.map(readEventRow);
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM orders WHERE id = $1', [id]);
      return rows[0] ? readOrderRow(rows[0] as Row) : undefined;
    },
    async bySessionKey(key) {
      const { rows } = await pool.query('SELECT * FROM orders WHERE session_key = $1', [key]);
      return rows[0] ? readOrderRow(rows[0] as Row) : undefined;
    },
    async jobsOf(orderId) {
      const { rows } = await pool.query('SELECT * FROM jobs WHERE order_id = $1 ORDER BY id', [orderId]);
      return rows.map(readJobRow);
    },
    async list(filter = {}) {
      const params: unknown[] = [];
      const clauses = where(filter, params);
      params.push(filter.limit ?? null);
      const { rows } = await pool.query(
        `SELECT * FROM orders ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(readOrderRow);
    },
    async *each(filter = {}) {
      // Keyset pages: each page starts after the last ID read, whatever is written meanwhile. Like
      // SQLite's, it reads every matching order (`limit` is for `list`).
      let after = 0;
      for (;;) {
        const params: unknown[] = [after];
        const clauses = ['id > $1', ...where(filter, params)];
        params.push(PAGE);
        const { rows } = await pool.query(
          `SELECT * FROM orders WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
          params,
        );
        for (const row of rows) yield readOrderRow(row as Row);
        if (rows.length < PAGE) return;
        after = num((rows.at(-1) as Row).id);
      }
    },
    async formDefinition(id) {
      const { rows } = await pool.query('SELECT definition FROM forms WHERE id = $1', [id]);
      return rows[0] ? String((rows[0] as Row).definition) : undefined;
    },
    async forms() {
      const { rows } = await pool.query('SELECT id, definition FROM forms ORDER BY created_at, id');
      return rows.map((row: Row) => ({ id: String(row.id), definition: String(row.definition) }));
    },
    async counts(since) {
      const [ordersResult, jobsResult, lifecycleResult] = await Promise.all([
        pool.query(
          'SELECT count(*) AS total, count(CASE WHEN created_at >= $1 THEN 1 END) AS recent FROM orders',
          [since],
        ),
        pool.query(
          `SELECT count(CASE WHEN status = 'pending' THEN 1 END) AS pending,
                  count(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 END) AS retrying,
                  count(CASE WHEN status = 'failed' THEN 1 END) AS failed,
                  min(CASE WHEN status = 'pending' THEN created_at END) AS oldest
           FROM jobs WHERE status != 'done'`,
        ),
        pool.query('SELECT lifecycle, count(*) AS n FROM orders GROUP BY lifecycle'),
      ]);
      const counted = ordersResult.rows[0] as Row;
      const jobs = jobsResult.rows[0] as Row;
      const byLifecycle = Object.fromEntries(LIFECYCLE_STATUSES.map((name) => [name, 0])) as Record<
        LifecycleStatus,
        number
      >;
      for (const row of lifecycleResult.rows as Row[]) {
        const name = String(row.lifecycle) as LifecycleStatus;
        if (name in byLifecycle) byLifecycle[name] = num(row.n);
      }
      return {
        byLifecycle,
        ordersTotal: num(counted.total),
        ordersSince: num(counted.recent),
        jobsPending: num(jobs.pending),
        jobsRetrying: num(jobs.retrying),
        jobsFailed: num(jobs.failed),
        oldestPendingAt: jobs.oldest === null ? undefined : num(jobs.oldest),
      };
    },
    purge: (before, now) =>
      // The old row versions are left to autovacuum, PostgreSQL's own clean-up (see the report on
      // this engine: no VACUUM here, and the WAL and any backups keep their copies meanwhile).
      transaction(async (client) => {
        const { rows } = await client.query(
          'SELECT id FROM orders WHERE created_at < $1 AND purged_at IS NULL ORDER BY id FOR UPDATE',
          [before],
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((row: Row) => num(row.id));
        await client.query(
          'UPDATE jobs SET payload = NULL, detail = NULL WHERE order_id = ANY($1::bigint[])',
          [ids],
        );
        // As on SQLite: staff notes and reasons, tracking (a link may carry a postcode), and the
        // customer's own Discord ID as the actor of a cancel from /my_orders (kept as 'customer').
        await client.query(
          `UPDATE order_events e SET note = NULL, reason = NULL, tracking_number = NULL, tracking_url = NULL,
             actor = CASE WHEN e.actor = o.user_id THEN 'customer' ELSE e.actor END
           FROM orders o WHERE o.id = e.order_id AND e.order_id = ANY($1::bigint[])`,
          [ids],
        );
        const changed = await client.query(
          `UPDATE orders SET email = '', email_key = NULL, user_id = '', fields = '{}', tracking_number = NULL,
             tracking_url = NULL, purged_at = $1
           WHERE id = ANY($2::bigint[])`,
          [now, ids],
        );
        return changed.rowCount ?? 0;
      }),
    writeStatus: () => status,
    async probe(now) {
      if (!status.ok) {
        try {
          await writing(() =>
            pool.query(
              `INSERT INTO meta (key, value) VALUES ('probed_at', $1)
               ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
              [String(now)],
            ),
          );
        } catch {
          // still failing: the status says why
        }
      }
      return status;
    },
  };

  /** A transaction on the outbox's own pool. */
  const transactionOnQueue = <T>(work: (client: pg.PoolClient) => Promise<T>) =>
    transaction(work, 'BEGIN', queue);

  const jobs: JobQueue = {
    async claim(now, limit, worker, leaseUntil) {
      const claimed = await writing(() => queue.query(SQL.claim, [now, limit, worker, leaseUntil]));
      const rows = (claimed.rows as Row[]).sort(
        (a, b) => num(a.next_at) - num(b.next_at) || num(a.id) - num(b.id),
      );
      const ready: StoredJob[] = [];
      for (const row of rows) {
        const job = readJobRow(row);
        if (job.damaged === null) {
          ready.push(job);
          continue;
        }
        // A damaged row or a hand edit: this job fails with its reason, and the others go on.
        const reason = `cannot read the job: ${job.damaged}`;
        await transactionOnQueue(async (client) => {
          await lockOrdersOfJobs(client, [job.id]);
          await refreshStatus(client, await client.query(SQL.failRow, [reason, now, job.id]));
        });
      }
      return ready;
    },
    async renew(jobIds, worker, leaseUntil) {
      if (jobIds.length === 0) return;
      await writing(() => queue.query(SQL.renew, [jobIds, worker, leaseUntil]));
    },
    async markStarted(jobId, at) {
      await writing(() => queue.query('UPDATE jobs SET started_at = $1 WHERE id = $2', [at, jobId]));
    },
    async record(outcomes) {
      if (outcomes.length === 0) return;
      await transactionOnQueue(async (client) => {
        await lockOrdersOfJobs(
          client,
          outcomes.map((outcome) => outcome.jobId),
        );
        for (const outcome of outcomes) {
          if (outcome.clearPayload) await client.query(SQL.clearPayload, [outcome.jobId]);
          switch (outcome.status) {
            case 'done':
              await refreshStatus(
                client,
                await client.query(SQL.done, [outcome.result ?? null, outcome.at, outcome.jobId]),
              );
              break;
            case 'retry':
              await client.query(SQL.retry, [
                outcome.nextAt,
                outcome.reason,
                outcome.detail,
                outcome.at,
                outcome.jobId,
              ]);
              break;
            case 'failed':
              await refreshStatus(
                client,
                await client.query(SQL.failed, [outcome.reason, outcome.detail, outcome.at, outcome.jobId]),
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
    async release(jobId, at) {
      await writing(() =>
        queue.query(`UPDATE jobs SET next_at = $1 WHERE id = $2 AND status = 'pending' AND next_at > $1`, [
          at,
          jobId,
        ]),
      );
    },
    async nextDueAt(now) {
      const { rows } = await queue.query(SQL.nextDue, [now]);
      return rows[0] ? num((rows[0] as Row).next_at) : undefined;
    },
    pullIn: (latest, at) =>
      writing(async () => {
        const result = await queue.query(
          `UPDATE jobs SET next_at = $1 WHERE status = 'pending' AND next_at > $2`,
          [at, latest],
        );
        return result.rowCount ?? 0;
      }),
    async job(id) {
      const { rows } = await queue.query('SELECT * FROM jobs WHERE id = $1', [id]);
      return rows[0] ? readJobRow(rows[0] as Row) : undefined;
    },
    retryOrder: (orderId, now) =>
      transactionOnQueue(async (client) => {
        await client.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
        const changed = await client.query(SQL.retryJobs, [now, orderId]);
        await client.query(SQL.refreshStatus, [orderId]);
        return changed.rowCount ?? 0;
      }),
    retryAllFailed: (now) =>
      transactionOnQueue(async (client) => {
        const { rows } = await client.query(
          `SELECT id FROM orders WHERE id IN (SELECT order_id FROM jobs WHERE status = 'failed') ORDER BY id FOR UPDATE`,
        );
        let changed = 0;
        for (const row of rows as Row[]) {
          const orderId = num(row.id);
          changed += (await client.query(SQL.retryJobs, [now, orderId])).rowCount ?? 0;
          await client.query(SQL.refreshStatus, [orderId]);
        }
        return changed;
      }),
  };

  const importStore = async (source: StoreImport): Promise<ImportReport> => {
    try {
      return await transaction(async (client): Promise<ImportReport> => {
        // No order commits meanwhile (they take this lock first): the IDs above the offsets are
        // this copy's alone, and a second copy of the same store waits here and then finds the first.
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK.commit]);
        const done = await client.query('SELECT value FROM meta WHERE key = $1', [
          importedKey(source.storeId),
        ]);
        if (done.rows[0]) {
          // A copy recorded before the history existed copied no events.
          const first = { events: 0, ...JSON.parse(String((done.rows[0] as Row).value)) } as ImportCounts & {
            at: number;
          };
          const { at, ...copied } = first;
          return { outcome: 'already', copied, at };
        }
        const max = async (table: 'orders' | 'jobs' | 'order_events') =>
          num((await client.query(`SELECT coalesce(max(id), 0) AS id FROM ${table}`)).rows[0].id);
        const offsets = {
          order: await max('orders'),
          job: await max('jobs'),
          event: await max('order_events'),
        };
        const fresh = offsets.order === 0;
        const formIds: string[] = [];
        await insertRows(
          client,
          'forms',
          (async function* () {
            for await (const form of source.forms) {
              formIds.push(String(form.id));
              yield form;
            }
          })(),
          offsets,
          'ON CONFLICT (id) DO NOTHING',
        );
        await insertRows(client, 'orders', source.orders, offsets);
        await insertRows(client, 'jobs', source.jobs, offsets);
        await insertRows(client, 'order_events', source.events, offsets);
        // Counted in the target, not from what was sent: the rows above the offsets, the forms by ID.
        const count = async (text: string, params: unknown[]) =>
          num((await client.query(`SELECT count(*) AS n FROM ${text}`, params)).rows[0].n);
        const copied: ImportCounts = {
          orders: await count('orders WHERE id > $1', [offsets.order]),
          jobs: await count('jobs WHERE id > $1', [offsets.job]),
          forms: await count('forms WHERE id = ANY($1::text[])', [formIds]),
          events: await count('order_events WHERE id > $1', [offsets.event]),
        };
        const { counts } = source;
        if (
          copied.orders !== counts.orders ||
          copied.jobs !== counts.jobs ||
          copied.forms !== counts.forms ||
          copied.events !== counts.events
        )
          throw new ImportMismatch(copied);
        // New IDs continue after the highest one copied.
        for (const table of ['orders', 'jobs', 'order_events'])
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${table}', 'id'), max(id)) FROM ${table} HAVING count(*) > 0`,
          );
        if (fresh) await client.query(`UPDATE meta SET value = $1 WHERE key = 'store_id'`, [source.storeId]);
        await client.query('INSERT INTO meta (key, value) VALUES ($1, $2)', [
          importedKey(source.storeId),
          JSON.stringify({ ...copied, at: Date.now() }),
        ]);
        return { outcome: 'copied', copied, keptIds: fresh, keptStoreId: fresh };
      });
    } catch (error) {
      if (error instanceof ImportMismatch)
        return { outcome: 'mismatch', copied: error.copied, keptIds: false, keptStoreId: false };
      throw error;
    }
  };

  return {
    name: 'postgres',
    orders,
    jobs,
    importStore,
    close: closePools,
  };
}
