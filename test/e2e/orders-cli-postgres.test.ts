/**
 * End to end: `npm run orders` (the built CLI) with DATABASE_URL set, against a real PostgreSQL
 * (`test/support/postgres.ts`, a new database per test): list, show, export, retry and purge as on
 * SQLite, backup refused in favour of pg_dump, and `migrate --from-sqlite` copying a shop's SQLite
 * orders, jobs and forms once, under the same IDs, so the CLI then prints the same orders.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadForm } from '../../src/order/form.ts';
import { lockDataDir, openDatabase } from '../../src/store/database.ts';
import type { NewJob, OrderEngine } from '../../src/store/engine.ts';
import { createPostgresEngine } from '../../src/store/postgres.ts';
import { createSqliteEngine } from '../../src/store/sqlite.ts';
import { ROOT } from '../support/bot-process.ts';
import { query, type RunningPostgres, startPostgres } from '../support/postgres.ts';

/** A fixed time the orders were taken (the tests pass every time explicitly). */
const T = new Date(2026, 10, 20, 12, 0).getTime();
const BAKERY = loadForm(join(ROOT, 'config/examples/bakery'));

let server: RunningPostgres;

before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

/** Runs the built CLI with only `env` (no .env: the working folder is new). */
function orders(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: mkdtempSync(join(tmpdir(), 'order-bot-cli-cwd-')),
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/**
 * Three orders through the engine-neutral interfaces: #1 on the shipped form (email, then the staff
 * post), #2 on the bakery's form whose email failed, #3 on the bakery's form delivered, with a
 * customer message that does not set the status. `offset` moves the numbers the customers typed.
 */
async function seed(engine: OrderEngine, offset = 0): Promise<void> {
  const take = (n: number, email: string, fields: Record<string, string>, jobs: NewJob[], bakery = false) =>
    engine.orders.commit(
      {
        orderNumber: `ORD-${n + offset}`,
        userId: `61000000000000000${n}`,
        guildId: '620000000000000001',
        email,
        fields,
        createdAt: T + n * 60_000,
        ...(bakery ? { form: { id: BAKERY.id, definition: BAKERY.definition } } : {}),
      },
      { caps: [], decide: () => ({ jobs }) },
    );
  const mailThenPost: NewJob[] = [
    { kind: 'email', payload: { to: 'x' } },
    { kind: 'staff_post', payload: { channel: 'c' }, after: 0 },
  ];
  const first = await take(
    1,
    'eve@example.com',
    { order_number: 'ORD-1', product_name: 'Runner 1' },
    mailThenPost,
  );
  await take(
    2,
    'bob@example.com',
    { product: 'sourdough', quantity: '2', name: 'Bob', notes: 'ring twice\n"back door"' },
    mailThenPost,
    true,
  );
  await take(
    3,
    'ann@example.com',
    { product: 'sourdough', quantity: '1', name: 'Ann' },
    [{ kind: 'email' }, { kind: 'customer_message', affectsStatus: false, delayMs: 1_000 }],
    true,
  );
  const now = T + 3_600_000;
  const claimed = await engine.jobs.claim(now, 20, 'seed', now + 60_000);
  await engine.jobs.record(
    claimed
      .filter((job) => job.kind === 'email')
      .map((job) =>
        job.orderId === 2
          ? {
              jobId: job.id,
              status: 'failed',
              reason: 'recipient_rejected',
              detail: 'recipient rejected',
              at: now,
            }
          : { jobId: job.id, status: 'done', result: '<m@x>', at: now },
      ),
  );
  // #1 was accepted and shipped: a history to copy (no notification jobs, so the counts above hold).
  await engine.orders.changeStatus(
    { orderId: first.order.id, from: 'received', to: 'accepted', actor: '630000000000000001', at: now + 1 },
    () => [],
  );
  await engine.orders.changeStatus(
    {
      orderId: first.order.id,
      from: 'accepted',
      to: 'shipped',
      actor: 'cli',
      at: now + 2,
      trackingNumber: 'TRK-1',
      trackingUrl: 'https://track.example/TRK-1',
    },
    () => [],
  );
}

/** A SQLite data folder holding {@link seed}'s orders. */
async function sqliteShop(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-cli-sqlite-'));
  const engine = createSqliteEngine(openDatabase(dir));
  await seed(engine);
  await engine.close();
  return dir;
}

/** Everything an engine holds of the orders `ids`: each order with its jobs. */
async function snapshot(engine: OrderEngine, ids: readonly number[]) {
  return Promise.all(
    ids.map(async (id) => ({ order: await engine.orders.get(id), jobs: await engine.orders.jobsOf(id) })),
  );
}

describe('the orders CLI on PostgreSQL', () => {
  /** A DATA_DIR that does not exist: the commands must not need (or create) it. */
  const unusedDataDir = join(tmpdir(), `order-bot-cli-unused-${process.pid}`);

  test('list, show, export, retry and purge work against DATABASE_URL', async () => {
    const url = await server.freshDatabase();
    const engine = await createPostgresEngine({ url, poolSize: 2 });
    try {
      await seed(engine);
      const env = { DATABASE_URL: url, DATA_DIR: unusedDataDir };

      const listed = orders(env, 'list');
      assert.equal(listed.code, 0, listed.err);
      const lines = listed.out.trim().split('\n');
      assert.match(lines[0]!, /^id\s+created\s+status/);
      assert.match(
        lines[1]!,
        /^#3\s+2026-11-20 12:03\s+received\s+sent\s+ORD-3\s+ann@example\.com\s+sourdough/,
      );
      assert.match(lines[2]!, /^#2 .* received\s+failed\s+ORD-2\s+bob@example\.com/);
      assert.match(lines[3]!, /^#1 .* pending\s+ORD-1\s+eve@example\.com\s+Runner 1/);
      assert.equal(orders(env, 'list', '--status', 'failed').out.trim().split('\n').length, 2);
      assert.match(orders(env, 'list', '--since', '2999-01-01').out, /No orders match/);

      const shown = orders(env, 'show', '2');
      assert.equal(shown.code, 0, shown.err);
      assert.match(shown.out, /^Order #2: received, created 2026-11-20 12:02; delivery failed$/m);
      assert.match(shown.out, /Email: bob@example\.com/);
      assert.match(shown.out, /Name for the order: +Bob/, "the stored bakery form's labels");
      assert.match(
        shown.out,
        /email +failed +after 1 attempt\(s\) \(recipient_rejected: recipient rejected\)/,
      );
      assert.deepEqual(
        [orders(env, 'show', '99').code, orders(env, 'show', '99').err.trim()],
        [1, 'No order #99.'],
      );

      const file = join(mkdtempSync(join(tmpdir(), 'order-bot-csv-')), 'orders.csv');
      const exported = orders(env, 'export', '--csv', '--out', file);
      assert.equal(exported.code, 0, exported.err);
      assert.equal(exported.out.trim(), `Wrote 3 order(s) to ${file}.`);
      const csv = readFileSync(file, 'utf8');
      assert.ok(csv.startsWith('\uFEFF"order_id"'), 'BOM and header');
      assert.match(csv, /"product_name".*"product"/, "the shipped form's columns, then the bakery's");
      assert.match(csv, /"ring twice\n""back door"""/, 'quotes doubled, newline kept in the cell');
      assert.equal(orders(env, 'export', '--csv').out, csv, 'standard output holds the same');

      const retried = orders(env, 'retry', '2');
      assert.equal(retried.code, 0, retried.err);
      assert.match(retried.out, /^Order #2: 1 failed delivery job\(s\) will be tried again/);
      assert.equal((await engine.orders.get(2))?.status, 'pending');
      assert.match(orders(env, 'retry', '2').out, /Order #2 has no failed delivery to retry\./);
      assert.match(orders(env, 'retry', '--failed').out, /^0 failed delivery job\(s\)/);
      assert.deepEqual(
        [orders(env, 'retry', '7').code, orders(env, 'retry', '7').err.trim()],
        [1, 'No order #7.'],
      );

      const purged = orders(env, 'purge', '--before', '2999-01-01');
      assert.equal(purged.code, 0, purged.err);
      assert.equal(purged.out.trim(), 'Removed the personal data of 3 order(s) created before 2999-01-01.');
      const after = orders(env, 'show', '2').out;
      assert.match(after, /Personal data removed/);
      assert.doesNotMatch(after, /bob@example\.com|ring twice/);
      assert.equal(existsSync(unusedDataDir), false, 'nothing created in DATA_DIR');
    } finally {
      await engine.close();
    }
  });

  test('backup is refused in one line naming pg_dump; nothing is written', async () => {
    const url = await server.freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'order-bot-pg-backup-'));
    const result = orders({ DATABASE_URL: url }, 'backup', join(dir, 'orders.db'));
    assert.deepEqual(
      [result.code, result.out, result.err.trim()],
      [
        1,
        '',
        'backup: the orders are in PostgreSQL (DATABASE_URL); back them up with pg_dump, e.g. pg_dump --format=custom --file=orders.dump "$DATABASE_URL"',
      ],
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  test('an unreachable DATABASE_URL: one line naming the host, never the password', () => {
    const url = server.url.replace('postgres@', 'postgres:s3cret@').replace(/:\d+\//, ':1/');
    const result = orders({ DATABASE_URL: url }, 'list');
    assert.equal(result.code, 1);
    assert.match(
      result.err.trim(),
      /^DATABASE_URL: cannot use PostgreSQL at 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)$/,
    );
    assert.doesNotMatch(result.err, /s3cret/);
  });

  test('migrate --from-sqlite copies orders, jobs and forms under the same IDs, once', async () => {
    const dataDir = await sqliteShop();
    const url = await server.freshDatabase();
    const onSqlite = (...args: string[]) => orders({ DATA_DIR: dataDir }, ...args);
    const onPostgres = (...args: string[]) => orders({ DATABASE_URL: url, DATA_DIR: unusedDataDir }, ...args);
    const before = {
      list: onSqlite('list').out,
      shows: [1, 2, 3].map((id) => onSqlite('show', String(id)).out),
      csv: onSqlite('export', '--csv').out,
    };

    const migrated = onPostgres('migrate', '--from-sqlite', dataDir);
    assert.equal(migrated.code, 0, migrated.err + migrated.out);
    const lines = migrated.out.trim().split('\n');
    assert.match(
      lines[0]!,
      /^Copying .*orders\.db \(store [0-9a-f]{16}\) into PostgreSQL at 127\.0\.0\.1:\d+\.$/,
    );
    assert.deepEqual(lines.slice(1, 5), [
      'orders: 3 in SQLite, 3 in PostgreSQL',
      'jobs:   6 in SQLite, 6 in PostgreSQL',
      'forms:  1 in SQLite, 1 in PostgreSQL',
      'events: 2 in SQLite, 2 in PostgreSQL',
    ]);
    assert.match(
      lines[5]!,
      /^Copied: the counts match, under the same order IDs, and the store ID \(email Message-IDs stay the same\)\./,
    );
    assert.equal(lines.length, 6);

    // Row for row the same, the store ID too; the CLI prints the same orders from either.
    const sqlite = createSqliteEngine(openDatabase(dataDir));
    const postgres = await createPostgresEngine({ url, poolSize: 2 });
    try {
      assert.equal(postgres.orders.storeId, sqlite.orders.storeId);
      assert.deepEqual(await snapshot(postgres, [1, 2, 3]), await snapshot(sqlite, [1, 2, 3]));
      assert.deepEqual(await postgres.orders.forms(), await sqlite.orders.forms());
      assert.equal(onPostgres('list').out, before.list);
      assert.deepEqual(
        [1, 2, 3].map((id) => onPostgres('show', String(id)).out),
        before.shows,
      );
      assert.equal(onPostgres('export', '--csv').out, before.csv);

      // A second run copies nothing.
      const again = onPostgres('migrate', '--from-sqlite', dataDir);
      assert.equal(again.code, 0, again.err + again.out);
      const againLines = again.out.trim().split('\n');
      assert.match(
        againLines[1]!,
        /^orders: 3 in SQLite, 3 in PostgreSQL \(copied \d{4}-\d\d-\d\d \d\d:\d\d\)$/,
      );
      assert.match(againLines[5]!, /^Already copied \d{4}-\d\d-\d\d \d\d:\d\d: nothing copied this time\.$/);
      const counted = await query(
        url,
        'SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM jobs)::int AS jobs',
      );
      assert.deepEqual(counted.rows[0], { orders: 3, jobs: 6 });

      // New orders continue after the copied IDs.
      const next = await postgres.orders.commit(
        {
          orderNumber: 'ORD-9',
          userId: 'u',
          guildId: undefined,
          email: 'z@example.com',
          fields: {},
          createdAt: T,
        },
        { caps: [], decide: () => ({ jobs: [{ kind: 'email' }] }) },
      );
      assert.deepEqual([next.order.id, next.jobs[0]?.id], [4, 7]);

      // An order taken on SQLite after the copy: reported, and the exit code says so.
      await sqlite.orders.commit(
        {
          orderNumber: 'ORD-10',
          userId: 'u',
          guildId: undefined,
          email: 'y@example.com',
          fields: {},
          createdAt: T,
        },
        { caps: [], decide: () => ({ jobs: [] }) },
      );
      const changed = onPostgres('migrate', '--from-sqlite', dataDir);
      assert.equal(changed.code, 1);
      assert.match(changed.out, /^orders: 4 in SQLite, 3 in PostgreSQL/m);
      assert.match(changed.out, /Already copied .*, but the SQLite database has changed since/);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  test('migrate into a database holding orders already: new IDs, each job still with its order', async () => {
    const dataDir = await sqliteShop();
    const url = await server.freshDatabase();
    const postgres = await createPostgresEngine({ url, poolSize: 2 });
    const sqlite = createSqliteEngine(openDatabase(dataDir));
    try {
      await seed(postgres, 100);
      const storeId = postgres.orders.storeId;
      const migrated = orders({ DATABASE_URL: url }, 'migrate', '--from-sqlite', dataDir);
      assert.equal(migrated.code, 0, migrated.err + migrated.out);
      assert.match(migrated.out, /^orders: 3 in SQLite, 3 in PostgreSQL$/m);
      assert.match(migrated.out, /Copied: the counts match, under new order IDs/);
      assert.doesNotMatch(migrated.out, /store ID/);

      const meta = await query(url, `SELECT value FROM meta WHERE key = 'store_id'`);
      assert.equal(meta.rows[0].value, storeId, "the target's store ID stays");
      const copied = await snapshot(postgres, [4, 5, 6]);
      const source = await snapshot(sqlite, [1, 2, 3]);
      assert.deepEqual(
        copied.map(({ order }) => order?.orderNumber),
        ['ORD-1', 'ORD-2', 'ORD-3'],
      );
      for (const [i, { order, jobs }] of copied.entries()) {
        const original = source[i]!;
        assert.deepEqual({ ...order, id: 0 }, { ...original.order, id: 0 });
        assert.deepEqual(
          jobs.map((job) => ({
            ...job,
            id: job.id - 6,
            orderId: job.orderId - 3,
            afterJob: job.afterJob && job.afterJob - 6,
          })),
          original.jobs,
        );
      }
      assert.match(orders({ DATABASE_URL: url }, 'list').out.split('\n')[1]!, /^#6 .*ORD-3 /);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  test('migrate copies more than a page of orders and jobs (1,201 orders)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-cli-sqlite-'));
    const sqlite = createSqliteEngine(openDatabase(dataDir));
    for (let i = 0; i < 1_201; i++)
      sqlite.store.commit(
        {
          orderNumber: `N-${i}`,
          userId: 'u',
          guildId: undefined,
          email: 'p@example.com',
          fields: {},
          createdAt: T + i,
        },
        [{ kind: 'email' }, { kind: 'staff_post', after: 0 }],
      );
    await sqlite.close();
    const url = await server.freshDatabase();
    const migrated = orders({ DATABASE_URL: url }, 'migrate', '--from-sqlite', dataDir);
    assert.equal(migrated.code, 0, migrated.err + migrated.out);
    assert.match(migrated.out, /^orders: 1201 in SQLite, 1201 in PostgreSQL$/m);
    assert.match(migrated.out, /^jobs: {3}2402 in SQLite, 2402 in PostgreSQL$/m);
    const { rows } = await query(
      url,
      `SELECT max(id)::int AS last, count(*) FILTER (WHERE after_job = id - 1)::int AS chained FROM jobs`,
    );
    assert.deepEqual(rows[0], { last: 2402, chained: 1201 });
  });

  test('migrate refuses while a bot runs on the SQLite folder, and without DATABASE_URL', async () => {
    const dataDir = await sqliteShop();
    const url = await server.freshDatabase();
    const lock = lockDataDir(dataDir);
    try {
      const refused = orders({ DATABASE_URL: url }, 'migrate', '--from-sqlite', dataDir);
      assert.deepEqual(
        [refused.code, refused.out, refused.err.trim()],
        [
          1,
          '',
          `migrate: a bot is running on ${dataDir}: stop it first (it would go on taking and delivering orders the copy does not have)`,
        ],
      );
    } finally {
      lock.release();
    }
    const noUrl = orders({ DATA_DIR: dataDir }, 'migrate', '--from-sqlite', dataDir);
    assert.deepEqual(
      [noUrl.code, noUrl.err.trim()],
      [1, 'migrate: set DATABASE_URL to the PostgreSQL database to copy the orders into'],
    );
    const noSource = orders({ DATABASE_URL: url }, 'migrate');
    assert.equal(noSource.code, 1);
    assert.match(noSource.err, /^migrate: --from-sqlite DATA_DIR is required/);
    const missing = orders({ DATABASE_URL: url }, 'migrate', '--from-sqlite', unusedDataDir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /orders\.db: no order database here/);
    assert.equal(existsSync(unusedDataDir), false);
    const { rows } = await query(url, `SELECT to_regclass('orders') AS orders`);
    assert.equal(rows[0].orders, null, 'PostgreSQL was not even migrated');
  });

  test('importStore: counts that do not match roll the whole copy back', async () => {
    const dataDir = await sqliteShop();
    const url = await server.freshDatabase();
    const source = openDatabase(dataDir);
    const postgres = await createPostgresEngine({ url, poolSize: 2 });
    try {
      const rows = (table: string) =>
        source.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, unknown>[];
      const copy = (orders: number) =>
        postgres.importStore({
          storeId: 'feedfacefeedface',
          counts: { orders, jobs: 6, forms: 1, events: 2 },
          forms: rows('forms'),
          orders: rows('orders'),
          jobs: rows('jobs'),
          events: rows('order_events'),
        });
      assert.deepEqual(await copy(4), {
        outcome: 'mismatch',
        copied: { orders: 3, jobs: 6, forms: 1, events: 2 },
        keptIds: false,
        keptStoreId: false,
      });
      const empty = await query(
        url,
        `SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM forms)::int AS forms,
                (SELECT count(*) FROM meta WHERE key LIKE 'imported:%')::int AS marks`,
      );
      assert.deepEqual(empty.rows[0], { orders: 0, forms: 0, marks: 0 });
      assert.equal((await copy(3)).outcome, 'copied');
      assert.equal((await copy(3)).outcome, 'already');
    } finally {
      source.close();
      await postgres.close();
    }
  });
});
