/**
 * What /healthz says for each state, judged from an operations snapshot; and a snapshot that
 * never throws, whatever the store does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGatewayState } from '../../src/gateway/status.ts';
import { createMetrics, type OpsSnapshot, renderPrometheus } from '../../src/metrics.ts';
import { judgeHealth, STUCK_JOB_MS } from '../../src/ops/health.ts';
import { createSnapshot } from '../../src/ops/snapshot.ts';

const metrics = createMetrics(0);
const healthy: OpsSnapshot = {
  at: 5000,
  uptimeMs: 5000,
  gateway: { enabled: true, shardsReady: 1, shardsTotal: 1, guilds: 3, usersApproximate: 10, latencyMs: 40 },
  activeSessions: 0,
  orders: {
    today: 1,
    total: 2,
    byStatus: { received: 2, accepted: 0, shipped: 0, delivered: 0, cancelled: 0 },
  },
  outbox: { pending: 0, retrying: 0, failed: 0, oldestPendingMs: 0, paused: undefined },
  storeWrites: { ok: true },
  storeReadError: undefined,
  mail: { smtp: 'ok', reason: undefined },
  answersQueued: 0,
  memory: { residentBytes: 1, heapUsedBytes: 1, heapTotalBytes: 1 },
  counters: metrics.counters,
};
const outbox = (change: Partial<OpsSnapshot['outbox']>) => ({ outbox: { ...healthy.outbox, ...change } });

test('200 ok only while every shard is ready and orders can be saved and delivered', () => {
  assert.equal(judgeHealth(healthy).ok, true);
  assert.equal(judgeHealth(healthy).body.status, 'ok');
  const starting = judgeHealth({ ...healthy, gateway: { ...healthy.gateway, shardsReady: 0 } });
  assert.deepEqual([starting.ok, starting.body.status], [false, 'starting']);
});

test('each broken state is a 503 with its reason, and every reason is listed', () => {
  const cases: [Partial<OpsSnapshot>, RegExp][] = [
    [
      { storeWrites: { ok: false, since: 1, error: 'database or disk is full' } },
      /cannot be saved.*disk is full/,
    ],
    [outbox({ paused: { since: 1, error: 'database or disk is full' } }), /deliveries are paused/],
    [{ mail: { smtp: 'down', reason: 'auth' }, ...outbox({ failed: 3 }) }, /mail server is down/],
    [{ mail: { smtp: 'down', reason: 'auth' }, ...outbox({ retrying: 1 }) }, /mail server is down/],
    [outbox({ oldestPendingMs: STUCK_JOB_MS + 1 }), /pending for more than 10 minutes/],
    [{ storeReadError: 'database disk image is malformed', orders: undefined }, /cannot be read.*malformed/],
  ];
  for (const [change, reason] of cases) {
    const report = judgeHealth({ ...healthy, ...change });
    assert.equal(report.ok, false, JSON.stringify(change));
    assert.equal(report.body.status, 'degraded');
    assert.match(String(report.body.problem), reason);
  }
  const both = judgeHealth({
    ...healthy,
    mail: { smtp: 'down', reason: 'auth' },
    ...outbox({ failed: 1, oldestPendingMs: STUCK_JOB_MS * 2 }),
  });
  assert.equal((both.body.problems as string[]).length, 2);
});

test('SMTP down with nothing failed yet (no order since) is not an outage', () => {
  assert.equal(judgeHealth({ ...healthy, mail: { smtp: 'down', reason: 'unreachable' } }).ok, true);
});

test('the snapshot never throws: a store that cannot be read is a figure; ages are never negative', async () => {
  let broken = false;
  const snapshot = createSnapshot({
    clock: () => 1_000,
    startedAt: 2_000, // the clock "went back"
    gateway: createGatewayState().status,
    sessions: { size: 2 },
    orders: {
      async counts() {
        if (broken) throw new Error('database disk image is malformed');
        return {
          ordersTotal: 5,
          ordersSince: 1,
          byLifecycle: { received: 5, accepted: 0, shipped: 0, delivered: 0, cancelled: 0 },
          jobsPending: 1,
          jobsRetrying: 0,
          jobsFailed: 0,
          oldestPendingAt: 9_000, // written ahead of the clock
        };
      },
      writeStatus: () => ({ ok: true }),
    },
    outbox: { status: () => ({ paused: false }) },
    mailer: { status: () => ({ smtp: 'ok' as const, reason: undefined, detail: undefined }) },
    metrics,
    answersQueued: () => 0,
  });
  const fine = await snapshot();
  assert.equal(fine.uptimeMs, 0);
  assert.equal(fine.outbox.oldestPendingMs, 0);
  assert.deepEqual(fine.orders, {
    today: 1,
    total: 5,
    byStatus: { received: 5, accepted: 0, shipped: 0, delivered: 0, cancelled: 0 },
  });
  broken = true;
  const damaged = await snapshot();
  assert.equal(damaged.orders, undefined);
  assert.match(String(damaged.storeReadError), /malformed/);
  assert.match(renderPrometheus(damaged, metrics.interactionMs), /^orderbot_orders_stored NaN$/m);
});

test('/metrics declares each counter family once, with every sample', () => {
  const text = renderPrometheus(healthy, metrics.interactionMs);
  assert.equal(text.match(/^# TYPE orderbot_emails_total counter$/gm)?.length, 1);
  for (const outcome of ['sent', 'failed', 'gave_up', 'retried', 'refused']) {
    assert.match(text, new RegExp(`^orderbot_emails_total\\{outcome="${outcome}"\\} 0$`, 'm'));
  }
});
