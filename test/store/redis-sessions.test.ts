import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { createLogger } from '../../src/log.ts';
import type { OrderSession, SessionEndReason, SessionStore } from '../../src/store/engine.ts';
import { createRedisSessionStore, type RedisSessionStoreOptions } from '../../src/store/redis-sessions.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
/** A plain client to look at what the store wrote. */
let raw: ReturnType<typeof createClient>;
let prefixes = 0;

before(async () => {
  redis = await startRedis();
  raw = createClient({ url: redis.url });
  await raw.connect();
});

after(async () => {
  await raw?.close();
  await redis?.stop();
});

/** A store on the shared server under its own key prefix, closed when the test ends. */
async function open(
  t: { after(fn: () => Promise<void>): void },
  options: Partial<RedisSessionStoreOptions> = {},
): Promise<SessionStore> {
  const store = await createRedisSessionStore({
    url: redis.url,
    ttlMs: 60_000,
    maxSessions: 100,
    refreshIntervalMs: 0,
    ...options,
    keyPrefix: options.keyPrefix ?? `{test${++prefixes}}:`,
  });
  t.after(() => store.close());
  return store;
}

/** Two stores on the same keys, as two processes would have, and the prefix of their keys. */
async function twin(
  t: { after(fn: () => Promise<void>): void },
  options: Partial<RedisSessionStoreOptions> = {},
) {
  const keyPrefix = `{twin${++prefixes}}:`;
  const [a, b] = await Promise.all([open(t, { ...options, keyPrefix }), open(t, { ...options, keyPrefix })]);
  return { a, b, keyPrefix };
}

function started(result: Awaited<ReturnType<SessionStore['start']>>): OrderSession {
  assert.ok(result.ok, 'started');
  return result.session;
}

test('one session per user; starting again replaces it and says so once', async (t) => {
  const ended: SessionEndReason[] = [];
  const starts: string[] = [];
  const store = await open(t, { onEnd: (_s, r) => ended.push(r), onStart: (s) => starts.push(s.nonce) });
  const first = await store.start('u1', 'a@example.com', 'g', 'form-1');
  assert.ok(first.ok && !first.replaced && !first.session.replacedEarlier);
  const second = await store.start('u1', 'b@example.com', 'g', 'form-1', 'pt-BR');
  assert.ok(second.ok && second.replaced && second.session.replacedEarlier);
  assert.equal(store.size, 1);
  assert.deepEqual(ended, ['replaced']);
  assert.deepEqual(starts, [first.session.nonce, second.session.nonce]);
  assert.equal(await store.get('u1', first.session.nonce), undefined, 'the old nonce is stale');
  const current = await store.get('u1', second.session.nonce);
  assert.equal(current?.email, 'b@example.com');
  assert.equal(current?.guildId, 'g');
  assert.equal(current?.formId, 'form-1');
  assert.equal(current?.language, 'pt-BR', "the customer's language is kept with the form");
  assert.equal(current?.replacedEarlier, true, 'get does not clear it');

  const accepted = await store.accept('u1', second.session.nonce, 1, { name: 'Ada' });
  assert.equal(accepted?.replacedEarlier, true, 'the first accept still carries it');
  const next = await store.accept('u1', second.session.nonce, 2, { size: 'L' });
  assert.equal(next?.replacedEarlier, false, 'told once');
  assert.deepEqual(next?.accepted, { 1: { name: 'Ada' }, 2: { size: 'L' } });
});

test('a session without a server keeps guildId undefined; drafts are kept until the step is accepted', async (t) => {
  const store = await open(t);
  const session = started(await store.start('u1', 'a@example.com', undefined, 'f'));
  assert.equal(session.guildId, undefined);
  assert.equal(session.createdAt, session.touchedAt);

  const drafted = await store.saveDraft('u1', session.nonce, 2, {
    email: 'not-an-email',
    note: 'é ✓ "quoted" / \\',
  });
  assert.deepEqual(drafted?.drafts, { 2: { email: 'not-an-email', note: 'é ✓ "quoted" / \\' } });
  assert.equal(drafted?.guildId, undefined);
  await store.saveDraft('u1', session.nonce, 3, { x: '1' });
  const accepted = await store.accept('u1', session.nonce, 2, { email: 'a@example.com' });
  assert.deepEqual(accepted?.drafts, { 3: { x: '1' } }, "step 2's draft dropped, step 3's kept");
  assert.deepEqual(accepted?.accepted, { 2: { email: 'a@example.com' } });
  const again = await store.accept('u1', session.nonce, 2, { email: 'b@example.com' });
  assert.deepEqual(
    again?.accepted,
    { 2: { email: 'b@example.com' } },
    'a step accepted again is overwritten',
  );
});

test('each touch refreshes touchedAt, the key TTL and the expiry in the sorted set', async (t) => {
  let now = 1_000_000;
  const store = await open(t, { now: () => now, ttlMs: 60_000, keyPrefix: '{touch}:' });
  const session = started(await store.start('u1', 'a@example.com', 'g', 'f'));
  assert.ok((await raw.pTTL('{touch}:user:u1')) > 119_000, 'the TTL and a minute of grace');
  await sleep(50);
  now += 5_000;
  const got = await store.get('u1', session.nonce);
  assert.equal(got?.touchedAt, 1_005_000);
  assert.equal(got?.createdAt, 1_000_000);
  assert.ok((await raw.pTTL('{touch}:user:u1')) > 119_900, 'PEXPIRE again');
  assert.equal(await raw.zScore('{touch}:live', 'u1'), 1_065_000);
});

test('idle sessions expire after the TTL; activity refreshes them; two processes sweeping report each expiry once', async (t) => {
  const ended: string[] = [];
  const onEnd = (s: OrderSession, r: SessionEndReason) => ended.push(`${s.userId}:${r}`);
  const { a, b, keyPrefix } = await twin(t, { ttlMs: 300, onEnd });
  const session = started(await a.start('u1', 'a@example.com', undefined, 'f'));
  for (let i = 2; i <= 4; i++) await a.start(`u${i}`, 'a@example.com', undefined, 'f');
  await sleep(200);
  assert.ok(await b.get('u1', session.nonce), 'alive at 200 ms');
  await sleep(200);
  assert.ok(await b.get('u1', session.nonce), 'touched at 200 ms, alive at 400 ms');
  assert.ok((await raw.pTTL(`${keyPrefix}user:u2`)) > 0, "an idle session's hash outlives its TTL");
  await sleep(400);
  const [swept, sweptToo] = await Promise.all([a.sweep(), b.sweep()]);
  assert.equal(swept + sweptToo, 4, 'the two sweeps remove the four sessions between them');
  assert.deepEqual(
    ended.sort(),
    ['u1:expired', 'u2:expired', 'u3:expired', 'u4:expired'],
    'each reported once',
  );
  assert.equal(await a.get('u1', session.nonce), undefined, 'gone');
  assert.equal(a.size, 0);
  assert.equal(await raw.exists(`${keyPrefix}user:u1`), 0, 'its hash removed');
});

test('a session found idle past the TTL (on the injected clock) ends as expired', async (t) => {
  let now = 1_000_000;
  const ended: [string, SessionEndReason][] = [];
  const store = await open(t, { now: () => now, ttlMs: 1_000, onEnd: (s, r) => ended.push([s.userId, r]) });
  const one = started(await store.start('u1', 'a@example.com', undefined, 'f'));
  started(await store.start('u2', 'a@example.com', undefined, 'f'));
  now += 1_000;
  assert.equal(await store.get('u1', one.nonce), undefined);
  assert.deepEqual(ended, [['u1', 'expired']]);
  const again = await store.start('u2', 'b@example.com', undefined, 'f');
  assert.ok(
    again.ok && !again.replaced && !again.session.replacedEarlier,
    'an expired session is not "replaced"',
  );
  assert.deepEqual(ended, [
    ['u1', 'expired'],
    ['u2', 'expired'],
  ]);
});

test('sweep removes expired sessions now and says how many', async (t) => {
  let now = 1_000_000;
  const ended: SessionEndReason[] = [];
  const store = await open(t, { now: () => now, ttlMs: 1_000, onEnd: (_s, r) => ended.push(r) });
  for (let i = 0; i < 5; i++) await store.start(`u${i}`, 'a@example.com', undefined, 'f');
  now += 500;
  await store.start('fresh', 'a@example.com', undefined, 'f');
  now += 600;
  assert.equal(await store.sweep(), 5);
  assert.equal(store.size, 1);
  assert.deepEqual(ended, ['expired', 'expired', 'expired', 'expired', 'expired']);
  assert.equal(await store.sweep(), 0);
});

test('the cap: full at maxSessions; an expired session frees its place', async (t) => {
  let now = 1_000_000;
  const store = await open(t, { now: () => now, ttlMs: 1_000, maxSessions: 2 });
  started(await store.start('u1', 'a@example.com', undefined, 'f'));
  started(await store.start('u2', 'a@example.com', undefined, 'f'));
  assert.deepEqual(await store.start('u3', 'a@example.com', undefined, 'f'), { ok: false, reason: 'full' });
  assert.ok((await store.start('u2', 'b@example.com', undefined, 'f')).ok, 'replacing is not refused');
  now += 1_000;
  assert.ok((await store.start('u3', 'a@example.com', undefined, 'f')).ok);
  store.configure(1_000, 1);
  assert.deepEqual(await store.start('u4', 'a@example.com', undefined, 'f'), { ok: false, reason: 'full' });
});

test('the cap holds across two processes: 50 concurrent starts against a cap of 10', async (t) => {
  const { a, b } = await twin(t, { maxSessions: 10 });
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (i % 2 === 0 ? a : b).start(`u${i}`, 'a@example.com', undefined, 'f'),
    ),
  );
  assert.equal(results.filter((r) => r.ok).length, 10);
  assert.equal(results.filter((r) => !r.ok && r.reason === 'full').length, 40);
  await Promise.all([a.sweep(), b.sweep()]);
  assert.equal(a.size, 10);
  assert.equal(b.size, 10, 'both processes count every session');
});

test('the same final submit to two processes: both get the session, it stays until completed, and completed reports it once', async (t) => {
  const ended: SessionEndReason[] = [];
  const { a, b, keyPrefix } = await twin(t, { onEnd: (_s, r) => ended.push(r) });
  const session = started(await a.start('u1', 'a@example.com', 'g', 'f'));
  await b.accept('u1', session.nonce, 1, { name: 'Ada' });
  await a.saveDraft('u1', session.nonce, 2, { size: 'XXL?' });
  const [fromA, fromB] = await Promise.all([
    a.finish('u1', session.nonce, 2, { size: 'L' }),
    b.finish('u1', session.nonce, 2, { size: 'L' }),
  ]);
  assert.ok(fromA && fromB, 'both get it: the commit, keyed by the nonce, makes one order');
  assert.deepEqual(fromA.accepted, { 1: { name: 'Ada' }, 2: { size: 'L' } });
  assert.deepEqual(fromA.drafts, {});
  assert.deepEqual(ended, [], 'finish reports nothing: the order is not committed yet');
  assert.ok(await a.get('u1', session.nonce), 'kept: a process that dies before its commit leaves the form');
  await Promise.all([a.completed(fromA), b.completed(fromB)]);
  assert.deepEqual(ended, ['completed'], 'reported once');
  assert.equal(await a.get('u1', session.nonce), undefined, 'the session left the store');
  assert.equal(await raw.exists(`${keyPrefix}user:u1`), 0);
  assert.equal(a.size, 0);
  const newer = started(await a.start('u1', 'b@example.com', 'g', 'f'));
  await b.completed(fromA);
  assert.equal((await a.get('u1', newer.nonce))?.email, 'b@example.com', 'a newer form is not removed');
});

test('restore after a completed finish puts the session back unless the user started another', async (t) => {
  const { a, b } = await twin(t);
  const session = started(await a.start('u1', 'a@example.com', 'g', 'f'));
  await a.accept('u1', session.nonce, 1, { name: 'Ada' });
  const finished = await a.finish('u1', session.nonce, 2, { size: 'L' });
  assert.ok(finished);
  await a.completed(finished);
  await b.restore(finished);
  const back = await a.get('u1', session.nonce);
  assert.deepEqual(back?.accepted, { 1: { name: 'Ada' }, 2: { size: 'L' } });
  assert.equal(a.size, 1);

  const again = await a.finish('u1', session.nonce, 2, { size: 'L' });
  assert.ok(again, 'a restored session can be finished again');
  await a.completed(again);
  const newer = started(await b.start('u1', 'b@example.com', 'g', 'f'));
  await a.restore(again);
  assert.equal(await a.get('u1', session.nonce), undefined, 'the older session is not put back');
  assert.equal((await a.get('u1', newer.nonce))?.email, 'b@example.com');
});

test('size follows changes made by another process on the refresh timer', async (t) => {
  const ticking = await open(t, { keyPrefix: '{refresh}:', refreshIntervalMs: 50 });
  const other = await open(t, { keyPrefix: '{refresh}:' });
  for (let i = 0; i < 3; i++) await other.start(`u${i}`, 'a@example.com', undefined, 'f');
  assert.equal(other.size, 3, 'counted in the reply of each change');
  assert.equal(ticking.size, 0);
  await sleep(150);
  assert.equal(ticking.size, 3, 'recounted by the timer');
});

test('close() while Redis is down resolves, and the process is not kept alive', async () => {
  const own = await startRedis();
  const store = await createRedisSessionStore({ url: own.url, ttlMs: 1_000, maxSessions: 1 });
  await own.stop();
  await sleep(50);
  await store.close();
  await store.close();
});

test('a stale nonce changes nothing', async (t) => {
  const store = await open(t, { keyPrefix: '{stale}:' });
  const old = started(await store.start('u1', 'a@example.com', 'g', 'f'));
  const current = started(await store.start('u1', 'a@example.com', 'g', 'f'));
  await store.accept('u1', current.nonce, 1, { name: 'Ada' });
  const before = await raw.hGetAll('{stale}:user:u1');
  const ttlBefore = await raw.pTTL('{stale}:user:u1');
  await sleep(20);
  for (const nonce of [old.nonce, 'forged', '']) {
    assert.equal(await store.get('u1', nonce), undefined);
    assert.equal(await store.saveDraft('u1', nonce, 2, { x: 'y' }), undefined);
    assert.equal(await store.accept('u1', nonce, 2, { x: 'y' }), undefined);
    assert.equal(await store.finish('u1', nonce, 2, { x: 'y' }), undefined);
  }
  assert.deepEqual(await raw.hGetAll('{stale}:user:u1'), before);
  assert.ok((await raw.pTTL('{stale}:user:u1')) < ttlBefore, 'not touched');
  assert.equal(await store.get('nobody', current.nonce), undefined, 'another user');
});

test('end removes the session with the reason given', async (t) => {
  const ended: [string, SessionEndReason][] = [];
  const store = await open(t, { onEnd: (s, r) => ended.push([s.userId, r]) });
  const session = started(await store.start('u1', 'a@example.com', 'g', 'f'));
  await store.end('u1', 'cancelled');
  await store.end('u1', 'cancelled');
  assert.deepEqual(ended, [['u1', 'cancelled']], 'told once');
  assert.equal(await store.get('u1', session.nonce), undefined);
  assert.equal(store.size, 0);
});

test('Redis down: calls reject, the process lives, and the same store works after a restart', async (t) => {
  const own = await startRedis();
  t.after(() => own.stop());
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line), pretty: false });
  const store = await createRedisSessionStore({ url: own.url, ttlMs: 60_000, maxSessions: 10, log });
  t.after(() => store.close());
  const session = started(await store.start('u1', 'a@example.com', 'g', 'f'));

  await own.stop();
  await sleep(50);
  await assert.rejects(store.get('u1', session.nonce), /Redis session store: get failed/);
  await assert.rejects(store.start('u2', 'a@example.com', 'g', 'f'), Error);
  await assert.rejects(store.finish('u1', session.nonce, 1, {}), Error);
  await assert.rejects(store.sweep(), Error);

  await own.restart();
  const deadline = Date.now() + 10_000;
  let result: Awaited<ReturnType<SessionStore['start']>> | undefined;
  while (!result) {
    result = await store.start('u2', 'a@example.com', 'g', 'f').catch(() => undefined);
    if (!result && Date.now() > deadline) assert.fail('no reconnection within 10 s');
    if (!result) await sleep(50);
  }
  assert.ok(result.ok);
  assert.equal(await store.get('u1', session.nonce), undefined, 'the restarted Redis kept nothing');
  assert.ok(await store.get('u2', result.session.nonce));
  const events = lines.map((line) => (JSON.parse(line) as { event: string }).event);
  assert.equal(events.filter((e) => e === 'sessions.redis_error').length, 1, 'the outage is logged once');
  assert.ok(events.includes('sessions.redis_ready'));
});

test('the factory rejects when Redis cannot be reached', async () => {
  const own = await startRedis();
  await own.stop();
  await assert.rejects(
    createRedisSessionStore({ url: own.url, ttlMs: 1_000, maxSessions: 1, connectTimeoutMs: 300 }),
    /no connection within 300 ms/,
  );
});
