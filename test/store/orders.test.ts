import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderStore, type NewOrder } from '../../src/store/orders.ts';

const fresh = () => createOrderStore(openDatabase(mkdtempSync(join(tmpdir(), 'order-bot-orders-'))));
const order = (over: Partial<NewOrder> = {}): NewOrder => ({
  orderNumber: 'ORD-1',
  userId: 'u1',
  guildId: 'g1',
  email: 'jane@example.com',
  fields: { order_number: 'ORD-1', shipping_address: '1 Main St' },
  createdAt: 1_000,
  ...over,
});

test("an order and its jobs are committed together, with the bot's own id even for the same typed number", () => {
  const store = fresh();
  const a = store.commit(order(), [
    { kind: 'email' },
    { kind: 'note', after: 0, affectsStatus: false, payload: { x: 1 } },
  ]);
  const b = store.commit(order({ userId: 'u2' }), []);
  assert.notEqual(a.order.id, b.order.id, 'two customers typing ORD-1 never collide');
  assert.equal(a.order.status, 'pending');
  assert.equal(b.order.status, 'sent', 'no jobs: nothing outstanding');
  assert.deepEqual(
    a.jobs.map((j) => [j.kind, j.status, j.afterJob, j.payload]),
    [
      ['email', 'pending', null, undefined],
      ['note', 'pending', a.jobs[0]!.id, { x: 1 }],
    ],
  );
  assert.deepEqual(store.get(a.order.id)?.fields, { order_number: 'ORD-1', shipping_address: '1 Main St' });
});

test('an order commit is flushed to disk (synchronous=FULL for it), then the connection is back to NORMAL', () => {
  const store = fresh();
  const level = () =>
    (store.database.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
  let during = -1;
  // The payload is serialised inside the transaction: it reads the setting the commit runs with.
  const probe = {
    toJSON: () => {
      during = level();
      return {};
    },
  };
  store.commit(order(), [{ kind: 'email', payload: probe }]);
  assert.equal(during, 2, 'FULL while the order commits');
  assert.equal(level(), 1, 'NORMAL after it (job progress is not flushed at once)');
  assert.throws(() => store.commit(order(), [{ kind: 'bad', payload: 1n as unknown }]));
  assert.equal(level(), 1, 'NORMAL again after a failed commit');
});

test('a failing commit writes nothing at all', () => {
  const store = fresh();
  assert.throws(() => store.commit(order(), [{ kind: 'email' }, { kind: 'bad', payload: 1n as unknown }]));
  assert.deepEqual(store.list(), []);
  assert.equal(store.counts(0).jobsPending, 0);
});

test('jobs become due in order; a dependent job waits for its prerequisite; status follows the jobs', () => {
  const store = fresh();
  const { order: o, jobs } = store.commit(order(), [
    { kind: 'email' },
    { kind: 'staff' },
    { kind: 'note', after: 0, affectsStatus: false, delayMs: 3000 },
  ]);
  const [email, staff, note] = jobs;
  assert.deepEqual(
    store.due(1000, 10, new Set()).map((j) => j.kind),
    ['email', 'staff'],
  );
  assert.deepEqual(
    store.due(1000, 10, new Set([email!.id])).map((j) => j.kind),
    ['staff'],
    'busy jobs are skipped',
  );
  store.record([{ jobId: staff!.id, status: 'done', result: 'msg-1', at: 1100 }]);
  store.record([
    { jobId: email!.id, status: 'retry', nextAt: 5000, reason: 'unreachable', detail: 'down', at: 1100 },
  ]);
  assert.deepEqual(store.due(4000, 10, new Set()), [], 'email retries at 5000; the note waits for it');
  assert.equal(store.get(o.id)?.status, 'pending');
  store.record([{ jobId: email!.id, status: 'failed', reason: 'auth', detail: 'login refused', at: 5100 }]);
  assert.equal(store.get(o.id)?.status, 'failed');
  store.release(note!.id, 5100);
  assert.deepEqual(
    store.due(5100, 10, new Set()).map((j) => j.kind),
    ['note'],
    'due once the email settled',
  );
  store.record([{ jobId: note!.id, status: 'done', result: undefined, at: 5200 }]);
  assert.equal(store.get(o.id)?.status, 'failed', 'the note does not change the status');
  assert.equal(store.job(email!.id)?.attempts, 2);
  assert.equal(store.job(staff!.id)?.result, 'msg-1');

  assert.equal(store.retryOrder(o.id, 6000), 1);
  assert.equal(store.get(o.id)?.status, 'pending');
  assert.deepEqual(
    store.due(6000, 10, new Set()).map((j) => [j.kind, j.attempts]),
    [['email', 0]],
  );
  store.record([{ jobId: email!.id, status: 'done', result: undefined, at: 6100 }]);
  assert.equal(store.get(o.id)?.status, 'sent');
});

test('lists filter by time and status; counts; purge removes personal data and keeps the record', () => {
  const store = fresh();
  store.commit(order({ createdAt: 1000 }), []);
  const failing = store.commit(order({ createdAt: 2000 }), [{ kind: 'email' }]);
  store.commit(order({ createdAt: 3000 }), [{ kind: 'email' }]);
  store.record([{ jobId: failing.jobs[0]!.id, status: 'failed', reason: 'auth', detail: 'x', at: 2500 }]);
  assert.deepEqual(
    store.list({ since: 2000 }).map((o) => o.createdAt),
    [3000, 2000],
  );
  assert.deepEqual(
    store.list({ status: 'failed' }).map((o) => o.id),
    [failing.order.id],
  );
  assert.deepEqual(
    [...store.each()].map((o) => o.createdAt),
    [1000, 2000, 3000],
  );
  assert.deepEqual(store.counts(2000), {
    ordersTotal: 3,
    ordersSince: 2,
    jobsPending: 1,
    jobsRetrying: 0,
    jobsFailed: 1,
    oldestPendingAt: 3000,
    byLifecycle: { received: 3, accepted: 0, shipped: 0, delivered: 0, cancelled: 0 },
  });
  assert.equal(store.purge(2500, 9999), 2);
  const purged = store.get(failing.order.id)!;
  assert.deepEqual([purged.email, purged.userId, purged.fields, purged.purgedAt], ['', '', {}, 9999]);
  assert.equal(store.get(3)?.email, 'jane@example.com', 'newer orders keep their data');
  assert.equal(store.purge(2500, 10_000), 0, 'purging twice changes nothing');
  assert.equal(store.retryAllFailed(10_000), 1);
});

test('each pages through every order, oldest first, with the caller awaiting between orders (an export)', async () => {
  const store = fresh();
  store.database.exec('PRAGMA synchronous = OFF');
  const insert = store.database.prepare(
    `INSERT INTO orders (order_number, user_id, guild_id, email, fields, status, created_at) VALUES (?, 'u', 'g', 'a@example.com', '{}', ?, ?)`,
  );
  for (let i = 1; i <= 1234; i++) insert.run(`ORD-${i}`, i % 3 === 0 ? 'failed' : 'sent', 1000 + i);
  const seen: number[] = [];
  for (const stored of store.each()) {
    seen.push(stored.id);
    // What the export does between lines: a write that may wait (other statements run meanwhile).
    if (stored.id % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    if (stored.id % 250 === 0) store.counts(0);
  }
  assert.equal(seen.length, 1234);
  assert.deepEqual(seen.slice(0, 3), [1, 2, 3]);
  assert.ok(
    seen.every((id, i) => i === 0 || id > seen[i - 1]!),
    'in order, each once',
  );
  const failed = [...store.each({ status: 'failed' })];
  assert.equal(failed.length, 411);
  assert.ok(failed.every((stored) => stored.status === 'failed'));
  assert.equal([...store.each({ since: 1000 + 1200 })].length, 35);
});
