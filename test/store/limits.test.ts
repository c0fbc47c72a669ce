import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatWait } from '../../src/order/texts.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderLimits } from '../../src/store/limits.ts';
import { createOrderStore, type OrderStore } from '../../src/store/orders.ts';

const DAY = 86_400_000;
function store(): OrderStore {
  return createOrderStore(openDatabase(mkdtempSync(join(tmpdir(), 'order-bot-limits-'))));
}
const order = (userId: string, createdAt: number) => ({
  orderNumber: 'ORD-1',
  userId,
  guildId: 'g',
  email: 'a@example.com',
  fields: {},
  createdAt,
});

test('cooldown after a committed order, with the time remaining', () => {
  let now = 1_000_000;
  const orders = store();
  const limits = createOrderLimits({ orders, cooldownMs: 60_000, dailyCap: 10, now: () => now });
  assert.deepEqual(limits.check('u'), { ok: true });
  orders.commit(order('u', now), []);
  now += 15_000;
  assert.deepEqual(limits.check('u'), { ok: false, reason: 'cooldown', retryAfterMs: 45_000 });
  assert.deepEqual(limits.check('other'), { ok: true });
  now += 45_000;
  assert.deepEqual(limits.check('u'), { ok: true });
});

test('a rolling daily cap', () => {
  let now = 1_000_000;
  const orders = store();
  const limits = createOrderLimits({ orders, cooldownMs: 0, dailyCap: 3, now: () => now });
  for (let i = 0; i < 3; i++) orders.commit(order('u', 1_000_000 + i * 1000), []);
  now = 1_010_000;
  assert.deepEqual(limits.check('u'), {
    ok: false,
    reason: 'daily_cap',
    retryAfterMs: 1_000_000 + DAY - now,
  });
  now = 1_000_000 + DAY;
  assert.deepEqual(limits.check('u'), { ok: true }, 'the first order left the window');
});

test('limits read the database, so a new process (a restart) sees the same limits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-limits-'));
  const now = 5_000_000;
  createOrderStore(openDatabase(dir)).commit(order('u', now), []);
  const reopened = createOrderStore(openDatabase(dir));
  const limits = createOrderLimits({ orders: reopened, cooldownMs: 60_000, now: () => now + 1000 });
  assert.deepEqual(limits.check('u'), { ok: false, reason: 'cooldown', retryAfterMs: 59_000 });
});

test('waits read naturally', () => {
  assert.equal(formatWait(45_000), '45s');
  assert.equal(formatWait(90_000), '90s');
  assert.equal(formatWait(200_000), '3m 20s');
  assert.equal(formatWait(5 * 3600_000 + 12 * 60_000), '5h 12m');
  assert.equal(formatWait(10), '1s');
});
