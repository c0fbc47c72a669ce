/**
 * @module test/store/engine-contract
 * What every order engine must do, as `node:test` tests any engine's test file registers with
 * {@link engineContract}: commits (atomic, with the caps counted where no other commit can change
 * them), claims under leases, prerequisites, outcomes, damaged rows, purge, counts and paging. The
 * tests that open several engines on one database (several processes) run only for an engine
 * that allows it.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type {
  CapRule,
  CommitPlan,
  NewJob,
  NewOrder,
  OrderEngine,
  StoredJob,
} from '../../src/store/engine.ts';

/** One empty database of the engine under test. */
export interface EngineDatabase {
  /** Opens an engine on this database (another "process" each call, when the target is `shared`). */
  open(): Promise<OrderEngine>;
  /** Overwrites a job's stored payload with `raw`, bypassing the engine (a damaged row or a hand edit). */
  damagePayload(jobId: number, raw: string): Promise<void>;
}

/** The engine under test. */
export interface EngineTarget {
  /** A new, empty database. */
  fresh(): Promise<EngineDatabase>;
  /** Whether several engines may open one database at once, as separate processes would. */
  shared: boolean;
}

/** A fixed clock: the tests pass times explicitly. */
const T = 1_700_000_000_000;

const order = (over: Partial<NewOrder> = {}): NewOrder => ({
  orderNumber: 'ORD-1',
  userId: 'u1',
  guildId: 'g1',
  email: 'jane@example.com',
  fields: { order_number: 'ORD-1', shipping_address: '1 Main St' },
  createdAt: T,
  ...over,
});

/** A plan with no caps that writes `jobs`. */
const plain = (jobs: readonly NewJob[]): CommitPlan => ({ caps: [], decide: () => ({ jobs }) });

const ids = (jobs: readonly StoredJob[]) => jobs.map((job) => job.id);

/** Registers the contract's tests for `target`. */
export function engineContract(target: EngineTarget): void {
  /** A fresh database with one engine open on it; every engine opened is closed after the test. */
  const setup = async (t: TestContext) => {
    const db = await target.fresh();
    const opened: OrderEngine[] = [];
    t.after(async () => {
      await Promise.all(opened.map((engine) => engine.close()));
    });
    const open = async () => {
      const engine = await db.open();
      opened.push(engine);
      return engine;
    };
    const engine = await open();
    /** `count` engines as separate processes, or the one engine again when the target cannot share. */
    const more = async (count: number) =>
      target.shared
        ? Promise.all(Array.from({ length: count }, open))
        : Array.from({ length: count }, () => engine);
    return { db, engine, open, more };
  };

  // Only where several processes may open one database (not SQLite: one process per data folder).
  if (target.shared)
    test('engines opened together on a new database migrate it once and share its store ID', async (t) => {
      const db = await target.fresh();
      const engines = await Promise.all([db.open(), db.open(), db.open()]);
      t.after(() => Promise.all(engines.map((engine) => engine.close())));
      assert.match(engines[0]!.orders.storeId, /^[0-9a-f]{16}$/);
      assert.equal(new Set(engines.map((engine) => engine.orders.storeId)).size, 1);
      const again = await db.open();
      assert.equal(again.orders.storeId, engines[0]!.orders.storeId, 'reopening keeps the ID');
      await again.close();
    });

  test('an order commits with its jobs: IDs, prerequisites, delays, status and the form', async (t) => {
    const { engine } = await setup(t);
    const form = { id: 'f1', definition: '{"steps":[]}' };
    const a = await engine.orders.commit(
      order({ form, language: 'de' }),
      plain([
        { kind: 'email', payload: { to: 'x' } },
        { kind: 'staff', after: 0 },
        { kind: 'note', after: 1, affectsStatus: false, delayMs: 500 },
      ]),
    );
    const b = await engine.orders.commit(order({ userId: 'u2', guildId: undefined, form }), plain([]));
    assert.notEqual(a.order.id, b.order.id);
    assert.equal(a.order.status, 'pending');
    assert.equal(a.order.formId, 'f1');
    assert.equal(a.order.language, 'de', "the customer's language is kept with the order");
    assert.equal(b.order.language, null, 'none given: none stored');
    assert.equal(b.order.status, 'sent', 'no jobs: nothing outstanding');
    assert.equal(b.order.guildId, null);
    assert.deepEqual(
      a.jobs.map((job) => [job.kind, job.status, job.afterJob, job.payload, job.nextAt, job.attempts]),
      [
        ['email', 'pending', null, { to: 'x' }, T, 0],
        ['staff', 'pending', a.jobs[0]!.id, undefined, T, 0],
        ['note', 'pending', a.jobs[1]!.id, undefined, T + 500, 0],
      ],
    );
    assert.deepEqual(await engine.orders.get(a.order.id), a.order);
    assert.deepEqual(await engine.orders.jobsOf(a.order.id), a.jobs);
    assert.deepEqual(await engine.jobs.job(a.jobs[0]!.id), a.jobs[0]);
    assert.equal(await engine.orders.get(a.order.id + 1000), undefined);
    assert.equal(await engine.jobs.job(a.jobs[0]!.id + 1000), undefined);
    assert.deepEqual(await engine.orders.forms(), [form], 'a form is kept once');
    assert.equal(await engine.orders.formDefinition('f1'), form.definition);
    assert.equal(await engine.orders.formDefinition('nope'), undefined);

    const only = await engine.orders.commit(order(), plain([{ kind: 'note', affectsStatus: false }]));
    assert.equal(only.order.status, 'sent', 'only jobs that do not affect the status: sent at once');
    assert.equal((await engine.orders.get(only.order.id))?.status, 'sent');
    assert.deepEqual(engine.orders.writeStatus(), { ok: true });
  });

  test('a commit whose plan fails, or whose job cannot be written, writes nothing', async (t) => {
    const { engine } = await setup(t);
    await assert.rejects(
      engine.orders.commit(order(), {
        caps: [],
        decide: () => {
          throw new Error('plan refused');
        },
      }),
      /plan refused/,
    );
    await assert.rejects(
      engine.orders.commit(
        order({ form: { id: 'f', definition: '{}' } }),
        plain([{ kind: 'email' }, { kind: 'bad', payload: 1n }]),
      ),
    );
    assert.deepEqual(await engine.orders.list(), []);
    assert.deepEqual(await engine.orders.forms(), []);
    assert.equal(await engine.orders.countJobs('email', 0, 100), 0);
    const committed = await engine.orders.commit(order(), plain([{ kind: 'email' }]));
    assert.equal((await engine.orders.list()).length, 1);
    assert.deepEqual(ids(await engine.orders.jobsOf(committed.order.id)), ids(committed.jobs));
    assert.deepEqual(engine.orders.writeStatus(), { ok: true }, 'a successful write clears the status');
    assert.deepEqual(await engine.orders.probe(T), { ok: true });
  });

  test('the caps count per mailbox, server and user, up to atMost; createdSince is newest first', async (t) => {
    const { engine } = await setup(t);
    const email = (over: Partial<NewOrder>) => engine.orders.commit(order(over), plain([{ kind: 'email' }]));
    await email({ email: 'jane@example.com', createdAt: T });
    await email({ email: 'Jane+shop@Example.com', guildId: 'g2', createdAt: T + 10 });
    await email({ email: 'j.o.e@googlemail.com', userId: 'u2', createdAt: T + 20 });
    await email({ email: 'joe@gmail.com', userId: 'u2', guildId: undefined, createdAt: T + 30 });
    const count = engine.orders.countJobs.bind(engine.orders);
    assert.equal(await count('email', T, 100), 4);
    assert.equal(await count('email', T, 2), 2, 'stops at atMost');
    assert.equal(await count('email', T + 15, 100), 2, 'since');
    assert.equal(await count('staff', T, 100), 0, 'kind');
    assert.equal(await count('email', T, 100, { email: 'JANE@example.com' }), 2, 'one mailbox, any spelling');
    assert.equal(await count('email', T, 100, { email: 'joe@gmail.com' }), 2);
    assert.equal(await count('email', T, 100, { guildId: 'g1' }), 2);
    assert.equal(await count('email', T, 100, { userId: 'u2' }), 2);
    assert.equal(await count('email', T, 100, { email: 'jane@example.com', userId: 'u2' }), 2, 'email first');
    assert.deepEqual(await engine.orders.createdSince('u2', T), [T + 30, T + 20]);
    assert.deepEqual(await engine.orders.createdSince('u2', T + 25), [T + 30]);
    // Two kinds counted together (the hourly ceilings count status emails too).
    const { order: placed } = await email({ email: 'ann@example.com', createdAt: T + 40 });
    await engine.orders.changeStatus(
      { orderId: placed.id, from: 'received', to: 'accepted', actor: 'cli', at: T + 50 },
      () => [{ kind: 'status_email' }],
    );
    assert.equal(await count(['email', 'status_email'], T, 100), 6);
    assert.equal(await count(['email', 'status_email'], T, 100, { guildId: 'g1' }), 4);
    assert.equal(await count(['email', 'status_email'], T, 100, { email: 'ann@example.com' }), 2);
    assert.equal(await count('email', T, 100, { email: 'ann@example.com' }), 1, 'one kind alone');
  });

  test('1,200 createdSince reads at once, for 300 users with their own windows: each gets its own orders', async (t) => {
    const { engine } = await setup(t);
    const user = (i: number) => `u${i}`;
    for (let i = 0; i < 300; i++) {
      for (let k = 0; k < i % 3; k++) {
        await engine.orders.commit(order({ userId: user(i), createdAt: T + i * 10 + k }), plain([]));
      }
    }
    const reads = Array.from({ length: 1200 }, (_, n) => ({
      i: n % 300,
      since: T + (n % 300) * 10 + (n % 4) - 1,
    }));
    const results = await Promise.all(
      reads.map(({ i, since }) => engine.orders.createdSince(user(i), since)),
    );
    reads.forEach(({ i, since }, n) => {
      const expected = Array.from({ length: i % 3 }, (_, k) => T + i * 10 + k)
        .filter((at) => at >= since)
        .reverse();
      assert.deepEqual(results[n], expected, `u${i} since +${since - T}`);
    });
  });

  test('a session committed again, by the same or another process, returns its first order and writes nothing', async (t) => {
    const { engine, more } = await setup(t);
    const [a, b] = await more(2);
    const jobs: NewJob[] = [{ kind: 'email' }, { kind: 'staff' }];
    const keyed = (over: Partial<NewOrder> = {}) => order({ sessionKey: 'nonce-1', ...over });
    const results = await Promise.all([
      a!.orders.commit(keyed(), plain(jobs)),
      b!.orders.commit(keyed({ createdAt: T + 5 }), plain(jobs)),
      a!.orders.commit(keyed({ orderNumber: 'ORD-again' }), plain(jobs)),
    ]);
    const made = results.filter((r) => !r.existing);
    assert.equal(made.length, 1, 'one commit makes the order');
    const [first] = made;
    for (const r of results) {
      assert.equal(r.order.id, first!.order.id, 'every commit answers with that order');
      assert.deepEqual(ids(r.jobs), ids(first!.jobs), 'and its jobs');
    }
    assert.equal((await engine.orders.list()).length, 1);
    assert.equal((await engine.orders.jobsOf(first!.order.id)).length, 2, 'no second set of jobs');
    const other = await a!.orders.commit(order({ sessionKey: 'nonce-2' }), plain(jobs));
    assert.ok(!other.existing && other.order.id !== first!.order.id, 'another session is another order');
    const unkeyed = await Promise.all([
      engine.orders.commit(order(), plain([])),
      engine.orders.commit(order(), plain([])),
    ]);
    assert.notEqual(unkeyed[0].order.id, unkeyed[1].order.id, 'orders without a session key never collide');
    assert.equal((await engine.orders.list()).length, 4);
  });

  test('ten orders committed at once by two processes: a cap of 3 lets exactly 3 emails through', async (t) => {
    const { more } = await setup(t);
    const engines = await more(2);
    const cap: CapRule = {
      reason: 'per_address',
      kind: 'email',
      since: T - 1000,
      limit: 3,
      filter: { email: 'jane@example.com' },
    };
    const refusedSeen: (CapRule | undefined)[] = [];
    const plan: CommitPlan = {
      caps: [{ reason: 'global', kind: 'email', since: T - 1000, limit: 100 }, cap],
      decide(refused) {
        refusedSeen.push(refused);
        return refused
          ? { jobs: [{ kind: 'staff' }], emailRefused: refused.reason }
          : { jobs: [{ kind: 'email' }, { kind: 'staff' }] };
      },
    };
    const committed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        engines[i % 2]!.orders.commit(
          order({ email: i % 3 ? 'jane@example.com' : 'JANE+x@example.com', createdAt: T + i }),
          plan,
        ),
      ),
    );
    const orders = engines[0]!.orders;
    assert.equal(await orders.countJobs('email', 0, 100), 3);
    assert.equal(await orders.countJobs('staff', 0, 100), 10);
    assert.equal(committed.filter((c) => c.order.emailRefused === 'per_address').length, 7);
    assert.equal(refusedSeen.filter((rule) => rule === cap).length, 7, 'the refusing cap is the one passed');
    const stored = await orders.list();
    assert.equal(stored.filter((o) => o.emailRefused === 'per_address').length, 7);
  });

  test('three workers claiming 1,000 jobs at once in batches each get distinct jobs while the leases last', async (t) => {
    const { engine, more } = await setup(t);
    const commits: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      const jobs = Array.from({ length: 10 }, (_, k): NewJob => ({ kind: `k${k}`, payload: { i, k } }));
      commits.push(engine.orders.commit(order({ createdAt: T + i }), plain(jobs)));
    }
    await Promise.all(commits);
    const workers = await more(3);
    const now = T + 1000;
    const claimedBy = await Promise.all(
      workers.map(async (worker, w) => {
        const mine: number[] = [];
        for (;;) {
          const batch = await worker.jobs.claim(now, 25, `w${w}`, now + 60_000);
          if (batch.length === 0) return mine;
          mine.push(...ids(batch));
        }
      }),
    );
    const all = claimedBy.flat();
    assert.equal(all.length, 1000, 'every job claimed');
    assert.equal(new Set(all).size, 1000, 'no job claimed twice');
    if (target.shared)
      assert.ok(
        claimedBy.every((mine) => mine.length > 0),
        'all three workers took part',
      );
    assert.deepEqual(
      await workers[0]!.jobs.claim(now + 30_000, 100, 'late', now + 90_000),
      [],
      'leases still live',
    );
    assert.equal(await engine.jobs.nextDueAt(now + 30_000), undefined, 'nothing unclaimed is pending');
    const again = await workers[1]!.jobs.claim(now + 60_001, 2000, 'late', now + 120_000);
    assert.equal(again.length, 1000, 'every lease ran out: all claimable again');
  });

  test('claims: oldest first, leases that run out, renew by the holder only, and giving a claim back', async (t) => {
    const { engine, more } = await setup(t);
    const [a, b] = await more(2);
    const first = await engine.orders.commit(order({ createdAt: T }), plain([{ kind: 'email' }]));
    const second = await engine.orders.commit(
      order({ createdAt: T + 10 }),
      plain([{ kind: 'email', delayMs: 100 }]),
    );
    assert.deepEqual(ids(await a!.jobs.claim(T + 5, 10, 'a', T + 1000)), ids(first.jobs), 'only what is due');
    assert.equal(await a!.jobs.nextDueAt(T + 5), T + 110, 'the next unclaimed one');
    assert.deepEqual(
      ids(await b!.jobs.claim(T + 500, 10, 'b', T + 9000)),
      ids(second.jobs),
      "a's claim holds",
    );
    await a!.jobs.renew(ids(first.jobs), 'b', T + 9000); // not b's: no effect
    assert.deepEqual(
      ids(await b!.jobs.claim(T + 1001, 10, 'b', T + 3000)),
      ids(first.jobs),
      "a's lease ran out",
    );
    await b!.jobs.renew(ids(first.jobs), 'b', T + 5000);
    assert.deepEqual(await a!.jobs.claim(T + 4000, 10, 'a', T + 9000), [], 'b renewed until T+5000');
    await b!.jobs.renew(ids(first.jobs), 'b', 0); // given back
    assert.deepEqual(
      ids(await a!.jobs.claim(T + 4000, 10, 'a', T + 9000)),
      ids(first.jobs),
      'given back at once',
    );
    await a!.jobs.markStarted(first.jobs[0]!.id, T + 4001);
    assert.equal((await engine.jobs.job(first.jobs[0]!.id))?.startedAt, T + 4001);
  });

  test('a job waits until its prerequisite settles (done or failed), not while it retries', async (t) => {
    const { engine } = await setup(t);
    const one = await engine.orders.commit(order(), plain([{ kind: 'email' }, { kind: 'staff', after: 0 }]));
    const two = await engine.orders.commit(order(), plain([{ kind: 'email' }, { kind: 'staff', after: 0 }]));
    const [email1, staff1] = one.jobs;
    const [email2, staff2] = two.jobs;
    assert.deepEqual(ids(await engine.jobs.claim(T, 10, 'w', T + 100)), [email1!.id, email2!.id]);
    await engine.jobs.record([
      { jobId: email1!.id, status: 'retry', nextAt: T + 50, reason: 'busy', detail: '421', at: T + 1 },
      { jobId: email2!.id, status: 'failed', reason: 'rejected', detail: '550', at: T + 1 },
    ]);
    assert.deepEqual(
      ids(await engine.jobs.claim(T + 2, 10, 'w', T + 100)),
      [staff2!.id],
      'a failed prerequisite has settled',
    );
    assert.equal(await engine.jobs.nextDueAt(T + 2), T + 50, 'the retry, not its dependant');
    await engine.jobs.record([{ jobId: email1!.id, status: 'done', result: 'ok', at: T + 60 }]);
    assert.deepEqual(ids(await engine.jobs.claim(T + 60, 10, 'w', T + 200)), [staff1!.id]);
  });

  test('outcomes: done, retry and failed, payloads cleared, the order status, and retries of failed jobs', async (t) => {
    const { engine } = await setup(t);
    const { order: stored, jobs } = await engine.orders.commit(
      order(),
      plain([
        { kind: 'email', payload: { secret: 1 } },
        { kind: 'staff', payload: { p: 2 } },
        { kind: 'note', affectsStatus: false, payload: { n: 3 } },
      ]),
    );
    const [email, staff, note] = jobs.map((job) => job.id) as [number, number, number];
    const statusOf = async () => (await engine.orders.get(stored.id))?.status;
    await engine.jobs.claim(T, 10, 'w', T + 1000);
    await engine.jobs.record([
      { jobId: email, status: 'done', result: 'sent <id@x>', at: T + 1, clearPayload: true },
      { jobId: staff, status: 'retry', nextAt: T + 500, reason: 'timeout', detail: 'no answer', at: T + 1 },
      { jobId: note, status: 'failed', reason: 'bad', detail: 'nope', at: T + 1 },
    ]);
    const after = await engine.orders.jobsOf(stored.id);
    assert.deepEqual(
      after.map((job) => [
        job.status,
        job.attempts,
        job.reason,
        job.detail,
        job.result,
        job.payload,
        job.updatedAt,
      ]),
      [
        ['done', 1, null, null, 'sent <id@x>', undefined, T + 1],
        ['pending', 1, 'timeout', 'no answer', null, { p: 2 }, T + 1],
        ['failed', 1, 'bad', 'nope', null, { n: 3 }, T + 1],
      ],
    );
    assert.equal(after[1]!.nextAt, T + 500);
    assert.equal(await statusOf(), 'pending', 'a failed job that does not affect the status leaves it');
    assert.deepEqual(await engine.jobs.claim(T + 2, 10, 'w2', T + 1000), [], 'the retry waits for its time');
    assert.deepEqual(
      ids(await engine.jobs.claim(T + 500, 10, 'w2', T + 1000)),
      [staff],
      'the outcome ended the claim',
    );
    await engine.jobs.record([
      { jobId: staff, status: 'failed', reason: 'gave_up', detail: '3 tries', at: T + 501 },
    ]);
    assert.equal(await statusOf(), 'failed');
    await engine.jobs.record([{ jobId: staff, status: 'done', result: undefined, at: T + 502 }]);
    assert.equal((await engine.jobs.job(staff))?.status, 'failed', 'a settled job is not changed again');

    const counts = await engine.orders.counts(0);
    assert.equal(counts.jobsFailed, 2);
    assert.equal(await engine.jobs.retryOrder(stored.id, T + 600), 2);
    assert.equal(await statusOf(), 'pending');
    const retried = await engine.jobs.job(staff);
    assert.deepEqual([retried?.status, retried?.attempts, retried?.nextAt], ['pending', 0, T + 600]);
    await engine.jobs.claim(T + 600, 10, 'w', T + 2000);
    await engine.jobs.record([
      { jobId: staff, status: 'done', result: undefined, at: T + 601, clearPayload: true },
      { jobId: note, status: 'failed', reason: 'bad', detail: 'again', at: T + 601 },
    ]);
    assert.equal(await statusOf(), 'sent', 'every job that affects the status is done');
    assert.equal((await engine.jobs.job(staff))?.payload, undefined);
    assert.equal(await engine.jobs.retryAllFailed(T + 700), 1);
    assert.equal((await engine.jobs.job(note))?.status, 'pending');
    assert.equal(await statusOf(), 'sent', 'the note does not affect the status');
    assert.equal(await engine.jobs.retryAllFailed(T + 700), 0);
  });

  test('two workers settling the two jobs of each order at once leave every order sent', async (t) => {
    const { engine, more } = await setup(t);
    const [a, b] = await more(2);
    const committed = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        engine.orders.commit(order({ createdAt: T + i }), plain([{ kind: 'email' }, { kind: 'staff' }])),
      ),
    );
    const settle = (worker: OrderEngine, index: number) =>
      Promise.all(
        committed.map(({ jobs }) =>
          worker.jobs.record([{ jobId: jobs[index]!.id, status: 'done', result: undefined, at: T + 100 }]),
        ),
      );
    await Promise.all([settle(a!, 0), settle(b!, 1)]);
    const statuses = await Promise.all(
      committed.map(async (c) => (await engine.orders.get(c.order.id))?.status),
    );
    assert.deepEqual(new Set(statuses), new Set(['sent']));
  });

  test('a job whose payload is not JSON fails alone as bad_row; the others are claimed', async (t) => {
    const { db, engine } = await setup(t);
    const { order: stored, jobs } = await engine.orders.commit(
      order(),
      plain([
        { kind: 'email', payload: { a: 1 } },
        { kind: 'staff', payload: { b: 2 } },
      ]),
    );
    await db.damagePayload(jobs[0]!.id, '{not json');
    const claimed = await engine.jobs.claim(T, 10, 'w', T + 1000);
    assert.deepEqual(ids(claimed), [jobs[1]!.id]);
    assert.deepEqual(claimed[0]!.payload, { b: 2 });
    const bad = await engine.jobs.job(jobs[0]!.id);
    assert.equal(bad?.status, 'failed');
    assert.equal(bad?.reason, 'bad_row');
    assert.match(bad?.detail ?? '', /^cannot read the job: its payload is not JSON/);
    assert.match(bad?.damaged ?? '', /not JSON/);
    assert.equal((await engine.orders.get(stored.id))?.status, 'failed');
    assert.deepEqual(await engine.jobs.claim(T, 10, 'w2', T + 1000), []);
  });

  test('release, pullIn and nextDueAt move pending jobs in time', async (t) => {
    const { engine } = await setup(t);
    assert.equal(await engine.jobs.nextDueAt(T), undefined);
    const { jobs } = await engine.orders.commit(
      order(),
      plain([
        { kind: 'a', delayMs: 10_000 },
        { kind: 'b', delayMs: 1e9 },
      ]),
    );
    assert.equal(await engine.jobs.nextDueAt(T), T + 10_000);
    await engine.jobs.release(jobs[0]!.id, T + 5);
    assert.equal((await engine.jobs.job(jobs[0]!.id))?.nextAt, T + 5);
    await engine.jobs.release(jobs[0]!.id, T + 50); // never later
    assert.equal((await engine.jobs.job(jobs[0]!.id))?.nextAt, T + 5);
    assert.equal(await engine.jobs.pullIn(T + 1e8, T + 6), 1);
    assert.equal((await engine.jobs.job(jobs[1]!.id))?.nextAt, T + 6);
    assert.equal(await engine.jobs.pullIn(T + 1e8, T + 6), 0);
  });

  test('counts: orders in all and since, jobs pending, retrying and failed, the oldest pending', async (t) => {
    const { engine } = await setup(t);
    assert.deepEqual(await engine.orders.counts(0), {
      ordersTotal: 0,
      ordersSince: 0,
      jobsPending: 0,
      jobsRetrying: 0,
      jobsFailed: 0,
      oldestPendingAt: undefined,
      byLifecycle: { received: 0, accepted: 0, shipped: 0, delivered: 0, cancelled: 0 },
    });
    const a = await engine.orders.commit(
      order({ createdAt: T }),
      plain([{ kind: 'x' }, { kind: 'y' }, { kind: 'z' }]),
    );
    await engine.orders.commit(order({ createdAt: T + 100 }), plain([{ kind: 'x' }]));
    const [x, y, z] = ids(a.jobs);
    await engine.jobs.record([
      { jobId: x!, status: 'done', result: undefined, at: T + 1 },
      { jobId: y!, status: 'retry', nextAt: T + 9, reason: 'r', detail: 'd', at: T + 1 },
      { jobId: z!, status: 'failed', reason: 'r', detail: 'd', at: T + 1 },
    ]);
    assert.deepEqual(await engine.orders.counts(T + 50), {
      ordersTotal: 2,
      ordersSince: 1,
      jobsPending: 2,
      jobsRetrying: 1,
      jobsFailed: 1,
      oldestPendingAt: T,
      byLifecycle: { received: 2, accepted: 0, shipped: 0, delivered: 0, cancelled: 0 },
    });
  });

  test('a status change commits with its event and jobs; history, filters and counts follow it', async (t) => {
    const { engine } = await setup(t);
    const { order: placed } = await engine.orders.commit(order(), plain([{ kind: 'email' }]));
    assert.equal(placed.lifecycle, 'received');
    assert.equal(placed.lifecycleAt, null);
    const accepted = await engine.orders.changeStatus(
      { orderId: placed.id, from: 'received', to: 'accepted', actor: '111', at: T + 10 },
      (changed, event) => [
        { kind: 'status_email', payload: { event: event.id, to: changed.lifecycle } },
        { kind: 'dm', payload: { event: event.id } },
      ],
    );
    assert.ok(accepted.ok);
    assert.equal(accepted.order.lifecycle, 'accepted');
    assert.equal(accepted.order.lifecycleAt, T + 10);
    assert.equal(accepted.order.status, 'pending', 'the delivery state is its own');
    assert.deepEqual(
      accepted.jobs.map((job) => [job.kind, job.nextAt, job.status, job.payload]),
      [
        ['status_email', T + 10, 'pending', { event: accepted.event.id, to: 'accepted' }],
        ['dm', T + 10, 'pending', { event: accepted.event.id }],
      ],
    );
    const shipped = await engine.orders.changeStatus(
      {
        orderId: placed.id,
        from: 'accepted',
        to: 'shipped',
        actor: 'cli',
        at: T + 20,
        trackingNumber: '1Z999',
        trackingUrl: 'https://track.example/1Z999',
      },
      () => [],
    );
    assert.ok(shipped.ok);
    assert.equal(shipped.order.trackingNumber, '1Z999');
    assert.equal(shipped.order.trackingUrl, 'https://track.example/1Z999');
    const history = await engine.orders.history(placed.id);
    assert.deepEqual(
      history.map(({ actor, from, to, at, trackingNumber, reason }) => ({
        actor,
        from,
        to,
        at,
        trackingNumber,
        reason,
      })),
      [
        { actor: '111', from: 'received', to: 'accepted', at: T + 10, trackingNumber: null, reason: null },
        { actor: 'cli', from: 'accepted', to: 'shipped', at: T + 20, trackingNumber: '1Z999', reason: null },
      ],
    );
    // The notification jobs leave the order's delivery state alone once its own jobs are done.
    const [email] = await engine.jobs.claim(T + 30, 1, 'w', T + 60);
    assert.equal(email?.kind, 'email');
    await engine.jobs.record([{ jobId: email!.id, status: 'done', result: undefined, at: T + 31 }]);
    assert.equal((await engine.orders.get(placed.id))?.status, 'sent');
    await engine.orders.commit(order({ userId: 'u2', createdAt: T + 40 }), plain([]));
    assert.deepEqual(
      (await engine.orders.list({ lifecycle: 'shipped' })).map((o) => o.id),
      [placed.id],
    );
    assert.deepEqual(
      (await engine.orders.list({ userId: 'u2' })).map((o) => o.userId),
      ['u2'],
    );
    const counts = await engine.orders.counts(0);
    assert.deepEqual(counts.byLifecycle, {
      received: 1,
      accepted: 0,
      shipped: 1,
      delivered: 0,
      cancelled: 0,
    });
  });

  test('a change from a status the order has left writes nothing and says who moved it; a missing order is missing', async (t) => {
    const { engine } = await setup(t);
    const { order: placed } = await engine.orders.commit(order(), plain([]));
    const cancelled = await engine.orders.changeStatus(
      {
        orderId: placed.id,
        from: 'received',
        to: 'cancelled',
        actor: '222',
        at: T + 5,
        reason: 'Out of stock',
      },
      () => [{ kind: 'dm' }],
    );
    assert.ok(cancelled.ok);
    const late = await engine.orders.changeStatus(
      { orderId: placed.id, from: 'received', to: 'accepted', actor: '333', at: T + 6 },
      () => [{ kind: 'dm' }],
    );
    assert.equal(late.ok, false);
    assert.ok(!late.ok && late.reason === 'stale');
    assert.equal(late.order.lifecycle, 'cancelled');
    assert.equal(late.last?.actor, '222');
    assert.equal(late.last?.reason, 'Out of stock');
    assert.equal((await engine.orders.history(placed.id)).length, 1);
    assert.equal((await engine.orders.jobsOf(placed.id)).length, 1, 'only the winner wrote its job');
    const missing = await engine.orders.changeStatus(
      { orderId: 999_999, from: 'received', to: 'accepted', actor: '333', at: T + 6 },
      () => [],
    );
    assert.deepEqual(missing, { ok: false, reason: 'missing' });
  });

  test('two processes changing one order at once: exactly one change wins', async (t) => {
    const { engine, more } = await setup(t);
    const { order: placed } = await engine.orders.commit(order(), plain([]));
    const engines = await more(2);
    const results = await Promise.all(
      engines.flatMap((each, i) => [
        each.orders.changeStatus(
          { orderId: placed.id, from: 'received', to: 'cancelled', actor: `c${i}`, at: T + 1, reason: 'r' },
          () => [{ kind: 'dm' }],
        ),
        each.orders.changeStatus(
          { orderId: placed.id, from: 'received', to: 'accepted', actor: `a${i}`, at: T + 1 },
          () => [{ kind: 'dm' }],
        ),
      ]),
    );
    assert.equal(results.filter((result) => result.ok).length, 1);
    assert.equal((await engine.orders.history(placed.id)).length, 1);
    assert.equal((await engine.orders.jobsOf(placed.id)).length, 1);
  });

  test('purge blanks the personal data of older orders and their jobs, once', async (t) => {
    const { engine } = await setup(t);
    const old = await engine.orders.commit(
      order({ createdAt: T, form: { id: 'f', definition: '{}' } }),
      plain([{ kind: 'email', payload: { to: 'jane@example.com' } }]),
    );
    await engine.jobs.record([
      {
        jobId: old.jobs[0]!.id,
        status: 'failed',
        reason: 'rejected',
        detail: 'jane@example.com: 550',
        at: T + 1,
      },
    ]);
    // Its history: shipped by staff with tracking, then (say) cancelled by the customer.
    await engine.orders.changeStatus(
      { orderId: old.order.id, from: 'received', to: 'accepted', actor: 'staff1', at: T + 2 },
      () => [],
    );
    await engine.orders.changeStatus(
      {
        orderId: old.order.id,
        from: 'accepted',
        to: 'shipped',
        actor: 'staff1',
        at: T + 3,
        trackingNumber: 'TRACK-1',
        trackingUrl: 'https://track.example/SW1A1AA',
      },
      () => [],
    );
    await engine.orders.changeStatus(
      {
        orderId: old.order.id,
        from: 'shipped',
        to: 'cancelled',
        actor: 'u1',
        at: T + 4,
        reason: 'my address: 1 Main St',
      },
      () => [],
    );
    const recent = await engine.orders.commit(
      order({ createdAt: T + 1000 }),
      plain([{ kind: 'email', payload: { to: 'x' } }]),
    );
    assert.equal(await engine.orders.purge(T + 500, T + 2000), 1);
    const purged = await engine.orders.get(old.order.id);
    assert.deepEqual(purged, {
      ...old.order,
      status: 'failed',
      email: '',
      userId: '',
      fields: {},
      purgedAt: T + 2000,
      lifecycle: 'cancelled',
      lifecycleAt: T + 4,
    });
    const events = await engine.orders.history(old.order.id);
    assert.deepEqual(
      events.map((e) => [e.actor, e.to, e.trackingNumber ?? null, e.trackingUrl ?? null, e.reason ?? null]),
      [
        ['staff1', 'accepted', null, null, null],
        ['staff1', 'shipped', null, null, null],
        ['customer', 'cancelled', null, null, null],
      ],
      "no tracking, reason or customer's ID left in the history",
    );
    const [job] = await engine.orders.jobsOf(old.order.id);
    assert.deepEqual([job?.payload, job?.detail, job?.reason], [undefined, null, 'rejected']);
    assert.equal(
      await engine.orders.countJobs('email', 0, 10, { email: 'jane@example.com' }),
      1,
      'no mailbox key left',
    );
    assert.deepEqual(await engine.orders.createdSince('u1', 0), [T + 1000]);
    assert.deepEqual(await engine.orders.get(recent.order.id), recent.order);
    assert.deepEqual((await engine.orders.jobsOf(recent.order.id))[0]?.payload, { to: 'x' });
    assert.equal(await engine.orders.purge(T + 500, T + 3000), 0, 'already purged');
    assert.equal((await engine.orders.get(old.order.id))?.purgedAt, T + 2000);
  });

  test('each pages through 2,500 orders oldest first; list is newest first with its filters', async (t) => {
    const { engine } = await setup(t);
    const total = 2500;
    for (let start = 0; start < total; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          engine.orders.commit(order({ orderNumber: `N${start + k}`, createdAt: T + start + k }), plain([])),
        ),
      );
    }
    const seen: number[] = [];
    for await (const stored of engine.orders.each()) seen.push(stored.id);
    assert.equal(seen.length, total);
    assert.ok(
      seen.every((id, i) => i === 0 || id > seen[i - 1]!),
      'oldest first',
    );
    let since = 0;
    for await (const stored of engine.orders.each({ since: T + 2000 })) {
      assert.ok(stored.createdAt >= T + 2000);
      since++;
    }
    assert.equal(since, 500);
    let pending = 0;
    for await (const _ of engine.orders.each({ status: 'pending' })) pending++;
    assert.equal(pending, 0, 'no jobs: all sent');
    const newest = await engine.orders.list({ limit: 3 });
    assert.deepEqual(
      newest.map((o) => o.id),
      seen.slice(-3).reverse(),
    );
    assert.equal((await engine.orders.list({ since: T + 2400, status: 'sent' })).length, 100);
    assert.equal((await engine.orders.list()).length, total);
  });
}
