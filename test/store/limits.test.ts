import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatWait } from '../../src/order/texts.ts';
import { createOrderLimits } from '../../src/store/limits.ts';

test('cooldown after a completed order, with the time remaining', () => {
  let now = 0;
  const limits = createOrderLimits({ cooldownMs: 60_000, dailyCap: 10, now: () => now });
  assert.deepEqual(limits.check('u'), { ok: true });
  limits.record('u');
  now = 15_000;
  assert.deepEqual(limits.check('u'), { ok: false, reason: 'cooldown', retryAfterMs: 45_000 });
  assert.deepEqual(limits.check('other'), { ok: true });
  now = 60_000;
  assert.deepEqual(limits.check('u'), { ok: true });
});

test('a rolling daily cap', () => {
  let now = 0;
  const limits = createOrderLimits({ cooldownMs: 0, dailyCap: 3, now: () => now });
  for (let i = 0; i < 3; i++) {
    now = i * 1000;
    limits.record('u');
  }
  now = 10_000;
  assert.deepEqual(limits.check('u'), { ok: false, reason: 'daily_cap', retryAfterMs: 86_400_000 - 10_000 });
  now = 86_400_000;
  assert.deepEqual(limits.check('u'), { ok: true }, 'the first order left the window');
});

test('users with nothing in the last day are forgotten', () => {
  let now = 0;
  const limits = createOrderLimits({ now: () => now });
  limits.record('a');
  limits.record('b');
  assert.equal(limits.trackedUsers, 2);
  now = 86_400_001;
  assert.equal(limits.sweep(), 2);
  assert.equal(limits.trackedUsers, 0);
});

test('waits read naturally', () => {
  assert.equal(formatWait(45_000), '45s');
  assert.equal(formatWait(90_000), '90s');
  assert.equal(formatWait(200_000), '3m 20s');
  assert.equal(formatWait(5 * 3600_000 + 12 * 60_000), '5h 12m');
  assert.equal(formatWait(10), '1s');
});
