/**
 * The outbox worker over a real SQLite database, with hand-made job handlers, on `node:test`'s
 * mocked timers: `setTimeout`, `setImmediate` and `Date` move only when a test ticks them, so
 * waits (backoff, the record retry, polls, held jobs) are asserted to the millisecond and no test
 * sleeps or waits for the event loop.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderStore, type NewJob, type OrderStore, type StoredJob } from '../../src/store/orders.ts';
import {
  createOutboxWorker,
  type JobEvent,
  type JobHandler,
  type JobOutcome,
  type OutboxWorker,
} from '../../src/store/outbox.ts';
import { jobQueueOver } from '../../src/store/sqlite.ts';

const START = Date.UTC(2025, 2, 1, 12);

/** The worker's queue and pending count over the synchronous store (as the SQLite engine gives them). */
const queue = (store: OrderStore) => ({
  jobs: jobQueueOver(store),
  pending: async () => store.counts(0).jobsPending,
});

/** A store in a new temporary folder (removed after the test), with time mocked from {@link START}. */
function fresh(t: TestContext): OrderStore {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'Date'], now: START });
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-outbox-'));
  const store = createOrderStore(openDatabase(dir));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}
const commit = (store: OrderStore, jobs: (string | NewJob)[]) =>
  store.commit(
    {
      orderNumber: 'ORD-1',
      userId: 'u',
      guildId: 'g',
      email: 'a@example.com',
      fields: {},
      createdAt: Date.now(),
    },
    jobs.map((job) => (typeof job === 'string' ? { kind: job } : job)),
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

/** Lets pending promise jobs run (a finished handler's outcome reaching the worker, say). */
async function promiseJobs(): Promise<void> {
  for (let i = 0; i < 25; i++) await undefined;
}

/**
 * Lets everything due at this mocked instant happen: timers and `setImmediate` callbacks due now
 * fire (`tick(0)`), then the promise jobs they cause, a few rounds deep (a finished job's outcome
 * is written from `setImmediate`, and writing it schedules the next look at once).
 */
async function settle(t: TestContext): Promise<void> {
  for (let round = 0; round < 4; round++) {
    t.mock.timers.tick(0);
    await promiseJobs();
  }
}

/**
 * Lets the worker run, moving mocked time 1 ms at a time, until `check` holds; resolves with the
 * mocked milliseconds that took. Fails after `limitMs` of mocked time.
 */
async function until(t: TestContext, check: () => boolean, what: string, limitMs = 60_000): Promise<number> {
  for (let waited = 0; ; waited++) {
    await settle(t);
    if (check()) return waited;
    if (waited >= limitMs) assert.fail(`${what}: not within ${limitMs} ms`);
    t.mock.timers.tick(1);
  }
}

/** Drains the worker on mocked time; resolves with what `drain` resolved and the mocked ms it took. */
async function drain(t: TestContext, worker: OutboxWorker, timeoutMs: number) {
  let pending: number | undefined;
  void worker.drain(timeoutMs).then((left) => {
    pending = left;
  });
  const tookMs = await until(t, () => pending !== undefined, 'the drain', timeoutMs + 10);
  return { pending, tookMs };
}

test('pending jobs found at start-up are delivered once and marked done', async (t) => {
  const store = fresh(t);
  const { order } = commit(store, ['email', 'email']);
  const runs: number[] = [];
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    handlers: {
      email: handler(async (job) => {
        runs.push(job.id);
        return { status: 'done' };
      }),
    },
  });
  assert.equal(await until(t, () => store.get(order.id)?.status === 'sent', 'the order to be sent'), 0);
  assert.equal(runs.length, 2);
  assert.equal((await drain(t, worker, 100)).pending, 0);
});

test('temporary failures back off exponentially; after maxAttempts the job is failed with its reason', async (t) => {
  const store = fresh(t);
  const { order, jobs } = commit(store, ['email']);
  const times: number[] = [];
  const events: JobEvent['outcome'][] = [];
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    random: () => 0.5, // no jitter
    onEvent: (event) => events.push(event.outcome),
    handlers: {
      email: handler(async () => {
        times.push(Date.now());
        return { status: 'retry', reason: 'unreachable', detail: 'connection refused' };
      }),
    },
  });
  await until(t, () => store.get(order.id)?.status === 'failed', 'the job to fail');
  assert.deepEqual(
    times.map((at) => at - START),
    [0, 20, 60],
    'tried at once, then after 20 ms, then after 40 ms',
  );
  assert.deepEqual(events, ['retry', 'retry', 'gave_up']);
  const job = store.job(jobs[0]!.id)!;
  assert.deepEqual(
    [job.status, job.attempts, job.reason, job.detail],
    ['failed', 3, 'unreachable', 'connection refused'],
  );
  t.mock.timers.tick(3_600_000);
  await settle(t);
  assert.equal(times.length, 3, 'a job that gave up is not tried again');
  await drain(t, worker, 50);
});

test('backoff: ±25% jitter, capped at maxDelayMs, and never sooner than the other side asked', async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, ['low', 'capped', 'asked']);
  const times: Record<string, number[]> = { low: [], capped: [], asked: [] };
  const retry = (kind: string, afterMs?: number) => async (): Promise<JobOutcome> => {
    times[kind]!.push(Date.now() - START);
    return { status: 'retry', reason: 'busy', detail: 'x', ...(afterMs === undefined ? {} : { afterMs }) };
  };
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    random: () => 0, // the shortest jitter: 75% of the delay
    handlers: {
      low: handler(retry('low'), { initialDelayMs: 100, maxAttempts: 3 }),
      capped: handler(retry('capped'), { initialDelayMs: 100, maxDelayMs: 160, maxAttempts: 4 }),
      asked: handler(retry('asked', 500), { initialDelayMs: 20, maxAttempts: 2 }),
    },
  });
  await until(t, () => jobs.every((job) => store.job(job.id)?.status === 'failed'), 'every job to give up');
  assert.deepEqual(times.low, [0, 75, 75 + 150]);
  assert.deepEqual(times.capped, [0, 75, 75 + 120, 75 + 120 + 120]);
  assert.deepEqual(times.asked, [0, 500], 'Retry-After wins over a shorter backoff');
  await drain(t, worker, 50);
});

test('a permanent failure is not retried; a handler that throws is treated as temporary', async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, ['email', 'staff']);
  let staffRuns = 0;
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    random: () => 0.5,
    handlers: {
      email: handler(async () => ({ status: 'failed', reason: 'recipient_rejected', detail: '550' })),
      staff: handler(async () => {
        staffRuns++;
        if (staffRuns === 1) throw new Error('surprise');
        return { status: 'done', result: 'message-id' };
      }),
    },
  });
  const tookMs = await until(t, () => store.job(jobs[1]!.id)?.status === 'done', 'the staff job');
  assert.equal(tookMs, 20, 'retried after the first backoff');
  assert.equal(store.job(jobs[0]!.id)?.attempts, 1);
  assert.equal(store.job(jobs[0]!.id)?.status, 'failed');
  assert.equal(store.job(jobs[1]!.id)?.result, 'message-id');
  assert.equal(staffRuns, 2);
  await drain(t, worker, 50);
});

test('a job of an unknown kind is failed, not retried forever', async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, ['from_the_future']);
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    handlers: {},
  });
  await until(t, () => store.job(jobs[0]!.id)?.status === 'failed', 'the unknown job to fail', 0);
  assert.equal(store.job(jobs[0]!.id)?.reason, 'unknown_kind');
  await drain(t, worker, 50);
});

test('concurrency is kept per kind', async (t) => {
  const store = fresh(t);
  commit(store, ['email', 'email', 'email', 'email', 'email', 'staff']);
  const running = { email: 0, staff: 0 };
  let most = 0;
  let staffStartedAt: number | undefined;
  const slow = (kind: 'email' | 'staff') =>
    handler(async () => {
      if (kind === 'staff') staffStartedAt = Date.now() - START;
      running[kind]++;
      most = Math.max(most, running.email);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running[kind]--;
      return { status: 'done' };
    });
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    handlers: { email: slow('email'), staff: slow('staff') },
  });
  await until(t, () => store.counts(0).jobsPending === 0, 'all jobs');
  assert.equal(most, 2, 'two emails at a time');
  assert.equal(staffStartedAt, 0, 'the staff post does not wait behind the emails');
  await drain(t, worker, 50);
});

test('a job held for later runs when released, or when its time comes', async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, [
    { kind: 'message', delayMs: 300 },
    { kind: 'message', delayMs: 300 },
  ]);
  const ranAt = new Map<number, number>();
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    handlers: {
      message: handler(async (job) => {
        ranAt.set(job.id, Date.now() - START);
        return { status: 'done' };
      }),
    },
  });
  await until(t, () => Date.now() - START >= 100, '100 ms', 100);
  worker.release(jobs[0]!.id);
  await until(t, () => ranAt.size === 2, 'both messages', 300);
  assert.deepEqual([ranAt.get(jobs[0]!.id), ranAt.get(jobs[1]!.id)], [100, 300]);
  await drain(t, worker, 50);
});

test('a poll finds a job made due from outside (npm run orders -- retry) without being told', async (t) => {
  const store = fresh(t);
  const { order, jobs } = commit(store, ['email']);
  let runs = 0;
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    pollMs: 500,
    handlers: {
      email: handler(async () =>
        ++runs === 1 ? { status: 'failed', reason: 'auth', detail: '535' } : { status: 'done' },
      ),
    },
  });
  await until(t, () => store.job(jobs[0]!.id)?.status === 'failed', 'the first try to fail');
  assert.equal(store.retryOrder(order.id, Date.now()), 1); // another process, no notify()
  const tookMs = await until(t, () => runs === 2, 'the retry', 500);
  assert.ok(tookMs > 0 && tookMs <= 500, `found by the next poll (${tookMs} ms)`);
  await drain(t, worker, 50);
});

test('drain waits for running and due jobs, then stops; what is left stays pending for the next start', async (t) => {
  const store = fresh(t);
  commit(store, ['slow', 'later']);
  let release: () => void = () => {};
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    handlers: {
      slow: handler(async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { status: 'done' };
      }),
      later: handler(async () => ({ status: 'retry', reason: 'busy', detail: 'x', afterMs: 60_000 })),
    },
  });
  await until(t, () => worker.running === 1 && store.counts(0).jobsPending === 2, 'the slow job to start');
  setTimeout(() => release(), 50);
  const { pending, tookMs } = await drain(t, worker, 2000);
  assert.ok(
    tookMs >= 50 && tookMs < 100,
    `waited for the slow job only (${tookMs} ms), not the retry a minute away`,
  );
  assert.equal(pending, 1, 'the job retrying later is still pending');
  t.mock.timers.tick(120_000);
  await settle(t);
  assert.equal(store.counts(0).jobsPending, 1, 'a drained worker starts nothing more');
});

test('an outcome that cannot be written pauses the worker: the write is retried with backoff, the job is never delivered again, and no new job starts meanwhile', async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, ['email']);
  const writes: number[] = [];
  let failWrites = 3;
  const real = store.record.bind(store);
  const flaky: OrderStore = Object.assign(Object.create(store) as OrderStore, {
    record(outcomes: Parameters<OrderStore['record']>[0]) {
      writes.push(Date.now() - START);
      if (failWrites > 0) {
        failWrites--;
        throw new Error('database or disk is full');
      }
      real(outcomes);
    },
  });
  let runs = 0;
  const worker = createOutboxWorker({
    ...queue(flaky),
    log: silentLogger,
    handlers: {
      email: handler(async () => {
        runs++;
        return { status: 'done' };
      }),
    },
  });
  await until(t, () => worker.status().paused, 'the worker to pause', 0);
  const paused = worker.status();
  assert.ok(paused.paused && /disk is full/.test(paused.error) && paused.since === START);
  assert.equal(paused.paused && paused.unwritten, 1);
  commit(store, ['email']); // a new order while paused: it waits
  worker.notify();
  await until(t, () => Date.now() - START >= 1749, 'the last moment of the pause', 1749);
  assert.deepEqual(writes, [0, 250, 750], 'the write is retried after 250 ms, then 500 ms');
  assert.equal(runs, 1, 'nothing ran while paused, and the first job was not run again');
  assert.ok(worker.status().paused);
  await until(t, () => store.job(jobs[0]!.id)?.status === 'done', 'the outcome to be written', 1);
  assert.equal(writes[3], 1750, 'then after 1000 ms, when it succeeds');
  assert.equal(worker.status().paused, false);
  await until(t, () => store.counts(0).jobsPending === 0, 'the second job', 10);
  assert.equal(runs, 2, 'each job delivered once');
  await drain(t, worker, 100);
});

test('a job whose row cannot be read fails alone with its reason; the others are delivered', async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, ['email', 'email', 'email']);
  // A payload that is not JSON, as a damaged row or a hand edit leaves it.
  store.database.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run('{not json', jobs[1]!.id);
  const delivered: number[] = [];
  const worker = createOutboxWorker({
    ...queue(store),
    log: silentLogger,
    handlers: {
      email: handler(async (job) => {
        delivered.push(job.id);
        return { status: 'done' };
      }),
    },
  });
  await until(t, () => store.counts(0).jobsPending === 0, 'every job settled');
  assert.deepEqual(delivered.sort(), [jobs[0]!.id, jobs[2]!.id]);
  const poison = store.job(jobs[1]!.id);
  assert.equal(poison?.status, 'failed');
  assert.equal(poison?.reason, 'bad_row');
  await drain(t, worker, 100);
});

test("a handler's clearPayload forgets the payload in the outcome's own write, when it fails too", async (t) => {
  const store = fresh(t);
  const { jobs } = commit(store, [
    { kind: 'message', payload: { token: 'secret-1' } },
    { kind: 'message', payload: { token: 'secret-2' } },
  ]);
  const worker = createOutboxWorker({
    ...queue(store),
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
  await until(t, () => store.counts(0).jobsPending === 0, 'both settled');
  assert.equal(store.job(jobs[0]!.id)?.payload, undefined);
  assert.equal(store.job(jobs[1]!.id)?.payload, undefined, 'a failed job keeps no token either');
  await drain(t, worker, 100);
});

test('a retry time far ahead (written before the clock was set back) is due at start-up', async (t) => {
  const store = fresh(t);
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
    ...queue(store),
    log: silentLogger,
    handlers: {
      email: handler(async () => {
        runs++;
        return { status: 'done' };
      }),
    },
  });
  assert.equal(await until(t, () => runs === 1, 'the job to run now, not in two hours', 10), 0);
  await drain(t, worker, 100);
});

test('jobs claimed but not started go back to the queue even when the first give-back fails (a database that went away)', async (t) => {
  const store = fresh(t);
  commit(store, ['email', 'email', 'email']);
  const queue0 = queue(store);
  let failGiveBacks = 1;
  const gaveBack: number[][] = [];
  const jobs = {
    ...queue0.jobs,
    async renew(ids: readonly number[], worker: string, until: number) {
      if (until === 0) {
        if (failGiveBacks > 0) {
          failGiveBacks--;
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        }
        gaveBack.push([...ids]);
      }
      return queue0.jobs.renew(ids, worker, until);
    },
  };
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const worker = createOutboxWorker({
    jobs,
    pending: queue0.pending,
    log: silentLogger,
    // One email at a time: the other two are claimed, not started, and must go back.
    handlers: {
      email: handler(
        async () => {
          await held;
          return { status: 'done' };
        },
        { concurrency: 1 },
      ),
    },
    pollMs: 100,
  });
  await until(t, () => worker.running === 1 && failGiveBacks === 0, 'the first give-back to fail');
  await until(t, () => gaveBack.length > 0, 'the give-back to be tried again at the next look');
  assert.equal(gaveBack[0]!.length, 2, 'both jobs that were not started');
  release();
  await until(t, () => store.counts(0).jobsPending === 0, 'every job delivered');
  await drain(t, worker, 50);
});

test('a drain that starts while a claim is on its way waits for the jobs it claimed (PostgreSQL answers a claim over the network)', async (t) => {
  const store = fresh(t);
  const { order } = commit(store, ['email']);
  const inner = jobQueueOver(store);
  let answerClaim = () => {};
  const held = new Promise<void>((resolve) => {
    answerClaim = resolve;
  });
  let claimed = 0;
  const jobs = {
    ...inner,
    // The database has locked the job; its answer is still on the way to this worker.
    claim: async (...args: Parameters<typeof inner.claim>) => {
      const due = await inner.claim(...args);
      claimed += due.length;
      if (due.length > 0) await held;
      return due;
    },
  };
  const runs: number[] = [];
  const worker = createOutboxWorker({
    jobs,
    pending: async () => store.counts(0).jobsPending,
    log: silentLogger,
    handlers: {
      email: handler(async (job) => {
        runs.push(job.id);
        return { status: 'done' };
      }),
    },
  });
  await until(t, () => claimed === 1, 'the claim');
  let left: number | undefined;
  void worker.drain(1000).then((pending) => {
    left = pending;
  });
  for (let ms = 0; ms < 200; ms++) {
    await settle(t);
    t.mock.timers.tick(1);
  }
  assert.equal(left, undefined, 'the drain waits while a claim is on its way');
  answerClaim();
  await until(t, () => left !== undefined, 'the drain', 1000);
  assert.equal(left, 0, 'nothing left pending');
  assert.deepEqual(runs, [1]);
  assert.equal(store.get(order.id)?.status, 'sent');
});
