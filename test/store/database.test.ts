import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createCheckpoints,
  DATABASE_FILE,
  lockDataDir,
  openDatabase,
  SCHEMA_VERSION,
  StoreError,
} from '../../src/store/database.ts';

const temp = () => mkdtempSync(join(tmpdir(), 'order-bot-db-'));
const storeError = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StoreError, String(error));
    return error.message;
  }
  assert.fail('expected a StoreError');
};

test('a missing DATA_DIR is created for the bot alone (0700), with a 0600 database in WAL mode', () => {
  const dir = join(temp(), 'nested', 'data');
  const db = openDatabase(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, DATABASE_FILE)).mode & 0o777, 0o600);
  assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
  assert.equal(
    (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous,
    1,
    'NORMAL between writes; order commits switch to FULL (see the orders store test)',
  );
  assert.equal(
    (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint,
    0,
    'no checkpoint inside a commit: createCheckpoints runs them when the store is quiet',
  );
  assert.equal(
    (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
    SCHEMA_VERSION,
  );
  db.close();
  openDatabase(dir).close(); // a second open migrates nothing and keeps the data
});

test('a database written by a newer version is refused with a clear message', () => {
  const dir = temp();
  const db = openDatabase(dir);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.match(
    storeError(() => openDatabase(dir)),
    new RegExp(
      `orders\\.db: written by a newer version of the bot \\(schema ${SCHEMA_VERSION + 1}; this version knows up to ${SCHEMA_VERSION}\\)`,
    ),
  );
});

test('a file that is not a database stops with one line naming it, and is left as it was', () => {
  const dir = temp();
  const path = join(dir, DATABASE_FILE);
  const garbage = "this is not a database, but it is the shop owner's file".repeat(200);
  writeFileSync(path, garbage);
  const message = storeError(() => openDatabase(dir));
  assert.ok(message.startsWith(`${path}: not a readable order database`), message);
  assert.match(message, /will not replace it: restore it from a backup/);
  assert.ok(!message.includes('\n'), 'one line');
  assert.equal(statSync(path).size, garbage.length, 'untouched');
});

test('a database path that cannot be opened says so in one line, naming the file', () => {
  // Tests run as root on CI, where file modes do not stop reads; a folder in the file's place
  // fails the same way SQLite's open fails for a file the bot's user may not read.
  const dir = temp();
  mkdirSync(join(dir, DATABASE_FILE));
  const message = storeError(() => openDatabase(dir));
  assert.equal(
    message,
    `${join(dir, DATABASE_FILE)}: cannot write the order database (permission denied or read-only): give the bot's user read and write access to DATA_DIR and the files in it.`,
  );
});

test('checkpoint() copies the log into the database file only once writes have paused (or every 30 s)', () => {
  const dir = temp();
  const db = openDatabase(dir);
  const checkpoints = createCheckpoints(db);
  const dbSize = () => statSync(join(dir, DATABASE_FILE)).size;
  db.exec('CREATE TABLE t (v TEXT)');
  assert.equal(checkpoints.run(10_000), false, 'nothing written through the store yet');
  for (let i = 0; i < 200; i++) db.exec(`INSERT INTO t VALUES ('${'x'.repeat(1000)}')`);
  checkpoints.wrote();
  const before = dbSize();
  const at = performance.now();
  assert.equal(checkpoints.run(at + 100), false, 'written 100 ms ago: still busy');
  assert.equal(dbSize(), before, 'the rows are still only in the log');
  assert.equal(checkpoints.run(at + 600), true, 'quiet for 500 ms');
  assert.ok(
    dbSize() > before + 150_000,
    `the rows reached the database file (${before} -> ${dbSize()} bytes)`,
  );
  assert.equal(checkpoints.run(at + 5000), false, 'nothing new to copy');
  checkpoints.wrote();
  assert.equal(checkpoints.run(at + 600 + 30_000), true, 'busy, but 30 s since the last checkpoint');
  db.close();
});

test('a schema 2 database with orders is upgraded in place at start-up, its orders kept and keyed by mailbox', () => {
  const dir = temp();
  // A database as 0.2.0 left it: schema 2, with the index that schema 3 replaces, and an order.
  const old = openDatabase(dir);
  old.exec(
    `DROP INDEX jobs_by_order_kind; CREATE INDEX jobs_by_order ON jobs (order_id);
     DROP INDEX orders_by_email_key; ALTER TABLE orders DROP COLUMN email_key;
     ALTER TABLE orders DROP COLUMN email_refused; ALTER TABLE jobs DROP COLUMN started_at;
     CREATE INDEX orders_by_email ON orders (lower(email), created_at);
     DROP TABLE forms; ALTER TABLE orders DROP COLUMN form_id;
     DROP TABLE order_events; DROP INDEX orders_by_lifecycle; ALTER TABLE orders DROP COLUMN lifecycle;
     ALTER TABLE orders DROP COLUMN lifecycle_at; ALTER TABLE orders DROP COLUMN tracking_number;
     ALTER TABLE orders DROP COLUMN tracking_url; ALTER TABLE orders DROP COLUMN language;
     DROP INDEX orders_by_session_key; ALTER TABLE orders DROP COLUMN session_key; PRAGMA user_version = 2`,
  );
  old.exec(
    `INSERT INTO orders (order_number, user_id, guild_id, email, fields, created_at) VALUES ('ORD-1', 'u', 'g', 'A.n.n+shop@GoogleMail.com', '{}', 1)`,
  );
  old.exec(`INSERT INTO jobs (order_id, kind, next_at, created_at, updated_at) VALUES (1, 'email', 1, 1, 1)`);
  old.close();

  const db = openDatabase(dir);
  assert.equal(
    (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
    SCHEMA_VERSION,
  );
  const indexes = (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'`).all() as {
      name: string;
    }[]
  ).map((row) => row.name);
  assert.ok(indexes.includes('jobs_by_order_kind'), indexes.join());
  assert.ok(!indexes.includes('jobs_by_order'), indexes.join());
  assert.deepEqual(
    db
      .prepare('SELECT order_number, email, email_key FROM orders')
      .all()
      .map((row) => ({ ...row })),
    [{ order_number: 'ORD-1', email: 'A.n.n+shop@GoogleMail.com', email_key: 'ann@gmail.com' }],
    'kept, and counted by mailbox from now on',
  );
  assert.equal((db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n, 1);
  assert.deepEqual(
    { ...(db.prepare('SELECT form_id FROM orders').get() as object) },
    { form_id: null },
    'taken under the shipped form (schema 5)',
  );
  assert.deepEqual(
    { ...(db.prepare('SELECT lifecycle, lifecycle_at FROM orders').get() as object) },
    { lifecycle: 'received', lifecycle_at: null },
    'an order of an older version is received, with no history yet (schema 6)',
  );
  assert.equal((db.prepare('SELECT count(*) AS n FROM order_events').get() as { n: number }).n, 0);
  db.close();
});

test('one process per data folder: a second lock is refused naming the folder and the holder; released, it is free', () => {
  const dir = temp();
  const lock = lockDataDir(dir);
  assert.throws(
    () => lockDataDir(dir),
    (error: Error) =>
      error instanceof StoreError &&
      error.message.startsWith(`DATA_DIR ${dir} is in use by another bot process (pid ${process.pid} on `),
  );
  lock.release();
  lockDataDir(dir).release();
});
