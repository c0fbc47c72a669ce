/**
 * The outbox worker over a real SQLite database, with hand-made job handlers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderStore, type OrderStore, type StoredJob } from '../../src/store/orders.ts';
import {
  createOutboxWorker,
  type JobEvent,
  type JobHandler,
  type JobOutcome,
} from '../../src/store/outbox.ts';

const fresh = () => createOrderStore(openDatabase(mkdtempSync(join(tmpdir(), 'order-bot-outbox-'))));
const commit = (store: OrderStore, kinds: string[], createdAt = Date.now()) =>
  store.commit(
    { orderNumber: 'ORD-1', userId: 'u', guildId: 'g', email: 'a@example.com', fields: {}, createdAt },
    kinds.map((kind) => ({ kind })),
  );
const handler = (
  run: (job: StoredJob) => Promise<JobOutcome>,
  over: Partial<JobHandler> = {},
): JobHandler => ({
  concurrency: 2,
  maxAttempts: 3,
  initialDelayMs: 20,
  run,
  ...over,
});
const until = async (check: () => boolean, what: string, timeoutMs = 3000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

test('pending jobs found at start-up are delivered once and marked done', async () => {
  const store = fresh();
  const { order } = commit(store, ['email', 'email']);
  const runs: number[] = [];
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      email: handler(async (job) => {
        runs.push(job.id);
        return { status: 'done' };
      }),
    },
  });
  await until(() => store.get(order.id)?.status === 'sent', 'the order to be sent');
  assert.equal(runs.length, 2);
  assert.equal(await worker.drain(100), 0);
});

test('temporary failures back off and retry; after maxAttempts the job is failed with its reason', async () => {
  const store = fresh();
  const { order, jobs } = commit(store, ['email']);
  const times: number[] = [];
  const events: JobEvent['outcome'][] = [];
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    random: () => 0.5,
    onEvent: (event) => events.push(event.outcome),
    handlers: {
      email: handler(async () => {
        times.push(Date.now());
        return { status: 'retry', reason: 'unreachable', detail: 'connection refused' };
      }),
    },
  });
  await until(() => store.get(order.id)?.status === 'failed', 'the job to fail');
  assert.equal(times.length, 3);
  assert.ok(times[1]! - times[0]! >= 18 && times[2]! - times[1]! >= 38, `backoff ${times.join(', ')}`);
  assert.deepEqual(events, ['retry', 'retry', 'gave_up']);
  const job = store.job(jobs[0]!.id)!;
  assert.deepEqual(
    [job.status, job.attempts, job.reason, job.detail],
    ['failed', 3, 'unreachable', 'connection refused'],
  );
  await worker.drain(50);
});

test('a permanent failure is not retried; a handler that throws is treated as temporary', async () => {
  const store = fresh();
  const { jobs } = commit(store, ['email', 'staff']);
  let staffRuns = 0;
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      email: handler(async () => ({ status: 'failed', reason: 'recipient_rejected', detail: '550' })),
      staff: handler(async () => {
        staffRuns++;
        if (staffRuns === 1) throw new Error('surprise');
        return { status: 'done', result: 'message-id' };
      }),
    },
  });
  await until(() => store.job(jobs[1]!.id)?.status === 'done', 'the staff job');
  assert.equal(store.job(jobs[0]!.id)?.attempts, 1);
  assert.equal(store.job(jobs[1]!.id)?.result, 'message-id');
  assert.equal(staffRuns, 2);
  await worker.drain(50);
});

test('a job of an unknown kind is failed, not retried forever', async () => {
  const store = fresh();
  const { jobs } = commit(store, ['from_the_future']);
  const worker = createOutboxWorker({ store, log: silentLogger, handlers: {} });
  await until(() => store.job(jobs[0]!.id)?.status === 'failed', 'the unknown job to fail');
  assert.equal(store.job(jobs[0]!.id)?.reason, 'unknown_kind');
  await worker.drain(50);
});

test('concurrency is kept per kind', async () => {
  const store = fresh();
  commit(store, ['email', 'email', 'email', 'email', 'email']);
  let running = 0;
  let most = 0;
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      email: handler(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
        return { status: 'done' };
      }),
    },
  });
  await until(() => store.counts(0).jobsPending === 0, 'all jobs');
  assert.equal(most, 2);
  await worker.drain(50);
});

test('drain waits for running and due jobs, then stops; what is left stays pending for the next start', async () => {
  const store = fresh();
  commit(store, ['slow', 'later']);
  let release: () => void = () => {};
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      slow: handler(async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return { status: 'done' };
      }),
      later: handler(async () => ({ status: 'retry', reason: 'busy', detail: 'x', afterMs: 60_000 })),
    },
  });
  await until(() => worker.running === 1 && store.counts(0).jobsPending === 2, 'the slow job to start');
  setTimeout(() => release(), 50);
  const started = Date.now();
  const pending = await worker.drain(2000);
  assert.ok(Date.now() - started < 1000, 'did not wait for the retry a minute away');
  assert.equal(pending, 1, 'the job retrying later is still pending');
});

test('an outcome that cannot be written is never delivered again: the job stays claimed, only the write is retried, and no new job starts meanwhile', async () => {
  const store = fresh();
  const { jobs } = commit(store, ['email']);
  let failWrites = 3;
  const real = store.record.bind(store);
  const flaky: OrderStore = Object.assign(Object.create(store) as OrderStore, {
    record(outcomes: Parameters<OrderStore['record']>[0]) {
      if (failWrites > 0) {
        failWrites--;
        throw new Error('database or disk is full');
      }
      real(outcomes);
    },
  });
  let runs = 0;
  const worker = createOutboxWorker({
    store: flaky,
    log: silentLogger,
    handlers: {
      email: handler(async () => {
        runs++;
        return { status: 'done' };
      }),
    },
  });
  await until(() => worker.status().paused, 'the worker to pause');
  const paused = worker.status();
  assert.ok(paused.paused && /disk is full/.test(paused.error));
  commit(store, ['email']); // a new order while paused: it waits
  worker.notify();
  await until(() => store.job(jobs[0]!.id)?.status === 'done', 'the outcome to be written', 5000);
  assert.equal(worker.status().paused, false);
  await until(() => store.counts(0).jobsPending === 0, 'the second job');
  assert.equal(runs, 2, 'each job delivered once: the first was not run again while its record failed');
  await worker.drain(100);
});

test('a job whose row cannot be read fails alone with its reason; the others are delivered', async () => {
  const store = fresh();
  const { jobs } = commit(store, ['email', 'email', 'email']);
  // A payload that is not JSON, as a damaged row or a hand edit leaves it.
  store.database.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run('{not json', jobs[1]!.id);
  const delivered: number[] = [];
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      email: handler(async (job) => {
        delivered.push(job.id);
        return { status: 'done' };
      }),
    },
  });
  await until(() => store.counts(0).jobsPending === 0, 'every job settled');
  assert.deepEqual(delivered.sort(), [jobs[0]!.id, jobs[2]!.id]);
  const poison = store.job(jobs[1]!.id);
  assert.equal(poison?.status, 'failed');
  assert.equal(poison?.reason, 'bad_row');
  await worker.drain(100);
});

test("a handler's clearPayload forgets the payload in the outcome's own write, when it fails too", async () => {
  const store = fresh();
  const { jobs } = store.commit(
    {
      orderNumber: 'ORD-1',
      userId: 'u',
      guildId: 'g',
      email: 'a@example.com',
      fields: {},
      createdAt: Date.now(),
    },
    [
      { kind: 'message', payload: { token: 'secret-1' } },
      { kind: 'message', payload: { token: 'secret-2' } },
    ],
  );
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      message: handler(
        async (job) =>
          job.id === jobs[0]!.id
            ? { status: 'done' }
            : { status: 'failed', reason: 'rejected', detail: 'no' },
        { clearPayload: true },
      ),
    },
  });
  await until(() => store.counts(0).jobsPending === 0, 'both settled');
  assert.equal(store.job(jobs[0]!.id)?.payload, undefined);
  assert.equal(store.job(jobs[1]!.id)?.payload, undefined, 'a failed job keeps no token either');
  await worker.drain(100);
});

test('a retry time far ahead (written before the clock was set back) is due at start-up', async () => {
  const store = fresh();
  const { jobs } = commit(store, ['email']);
  store.record([
    {
      jobId: jobs[0]!.id,
      status: 'retry',
      nextAt: Date.now() + 2 * 3_600_000,
      reason: 'x',
      detail: 'y',
      at: Date.now(),
    },
  ]);
  let runs = 0;
  const worker = createOutboxWorker({
    store,
    log: silentLogger,
    handlers: {
      email: handler(async () => {
        runs++;
        return { status: 'done' };
      }),
    },
  });
  await until(() => runs === 1, 'the job to run now, not in two hours');
  await worker.drain(100);
});
