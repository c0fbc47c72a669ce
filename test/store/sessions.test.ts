import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionFields, toOrder } from '../../src/order/fields.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';
import { createSessionStore, type EndReason } from '../../src/store/sessions.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('one draft per user; starting again replaces it and says so', async () => {
  const c = clock();
  const ended: EndReason[] = [];
  const store = createSessionStore({ now: c.now, sweepIntervalMs: 0, onEnd: (_s, r) => ended.push(r) });
  const first = await store.start('u1', 'a@example.com', 'g', 'f');
  assert.ok(first.ok && !first.replaced);
  const second = await store.start('u1', 'b@example.com', 'g', 'f', 'fr');
  assert.ok(second.ok && second.replaced && second.session.replacedEarlier);
  assert.equal((await store.get('u1', second.session.nonce))?.language, 'fr', 'the language is kept');
  assert.equal(first.ok && first.session.language, undefined, 'none given: none kept');
  assert.equal(store.size, 1);
  assert.deepEqual(ended, ['replaced']);
  assert.equal(
    await store.get('u1', first.ok ? first.session.nonce : ''),
    undefined,
    'the old nonce is stale',
  );
  assert.ok(second.ok && (await store.get('u1', second.session.nonce)));
});

test('idle sessions expire; activity refreshes them', async () => {
  const c = clock();
  const store = createSessionStore({ now: c.now, ttlMs: 1000, sweepIntervalMs: 0 });
  const started = await store.start('u1', 'a@example.com', undefined, 'f');
  assert.ok(started.ok);
  c.advance(900);
  assert.ok(await store.get('u1', started.session.nonce), 'still alive at 900 ms');
  c.advance(900);
  assert.ok(await store.get('u1', started.session.nonce), 'touched at 900 ms, alive at 1800 ms');
  c.advance(1000);
  assert.equal(await store.get('u1', started.session.nonce), undefined);
  assert.equal(store.size, 0);
});

test('sweep removes expired sessions now and says how many', async () => {
  const c = clock();
  const store = createSessionStore({ now: c.now, ttlMs: 1000, sweepIntervalMs: 0 });
  for (let i = 0; i < 5; i++) await store.start(`u${i}`, 'a@example.com', undefined, 'f');
  c.advance(500);
  await store.start('fresh', 'a@example.com', undefined, 'f');
  c.advance(600);
  assert.equal(await store.sweep(), 5);
  assert.equal(store.size, 1);
});

test('the sweep timer ends idle sessions by itself, at the first sweep past their time; close() stops it', async (t) => {
  // The store's defaults (Date.now, setInterval) on mocked time: nothing here waits.
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
  const ended: [string, EndReason][] = [];
  const store = createSessionStore({
    ttlMs: 15 * 60_000,
    sweepIntervalMs: 60_000,
    onEnd: (session, reason) => ended.push([session.userId, reason]),
  });
  const idle = await store.start('idle', 'a@example.com', undefined, 'f');
  const busy = await store.start('busy', 'b@example.com', undefined, 'f');
  assert.ok(idle.ok && busy.ok);
  t.mock.timers.tick(10 * 60_000);
  assert.ok(await store.get('busy', busy.session.nonce), 'used at 10 minutes');
  t.mock.timers.tick(5 * 60_000 - 1);
  assert.equal(store.size, 2, 'the 14-minute sweep found nothing idle for 15 minutes');
  t.mock.timers.tick(1);
  assert.deepEqual(ended, [['idle', 'expired']], 'the 15-minute sweep ended the idle one');
  t.mock.timers.tick(10 * 60_000);
  assert.deepEqual(ended, [
    ['idle', 'expired'],
    ['busy', 'expired'],
  ]);
  assert.equal(store.size, 0);
  await store.close();
  await store.start('late', 'c@example.com', undefined, 'f');
  t.mock.timers.tick(24 * 3_600_000);
  assert.equal(store.size, 1, 'no sweep after close()');
});

test('the cap refuses new users politely instead of growing', async () => {
  const c = clock();
  const store = createSessionStore({ now: c.now, maxSessions: 2, ttlMs: 1000, sweepIntervalMs: 0 });
  assert.ok((await store.start('a', 'a@example.com', undefined, 'f')).ok);
  assert.ok((await store.start('b', 'b@example.com', undefined, 'f')).ok);
  assert.deepEqual(await store.start('c', 'c@example.com', undefined, 'f'), { ok: false, reason: 'full' });
  assert.ok((await store.start('a', 'a@example.com', undefined, 'f')).ok, 'an existing user can restart');
  c.advance(1000);
  assert.ok((await store.start('c', 'c@example.com', undefined, 'f')).ok, 'room again once others expire');
});

test('end removes the session; users never see each other', async () => {
  const store = createSessionStore({ sweepIntervalMs: 0 });
  const a = await store.start('a', 'a@example.com', undefined, 'f');
  const b = await store.start('b', 'b@example.com', undefined, 'f');
  assert.ok(a.ok && b.ok);
  assert.equal(await store.get('a', b.session.nonce), undefined);
  await store.end('a', 'completed');
  assert.equal(await store.get('a', a.session.nonce), undefined);
  assert.ok(await store.get('b', b.session.nonce));
});

test('drafts are kept per step until the step is accepted; stale nonces change nothing', async () => {
  const store = createSessionStore({ sweepIntervalMs: 0 });
  const started = await store.start('a', 'a@example.com', undefined, 'f');
  assert.ok(started.ok);
  const { nonce } = started.session;
  assert.equal(await store.saveDraft('a', 'stale', 1, { order_number: 'x' }), undefined);
  const drafted = await store.saveDraft('a', nonce, 1, { order_number: '  ' });
  assert.deepEqual(drafted?.drafts[1], { order_number: '  ' });
  const accepted = await store.accept('a', nonce, 1, { order_number: 'ORD-1' });
  assert.deepEqual(accepted?.accepted[1], { order_number: 'ORD-1' });
  assert.equal(accepted?.drafts[1], undefined, 'the draft of an accepted step is dropped');
  assert.equal(await store.accept('b', nonce, 2, {}), undefined, 'another user cannot write to it');
});

test('replacedEarlier is reported by the first accept and then cleared', async () => {
  const store = createSessionStore({ sweepIntervalMs: 0 });
  await store.start('a', 'a@example.com', undefined, 'f');
  const second = await store.start('a', 'a@example.com', undefined, 'f');
  assert.ok(second.ok);
  assert.equal((await store.accept('a', second.session.nonce, 1, {}))?.replacedEarlier, true);
  assert.equal((await store.accept('a', second.session.nonce, 2, {}))?.replacedEarlier, false);
});

test('toOrder merges the three steps and the email', async () => {
  const store = createSessionStore({ sweepIntervalMs: 0 });
  const started = await store.start('a', 'a@example.com', undefined, 'f');
  assert.ok(started.ok);
  const { nonce } = started.session;
  await store.accept('a', nonce, 1, { order_number: 'ORD-1' });
  await store.accept('a', nonce, 2, { color: 'Black' });
  const session = await store.accept('a', nonce, 3, { shipping_address: '1 Main St' });
  assert.ok(session);
  const order = toOrder(sessionFields(session), session.email, DEFAULT_FORM);
  assert.equal(order.fields.order_number, 'ORD-1');
  assert.equal(order.fields.color, 'Black');
  assert.equal(order.fields.shipping_address, '1 Main St');
  assert.equal(order.fields.notes, '');
  assert.equal(order.email, 'a@example.com');
});

test('finish keeps the session until completed removes it (once, if still the same); restore never replaces a newer one', async () => {
  const ended: string[] = [];
  const store = createSessionStore({ sweepIntervalMs: 0, onEnd: (s, r) => ended.push(`${s.nonce}:${r}`) });
  const started = await store.start('a', 'a@example.com', 'g', 'f');
  assert.ok(started.ok);
  const { nonce } = started.session;
  await store.accept('a', nonce, 1, { x: '1' });
  const [first, second] = await Promise.all([
    store.finish('a', nonce, 2, { y: '2' }),
    store.finish('a', nonce, 2, { y: '2' }),
  ]);
  assert.ok(
    first && second,
    'both submits get the session (the commit, keyed by its nonce, makes one order)',
  );
  assert.deepEqual(first.accepted, { 1: { x: '1' }, 2: { y: '2' } });
  assert.equal(store.size, 1, 'kept until its order is committed: a process that dies leaves it');
  assert.ok(await store.get('a', nonce), 'a failed commit leaves the form where it was');
  await Promise.all([store.completed(first), store.completed(second)]);
  assert.equal(store.size, 0);
  assert.deepEqual(ended, [`${nonce}:completed`], 'reported once');
  await store.restore(first);
  assert.ok(await store.get('a', nonce), 'restore puts a gone session back');
  const newer = await store.start('a', 'a@example.com', 'g', 'f');
  assert.ok(newer.ok);
  await store.completed(first);
  await store.restore(first);
  assert.ok(
    await store.get('a', newer.session.nonce),
    'a newer form is neither completed nor replaced by the old one',
  );
});
