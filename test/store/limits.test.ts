import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mailboxKey } from '../../src/email-address.ts';
import { formatWait } from '../../src/order/texts.ts';
import { openDatabase } from '../../src/store/database.ts';
import {
  createMailCaps,
  createOrderLimits,
  type MailCapCheck,
  type MailCaps,
} from '../../src/store/limits.ts';
import { createOrderStore, type OrderStore } from '../../src/store/orders.ts';

/** What the commit decides for these caps, read the way the SQLite engine reads them. */
const checker =
  (orders: OrderStore, caps: MailCaps) =>
  (email: string, guildId: string | undefined, userId: string): MailCapCheck => {
    const rule = caps
      .rules(email, guildId, userId)
      .find((r) => orders.countJobs(r.kind, r.since, r.limit, r.filter) >= r.limit);
    return rule ? { ok: false, reason: rule.reason, limit: rule.limit } : { ok: true };
  };
/** The async reader the limits use, over the synchronous store. */
const reader = (orders: OrderStore) => ({
  createdSince: async (userId: string, since: number) => orders.createdSince(userId, since),
});

const DAY = 86_400_000;
function store(): OrderStore {
  return createOrderStore(openDatabase(mkdtempSync(join(tmpdir(), 'order-bot-limits-'))));
}
const order = (userId: string, createdAt: number) => ({
  orderNumber: 'ORD-1',
  userId,
  guildId: 'g',
  email: 'a@example.com',
  fields: {},
  createdAt,
});

test('cooldown after a committed order, with the time remaining', async () => {
  let now = 1_000_000;
  const orders = store();
  const limits = createOrderLimits({
    orders: reader(orders),
    cooldownMs: 60_000,
    dailyCap: 10,
    now: () => now,
  });
  assert.deepEqual(await limits.check('u'), { ok: true });
  orders.commit(order('u', now), []);
  now += 15_000;
  assert.deepEqual(await limits.check('u'), { ok: false, reason: 'cooldown', retryAfterMs: 45_000 });
  assert.deepEqual(await limits.check('other'), { ok: true });
  now += 45_000;
  assert.deepEqual(await limits.check('u'), { ok: true });
});

test('a rolling daily cap', async () => {
  let now = 1_000_000;
  const orders = store();
  const limits = createOrderLimits({ orders: reader(orders), cooldownMs: 0, dailyCap: 3, now: () => now });
  for (let i = 0; i < 3; i++) orders.commit(order('u', 1_000_000 + i * 1000), []);
  now = 1_010_000;
  assert.deepEqual(await limits.check('u'), {
    ok: false,
    reason: 'daily_cap',
    retryAfterMs: 1_000_000 + DAY - now,
  });
  now = 1_000_000 + DAY;
  assert.deepEqual(await limits.check('u'), { ok: true }, 'the first order left the window');
});

test('limits read the database, so a new process (a restart) sees the same limits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-limits-'));
  const now = 5_000_000;
  createOrderStore(openDatabase(dir)).commit(order('u', now), []);
  const reopened = createOrderStore(openDatabase(dir));
  const limits = createOrderLimits({ orders: reader(reopened), cooldownMs: 60_000, now: () => now + 1000 });
  assert.deepEqual(await limits.check('u'), { ok: false, reason: 'cooldown', retryAfterMs: 59_000 });
});

test('waits read naturally', async () => {
  assert.equal(formatWait(45_000), '45s');
  assert.equal(formatWait(90_000), '90s');
  assert.equal(formatWait(200_000), '3m 20s');
  assert.equal(formatWait(5 * 3600_000 + 12 * 60_000), '5h 12m');
  assert.equal(formatWait(10), '1s');
});

test('email caps: per address a day (any letter case), per server an hour, in all an hour; only email jobs count', async () => {
  let now = 10 * DAY;
  const orders = store();
  const settings = {
    recipient_daily_limit: 2,
    user_daily_email_limit: 100,
    server_hourly_limit: 3,
    mail_hourly_limit: 4,
  };
  const caps = {
    check: checker(orders, createMailCaps({ kind: 'email', settings: () => settings, now: () => now })),
  };
  const send = (email: string, guildId: string, kind = 'email') =>
    orders.commit({ ...order('u', now), email, guildId }, [{ kind }, { kind: 'staff_post' }]);

  send('Ann@Example.com', 'g1');
  send('ann@example.com', 'g1');
  assert.deepEqual(caps.check('ANN@example.com', 'g2', 'u'), {
    ok: false,
    reason: 'recipient_daily',
    limit: 2,
  });
  assert.deepEqual(caps.check('bob@example.com', 'g1', 'u'), { ok: true });
  send('bob@example.com', 'g1');
  assert.deepEqual(caps.check('cy@example.com', 'g1', 'u'), { ok: false, reason: 'server_hourly', limit: 3 });
  send('cy@example.com', 'g1', 'staff_post'); // an order whose email was refused sends none: not counted
  assert.deepEqual(caps.check('cy@example.com', 'g2', 'u'), { ok: true });
  send('cy@example.com', 'g2');
  assert.deepEqual(caps.check('dee@example.com', 'g3', 'u'), { ok: false, reason: 'mail_hourly', limit: 4 });

  now += 3_600_001; // the hourly windows have passed; the daily one has not
  assert.deepEqual(caps.check('dee@example.com', 'g1', 'u'), { ok: true });
  assert.deepEqual(caps.check('ann@example.com', 'g1', 'u'), {
    ok: false,
    reason: 'recipient_daily',
    limit: 2,
  });
  now += DAY;
  assert.deepEqual(caps.check('ann@example.com', 'g1', 'u'), { ok: true });
});

test('a cap count stops at the cap: a check reads no more rows than the cap allows', async () => {
  const now = 10 * DAY;
  const orders = store();
  for (let i = 0; i < 50; i++)
    orders.commit({ ...order(`u${i}`, now), email: 'a@example.com' }, [{ kind: 'email' }]);
  assert.equal(orders.countJobs('email', now - DAY, 1000), 50);
  assert.equal(orders.countJobs('email', now - DAY, 5), 5);
  assert.equal(orders.countJobs('email', now - DAY, 7, { email: 'A@EXAMPLE.COM' }), 7);
  assert.equal(orders.countJobs('email', now - DAY, 1000, { guildId: 'g' }), 50);
  assert.equal(orders.countJobs('email', now - DAY, 1000, { guildId: 'other' }), 0);
  assert.equal(orders.countJobs('email', now + 1, 1000), 0, 'only jobs since the time given');
});

test('the per-recipient cap counts mailboxes: case, +tags, and Gmail dots and domain alias are one recipient', async () => {
  const now = 10 * DAY;
  const orders = store();
  const settings = {
    recipient_daily_limit: 3,
    user_daily_email_limit: 100,
    server_hourly_limit: 100,
    mail_hourly_limit: 100,
  };
  const caps = {
    check: checker(orders, createMailCaps({ kind: 'email', settings: () => settings, now: () => now })),
  };
  let n = 0;
  const send = (email: string) => orders.commit({ ...order(`u${n++}`, now), email }, [{ kind: 'email' }]);
  send('victim+1@gmail.com');
  send('v.ictim@gmail.com');
  send('victim@googlemail.com');
  for (const variant of ['victim@gmail.com', 'Vic.Tim+x@GoogleMail.com', 'victim+2@gmail.com']) {
    assert.deepEqual(
      caps.check(variant, 'g', 'someone'),
      { ok: false, reason: 'recipient_daily', limit: 3 },
      variant,
    );
  }
  // Dots matter elsewhere, and a +tag is dropped at any domain.
  assert.deepEqual(caps.check('v.ictim@example.com', 'g', 'someone'), { ok: true });
  send('ann+a@example.com');
  send('ANN+b@example.com');
  send('ann@example.com');
  assert.equal(caps.check('ann+zzz@example.com', 'g', 'someone').ok, false);
});

test('mailboxKey: the documented rules', async () => {
  assert.equal(mailboxKey('A.B+tag@GoogleMail.com'), 'ab@gmail.com');
  assert.equal(mailboxKey('a.b+tag@Example.com'), 'a.b@example.com');
  assert.equal(mailboxKey('+only@example.com'), '+only@example.com', 'a local part that is all tag is kept');
});

test('a per-user daily email cap, whatever addresses the user gives', async () => {
  const now = 10 * DAY;
  const orders = store();
  const settings = {
    recipient_daily_limit: 100,
    user_daily_email_limit: 2,
    server_hourly_limit: 100,
    mail_hourly_limit: 100,
  };
  const caps = {
    check: checker(orders, createMailCaps({ kind: 'email', settings: () => settings, now: () => now })),
  };
  orders.commit({ ...order('mallory', now), email: 'a@example.com' }, [{ kind: 'email' }]);
  orders.commit({ ...order('mallory', now), email: 'b@example.com' }, [{ kind: 'email' }]);
  assert.deepEqual(caps.check('c@example.com', 'g', 'mallory'), {
    ok: false,
    reason: 'user_daily',
    limit: 2,
  });
  assert.deepEqual(caps.check('c@example.com', 'g', 'someone-else'), { ok: true });
});

test('a clock set back never stretches a wait beyond the rule', async () => {
  const orders = store();
  let now = 10 * DAY;
  const limits = createOrderLimits({
    orders: reader(orders),
    cooldownMs: 60_000,
    dailyCap: 10,
    now: () => now,
  });
  orders.commit(order('u', now), []);
  now -= 2 * 3_600_000; // the clock goes back two hours
  assert.deepEqual(await limits.check('u'), { ok: true }, 'an order stamped two hours ahead holds no one up');
  now += 2 * 3_600_000 + 10_000;
  const check = await limits.check('u');
  assert.equal(check.ok, false);
  assert.ok(!check.ok && check.retryAfterMs <= 60_000);
});

test('emails staff start count toward the hourly ceilings only: never toward the per-recipient or per-user caps', () => {
  const caps = createMailCaps({
    kind: 'email',
    staffKind: 'status_email',
    settings: () => ({
      recipient_daily_limit: 3,
      user_daily_email_limit: 5,
      server_hourly_limit: 10,
      mail_hourly_limit: 20,
    }),
    now: () => 1_000_000_000,
  });
  const kinds = Object.fromEntries(
    caps.rules('jane@example.com', 'g1', 'u1').map((rule) => [rule.reason, rule.kind]),
  );
  assert.deepEqual(kinds, {
    mail_hourly: ['email', 'status_email'],
    server_hourly: ['email', 'status_email'],
    recipient_daily: 'email',
    user_daily: 'email',
  });
});
