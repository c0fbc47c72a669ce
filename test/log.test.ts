import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, scrub } from '../src/log.ts';

test('one JSON line per event with bound and event fields', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), pretty: false, now: () => 0 }).child({
    interaction_id: '42',
  });
  log.info('order.completed', { step: 3 });
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: '1970-01-01T00:00:00.000Z',
    level: 'info',
    event: 'order.completed',
    interaction_id: '42',
    step: 3,
  });
});

test("children add fields to their parent's; a child's field of the same name wins in its place", () => {
  const lines: string[] = [];
  const root = createLogger(
    { write: (l) => lines.push(l), pretty: false, now: () => 0 },
    { component: 'bot' },
  );
  const child = root.child({ interaction_id: '42', user_id: '7' });
  const grandchild = child.child({ user_id: '8', email: 'jane@example.com' });
  grandchild.warn('x', { step: 2 });
  child.info('y');
  root.info('z');
  assert.deepEqual(
    lines.map((line) => JSON.parse(line)),
    [
      {
        time: '1970-01-01T00:00:00.000Z',
        level: 'warn',
        event: 'x',
        component: 'bot',
        interaction_id: '42',
        user_id: '8',
        email: '[redacted]',
        step: 2,
      },
      {
        time: '1970-01-01T00:00:00.000Z',
        level: 'info',
        event: 'y',
        component: 'bot',
        interaction_id: '42',
        user_id: '7',
      },
      { time: '1970-01-01T00:00:00.000Z', level: 'info', event: 'z', component: 'bot' },
    ],
  );
  assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), [
    'time',
    'level',
    'event',
    'component',
    'interaction_id',
    'user_id',
    'email',
    'step',
  ]);
});

test("children keep their parent's level", () => {
  const lines: string[] = [];
  const child = createLogger({ level: 'warn', write: (l) => lines.push(l), pretty: false }).child({ a: 1 });
  child.info('dropped');
  child.error('kept');
  assert.equal(lines.length, 1);
  assert.ok(!child.enabled('info'));
  assert.ok(child.enabled('error'));
});

test('levels below the minimum are dropped', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', write: (l) => lines.push(l), pretty: false });
  log.info('a');
  log.debug('b');
  log.warn('c');
  assert.equal(lines.length, 1);
  assert.ok(!log.enabled('info'));
});

test('secrets and personal data never reach a line', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), pretty: false });
  const token = 'MTA5ODc2NTQzMjEwOTg3NjU0MzI.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789';
  log.error('x', {
    token,
    password: 'hunter2',
    email: 'a@b.co',
    shipping_address: '1 Main St',
    reason: 'Recipient <jane.doe@example.com> rejected',
    error: new Error(`PATCH /webhooks/123/${'a'.repeat(60)}/messages/@original failed for ${token}`),
  });
  const line = lines[0]!;
  for (const secret of [token, 'hunter2', 'a@b.co', '1 Main St', 'jane.doe@example.com', 'a'.repeat(60)]) {
    assert.ok(!line.includes(secret), `leaked ${secret}`);
  }
  assert.match(line, /\/webhooks\/123\/\[token\]/);
  assert.match(line, /Recipient <\[email\]> rejected/);
});

test('scrub leaves ordinary text alone', () => {
  assert.equal(scrub('order ORD-1 step 2 done'), 'order ORD-1 step 2 done');
});

test('pretty lines are readable', () => {
  const lines: string[] = [];
  createLogger({ write: (l) => lines.push(l), pretty: true, now: () => 0 }).warn('gateway.shard_closed', {
    shard: 0,
    code: 4000,
  });
  assert.equal(lines[0], '00:00:00.000 WARN  gateway.shard_closed shard=0 code=4000');
});
