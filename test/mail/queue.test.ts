import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMailQueue, type MailOutcome, type MailQueueOptions } from '../../src/mail/queue.ts';
import { classifyMailError } from '../../src/mail/transport.ts';

/** A queue with the real classifier, and the events it reported (what the counters are fed). */
function queueOf<J>(options: Omit<MailQueueOptions<J>, 'classify'>) {
  const seen = { retries: 0, outcomes: [] as MailOutcome[] };
  const queue = createMailQueue<J>({
    classify: classifyMailError,
    onRetry: () => seen.retries++,
    onOutcome: (outcome) => seen.outcomes.push(outcome),
    ...options,
  });
  return Object.assign(queue, { seen });
}

const smtpError = (responseCode: number) =>
  Object.assign(new Error(`${responseCode} reply`), { responseCode, code: 'EENVELOPE' });
const connError = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' });

test('a delivered job settles once and is counted', async () => {
  const sent: number[] = [];
  const queue = queueOf<number>({ send: async (job) => void sent.push(job) });
  const result = queue.enqueue(1);
  assert.ok(result.accepted);
  assert.deepEqual(await result.done, { status: 'delivered', attempts: 1 });
  assert.deepEqual(sent, [1]);
  assert.deepEqual(queue.seen, { retries: 0, outcomes: [{ status: 'delivered', attempts: 1 }] });
  assert.equal(queue.size, 0);
});

test('transient failures (connection, 421, 450-452) are retried with backoff until delivered', async () => {
  const failures = [connError(), smtpError(421), smtpError(451)];
  const delays: number[] = [];
  let last = Date.now();
  const queue = queueOf<string>({
    initialDelayMs: 20,
    random: () => 0.5,
    send: async () => {
      const now = Date.now();
      delays.push(now - last);
      last = now;
      const failure = failures.shift();
      if (failure) throw failure;
    },
  });
  const result = queue.enqueue('x');
  assert.ok(result.accepted);
  assert.deepEqual(await result.done, { status: 'delivered', attempts: 4 });
  assert.equal(queue.seen.retries, 3);
  // 20, 40, 80 ms (random 0.5 means no jitter shift)
  assert.ok(delays[1]! >= 18 && delays[2]! >= 38 && delays[3]! >= 78, String(delays));
});

test('permanent failures (535, 550, 553, 554) are not retried', async () => {
  for (const code of [535, 550, 553, 554]) {
    let attempts = 0;
    const queue = queueOf<string>({
      initialDelayMs: 1,
      send: async () => {
        attempts++;
        throw smtpError(code);
      },
    });
    const result = queue.enqueue('x');
    assert.ok(result.accepted);
    const outcome = await result.done;
    assert.equal(outcome.status, 'failed');
    assert.equal(attempts, 1, `code ${code} retried`);
    assert.deepEqual(
      queue.seen.outcomes.map((o) => o.status),
      ['failed'],
    );
  }
});

test('gives up after maxAttempts', async () => {
  const queue = queueOf<string>({
    maxAttempts: 3,
    initialDelayMs: 1,
    send: async () => Promise.reject(connError()),
  });
  const result = queue.enqueue('x');
  assert.ok(result.accepted);
  const outcome = await result.done;
  assert.equal(outcome.status, 'gave_up');
  assert.equal(outcome.attempts, 3);
  assert.equal(outcome.status === 'gave_up' ? outcome.reason : '', 'unreachable');
});

test('a full queue is reported to the caller', () => {
  const queue = queueOf<number>({ capacity: 2, concurrency: 1, send: () => new Promise(() => {}) });
  assert.ok(queue.enqueue(1).accepted);
  assert.ok(queue.enqueue(2).accepted);
  assert.deepEqual(queue.enqueue(3), { accepted: false, reason: 'full' });
  assert.equal(queue.size, 2);
});

test('drain stops intake, waits for work in flight, and settles what could not be sent', async () => {
  let release: () => void = () => {};
  const queue = queueOf<number>({
    concurrency: 1,
    initialDelayMs: 60_000,
    send: (job) =>
      job === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.reject(connError()),
  });
  const first = queue.enqueue(1);
  const second = queue.enqueue(2);
  assert.ok(first.accepted && second.accepted);
  setTimeout(() => release(), 30);
  const left = await queue.drain(200);
  assert.equal(left, 1, 'job 2 is waiting for a retry a minute away');
  assert.equal((await first.done).status, 'delivered');
  assert.equal((await second.done).status, 'gave_up');
  assert.deepEqual(queue.enqueue(3), { accepted: false, reason: 'closed' });
});
