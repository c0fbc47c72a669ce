/**
 * What /healthz says for each state: judged from plain figures, no server needed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HealthInputs, judgeHealth, STUCK_JOB_MS } from '../src/health.ts';

const healthy: HealthInputs = {
  shardsReady: 1,
  shardsTotal: 1,
  guilds: 3,
  storeWrites: { ok: true },
  outbox: { paused: false },
  smtp: 'ok',
  jobsPending: 0,
  jobsRetrying: 0,
  jobsFailed: 0,
  oldestPendingMs: 0,
  uptimeMs: 5000,
};

test('200 ok only while every shard is ready and orders can be saved and delivered', () => {
  assert.equal(judgeHealth(healthy).ok, true);
  assert.equal(judgeHealth(healthy).body.status, 'ok');
  const starting = judgeHealth({ ...healthy, shardsReady: 0 });
  assert.deepEqual([starting.ok, starting.body.status], [false, 'starting']);
});

test('each broken state is a 503 with its reason, and every reason is listed', () => {
  const cases: [Partial<HealthInputs>, RegExp][] = [
    [
      { storeWrites: { ok: false, since: 1, error: 'database or disk is full' } },
      /cannot be saved.*disk is full/,
    ],
    [{ outbox: { paused: true, since: 1, error: 'database or disk is full' } }, /deliveries are paused/],
    [{ smtp: 'down', jobsFailed: 3 }, /mail server is down/],
    [{ smtp: 'down', jobsRetrying: 1 }, /mail server is down/],
    [{ oldestPendingMs: STUCK_JOB_MS + 1 }, /pending for more than 10 minutes/],
  ];
  for (const [change, reason] of cases) {
    const report = judgeHealth({ ...healthy, ...change });
    assert.equal(report.ok, false, JSON.stringify(change));
    assert.equal(report.body.status, 'degraded');
    assert.match(String(report.body.problem), reason);
  }
  const both = judgeHealth({ ...healthy, smtp: 'down', jobsFailed: 1, oldestPendingMs: STUCK_JOB_MS * 2 });
  assert.equal((both.body.problems as string[]).length, 2);
});

test('SMTP down with nothing failed yet (no order since) is not an outage; ages are never negative', () => {
  assert.equal(judgeHealth({ ...healthy, smtp: 'down' }).ok, true);
  const report = judgeHealth({ ...healthy, oldestPendingMs: -7_200_000, uptimeMs: -7_200_000 });
  assert.equal(report.body.outbox_oldest_pending_seconds, 0);
  assert.equal(report.body.uptime_seconds, 0);
});
