/**
 * End to end: the built bot on PostgreSQL (orders, outbox, caps) and Redis (forms in progress)
 * while either goes away and comes back, against the fake Discord and a real SMTP server. The bot
 * is never restarted: PostgreSQL stopped mid-form (the final submit is told "could not be saved",
 * /healthz says why, "Submit again" completes one order once it is back, and an order committed
 * before the outage is emailed once); Redis restarted empty (a form in progress is told it
 * expired, /order_form answers while Redis is down and works again after); and customers ordering
 * straight through both outages, after which every order in PostgreSQL has one email and one staff
 * post. One PostgreSQL and one Redis for the file (stopped and started by the tests), a fresh
 * database for each test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXPIRED, FORMS_UNAVAILABLE, SAVE_FAILED } from '../../src/order/texts.ts';
import { type BotProcess, shopEnv, startBot } from '../support/bot-process.ts';
import {
  completeOrder,
  customer,
  findButton,
  messageOf,
  type StepInputs,
  userMaker,
  validInputs,
} from '../support/customer.ts';
import {
  type FakeDiscord,
  type FakeUser,
  type InteractionRecord,
  startFakeDiscord,
} from '../support/fake-discord.ts';
import { count, query, type RunningPostgres, startPostgres } from '../support/postgres.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000002';
/** Discord's window for the first answer to an interaction. */
const ANSWER_WINDOW_MS = 3000;
const SUBMITTED = '📦 Order Submitted!';
const newUser = userMaker(730_000_000_000_000_000n, 'outage');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL and Redis going away and coming back under a running bot', () => {
  let postgres: RunningPostgres;
  let redis: TestRedis;
  let smtp: TestSmtpServer;
  /** Every bot and fake a test started, stopped after it whatever happened. */
  const running: BotProcess[] = [];
  const fakes: FakeDiscord[] = [];

  before(async () => {
    [postgres, redis, smtp] = await Promise.all([startPostgres(), startRedis(), startSmtpServer()]);
  });
  after(async () => {
    await smtp?.close();
    await redis?.stop();
    await postgres?.stop();
  });

  /** Kills what the test left running and brings every server back, whatever the test did to it. */
  async function cleanUp() {
    await Promise.all(running.splice(0).map((bot) => bot.stop('SIGKILL')));
    for (const fake of fakes.splice(0)) await fake.close();
    await smtp.start();
    if (!(await reachable(postgres.url))) await postgres.restart();
    await redis.restart();
  }
  async function reachable(url: string): Promise<boolean> {
    try {
      await query(url, 'SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async function fakeDiscord(): Promise<FakeDiscord> {
    const fake = await startFakeDiscord();
    fakes.push(fake);
    return fake;
  }

  /** Starts a bot on `databaseUrl` and the file's Redis, with /healthz; resolves with it and the health port once ready. */
  async function launch(
    discord: FakeDiscord,
    databaseUrl: string,
    config: Record<string, unknown> = {},
  ): Promise<{ bot: BotProcess; healthz: () => Promise<{ status: number; body: Json }> }> {
    const bot = startBot({
      env: {
        ...shopEnv(discord, smtp, {
          shop_name: 'Acme Sneakers',
          orders_channel_id: STAFF_CHANNEL,
          mail_retry_initial_seconds: 0.2,
          order_cooldown_seconds: 0,
          ...config,
        }),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-data-')),
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        HEALTH_PORT: '0',
      },
    });
    running.push(bot);
    const { port } = await bot.waitForLog('health.listening', undefined, 15_000);
    await bot.waitForLog('bot.ready', undefined, 15_000);
    const healthz = async () => {
      const response = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
      return { status: response.status, body: (await response.json()) as Json };
    };
    return { bot, healthz };
  }

  const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
  const staffPostsFor = (discord: FakeDiscord, user: FakeUser) =>
    discord.channelMessages.filter((m) => String(m.body.content).includes(user.id));
  /** The first line of what an answer says, or its embed's title. */
  const said = (entry: InteractionRecord) => {
    const data = entry.callback?.data ?? {};
    const title = (data.embeds as Json[] | undefined)?.[0]?.title;
    return title ? `[embed: ${String(title)}]` : String(data.content ?? '').split('\n')[0];
  };
  const roundTrip = (entry: InteractionRecord) => (entry.callback?.at ?? Infinity) - entry.sentAt;
  const isSummary = (message: Json | undefined) =>
    (message?.embeds as Json[] | undefined)?.some((embed) => embed.title === SUBMITTED) ?? false;
  /** Resolves once `check` holds, polling every 100 ms; rejects after `timeoutMs` naming `what`. */
  async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `${what} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
  /** Resolves once no job of the database is pending (every delivery done or failed). */
  const settled = (url: string, timeoutMs: number) =>
    until(
      async () => (await count(url, `SELECT count(*) AS n FROM jobs WHERE status = 'pending'`)) === 0,
      timeoutMs,
      'every job settled',
    );
  const assertAlive = (bot: BotProcess) => {
    assert.equal(bot.child.exitCode, null, 'the bot is still running');
    assert.equal(bot.child.signalCode, null, 'the bot is still running');
    assert.equal(bot.logs.filter((l) => l.event === 'bot.fatal').length, 0, 'no fatal error');
  };

  test('PostgreSQL stopped mid-form: the final submit is told to submit again, /healthz says 503, and once it is back one order, one email, one staff post; an order committed before the outage is emailed once', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    const { bot, healthz } = await launch(discord, url, { mail_retry_initial_seconds: 2 });

    // An order committed just before the outage whose email has not gone yet: the mail server is
    // down, so its first attempt fails and is recorded as a retry.
    await smtp.stop();
    const early = newUser();
    const earlyEmail = 'before-outage@example.com';
    const { final: earlyFinal } = await completeOrder(discord, early, earlyEmail, validInputs(31));
    assert.ok(isSummary(messageOf(earlyFinal)), 'the early order was taken');
    await until(
      async () =>
        (await count(
          url,
          `SELECT count(*) AS n FROM jobs WHERE kind = 'email' AND attempts >= 1 AND locked_by IS NULL`,
        )) === 1,
      10_000,
      "the early order's failed email attempt recorded",
    );
    assert.equal(mailsTo(earlyEmail).length, 0);

    // A customer at the final step when PostgreSQL stops (its data kept).
    const user = newUser();
    const email = 'through-outage@example.com';
    const inputs = validInputs(32);
    const c = customer(discord, user);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    const downAt = Date.now();
    await postgres.halt();
    await smtp.start();

    const failed = await c.submit(open3.callback.data as Json, inputs[3], messageOf(two.entry));
    assert.equal(failed.callback.type, 7, 'the step message is replaced');
    assert.equal(failed.callback.data?.content, SAVE_FAILED);
    assert.ok(
      roundTrip(failed.entry) < ANSWER_WINDOW_MS,
      `answered in ${roundTrip(failed.entry)} ms, within Discord's window`,
    );
    findButton(messageOf(failed.entry), 'Submit again');
    await bot.waitForLog('order.commit_failed', (l) => l.interaction_id === failed.entry.interaction.id);

    const down = await healthz();
    assert.equal(down.status, 503, `/healthz while the database is down: ${JSON.stringify(down.body)}`);
    assert.equal(down.body.status, 'degraded');
    assert.match(String(down.body.problem), /order database/);
    assert.equal(down.body.store_writes, 'failing');

    // The early order's retry comes due while the database is down: its claim fails, and waits.
    await bot.waitForLog('outbox.read_failed', (l) => Number(new Date(String(l.time))) >= downAt, 10_000);
    assert.equal((await healthz()).status, 503, 'still 503 while the database is down');
    assert.equal(mailsTo(earlyEmail).length, 0, 'the early email has not gone yet');

    await postgres.restart();
    const outageMs = Date.now() - downAt;
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'nothing committed meanwhile');

    const again = await c.click('Submit again', messageOf(failed.entry));
    assert.equal(again.callback.type, 9, 'the final step opens again');
    const done = await c.submit(again.callback.data as Json, inputs[3], messageOf(failed.entry));
    assert.ok(isSummary(messageOf(done.entry)), `the customer sees the summary, not ${said(done.entry)}`);

    await smtp.waitForRecipients([email, earlyEmail], 20_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 10_000, 'the staff post');
    await settled(url, 15_000);
    await sleep(500); // would a second copy come?
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 2, 'the early order and this one');
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders WHERE user_id = $1', [user.id]), 1);
    assert.equal(await count(url, `SELECT count(*) AS n FROM orders WHERE status = 'sent'`), 2);
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(mailsTo(earlyEmail).length, 1, 'the early order emailed once');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    assert.equal(staffPostsFor(discord, early).length, 1, 'one staff post for the early order');

    let up = await healthz();
    await until(
      async () => {
        up = await healthz();
        return up.status === 200;
      },
      10_000,
      '/healthz back to 200',
    );
    assertAlive(bot);
    console.log(
      [
        'PostgreSQL outage (the bot not restarted):',
        `  final submit while down -> "${said(failed.entry)}" in ${Math.round(roundTrip(failed.entry))} ms`,
        `  /healthz while down -> ${down.status} ${String(down.body.problem)}`,
        `  database back after ${outageMs} ms; "Submit again" -> ${said(done.entry)}`,
        `  /healthz after -> ${up.status} ${String(up.body.status)}`,
        `  emails: ${mailsTo(email).length} to the customer, ${mailsTo(earlyEmail).length} for the order committed before the outage`,
      ].join('\n'),
    );
  });

  test('PostgreSQL frozen (connections open, nothing answers): the final submit is answered in time and told to submit again, /healthz answers 503 at once, and after it thaws one order, one email, one staff post', async (t) => {
    t.after(async () => {
      postgres.thaw();
      await cleanUp();
    });
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    const { bot, healthz } = await launch(discord, url);

    const user = newUser();
    const email = 'frozen-database@example.com';
    const inputs = validInputs(41);
    const c = customer(discord, user);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    postgres.freeze();
    const frozenAt = Date.now();

    // The commit waits on a server that answers nothing: the customer's first answer is a
    // deferral within Discord's window, then the step message says to submit again.
    const failed = await c.submit(open3.callback.data as Json, inputs[3], messageOf(two.entry));
    assert.ok(
      roundTrip(failed.entry) < ANSWER_WINDOW_MS,
      `first answer in ${roundTrip(failed.entry)} ms, within Discord's window`,
    );
    await discord.waitFor(
      () => failed.entry.edits.some((edit) => edit.content === SAVE_FAILED) || undefined,
      20_000,
      'the step message saying to submit again',
    );
    const toldAfterMs = Date.now() - frozenAt;
    findButton(messageOf(failed.entry), 'Submit again');

    // Health does not wait for the frozen database: an answer at once, and it is 503.
    const askedAt = Date.now();
    const down = await healthz();
    const healthMs = Date.now() - askedAt;
    assert.equal(down.status, 503, `/healthz while frozen: ${JSON.stringify(down.body)}`);
    assert.ok(healthMs < ANSWER_WINDOW_MS, `/healthz answered in ${healthMs} ms`);

    postgres.thaw();
    const again = await c.click('Submit again', messageOf(failed.entry));
    assert.equal(again.callback.type, 9, 'the final step opens again');
    const done = await c.submit(again.callback.data as Json, inputs[3], messageOf(failed.entry));
    // The summary (first answer or, on a loaded machine, the edit after a deferral): before the
    // fix, a BEGIN that timed out went back to the pool, ran once the server thawed and held the
    // commit lock for good, so every later submit failed.
    await discord.waitFor(() => isSummary(done.entry.original) || undefined, 10_000, 'the summary');
    await smtp.waitForRecipients([email], 20_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 10_000, 'the staff post');
    await settled(url, 15_000);
    await sleep(500); // would a second copy come?
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders WHERE user_id = $1', [user.id]), 1);
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    await until(async () => (await healthz()).status === 200, 15_000, '/healthz back to 200');
    assertAlive(bot);
    console.log(
      [
        'PostgreSQL frozen (SIGSTOP, the bot not restarted):',
        `  final submit -> first answer in ${Math.round(roundTrip(failed.entry))} ms, "${SAVE_FAILED.split('\n')[0]}" after ${toldAfterMs} ms`,
        `  /healthz while frozen -> ${down.status} in ${healthMs} ms: ${String(down.body.problem)}`,
        `  after the thaw: "Submit again" -> ${String((done.entry.original?.embeds as Json[] | undefined)?.[0]?.title)}; 1 order, 1 email, 1 staff post`,
      ].join('\n'),
    );
  });

  test('Redis restarted empty: /order_form answers in time while it is down, a form in progress is told it expired, and /order_form works again', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    const { bot } = await launch(discord, url);

    const user = newUser();
    const c = customer(discord, user);
    const opened = await c.command('order_form', { email: 'midform@example.com' });
    const one = await c.submit(opened.callback.data as Json, validInputs(41)[1]);

    await redis.stop();
    const late = newUser();
    const lateEmail = 'after-redis@example.com';
    const whileDown = await customer(discord, late).command('order_form', { email: lateEmail });
    assert.ok(
      roundTrip(whileDown.entry) < ANSWER_WINDOW_MS,
      `answered in ${roundTrip(whileDown.entry)} ms, within Discord's window`,
    );
    assert.equal(whileDown.callback.type, 4, 'a message, not a modal');
    assert.equal(whileDown.callback.data?.content, FORMS_UNAVAILABLE, 'told to try again in a minute');
    const clickDown = await c.click('Continue to Step 2', messageOf(one.entry));
    assert.ok(roundTrip(clickDown.entry) < ANSWER_WINDOW_MS);
    assert.notEqual(clickDown.callback.type, 9, 'no modal without the form');

    await redis.restart();
    await bot.waitForLog('sessions.redis_ready', undefined, 10_000);
    const stale = await c.click('Continue to Step 2', messageOf(one.entry));
    assert.equal(stale.callback.data?.content, EXPIRED, 'the form in progress is gone: start again');

    const { final } = await completeOrder(discord, late, lateEmail, validInputs(42));
    assert.ok(isSummary(messageOf(final)), `/order_form works again: ${said(final)}`);
    await smtp.waitForRecipients([lateEmail], 10_000);
    await settled(url, 10_000);
    await sleep(300);
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1);
    assert.equal(mailsTo(lateEmail).length, 1);
    assertAlive(bot);
    console.log(
      [
        'Redis restart (the bot not restarted):',
        `  /order_form while down -> "${said(whileDown.entry)}" in ${Math.round(roundTrip(whileDown.entry))} ms`,
        `  "Continue to Step 2" while down -> "${said(clickDown.entry)}"`,
        `  "Continue to Step 2" after the restart -> "${said(stale.entry)}"`,
        `  a new /order_form after -> ${said(final)}`,
      ].join('\n'),
    );
  });

  /**
   * Places one order as a persistent customer would: starts again whenever the bot says the form
   * expired or something went wrong, presses "Submit again" when told to. Resolves with the final
   * submit that showed the summary and how many times the customer started.
   */
  async function orderThrough(
    discord: FakeDiscord,
    user: FakeUser,
    email: string,
    inputs: StepInputs,
    deadline: number,
  ): Promise<{ final: InteractionRecord; starts: number; submitAgain: number }> {
    const c = customer(discord, user);
    let starts = 0;
    let submitAgain = 0;
    for (;;) {
      assert.ok(Date.now() < deadline, `${email}: no order before the deadline (${starts} starts)`);
      starts++;
      const opened = await c.command('order_form', { email });
      let modal = opened.callback.type === 9 ? (opened.callback.data as Json) : undefined;
      let from: Json | undefined;
      while (modal) {
        const step = Number(String(modal.custom_id).split(':')[1]) as 1 | 2 | 3;
        const sent = await c.submit(modal, inputs[step], from);
        const message = sent.entry.original;
        if (isSummary(message)) return { final: sent.entry, starts, submitAgain };
        const labels = ((message?.components as Json[] | undefined) ?? []).flatMap((row) =>
          ((row.components as Json[] | undefined) ?? []).map((button) => String(button.label)),
        );
        const next = labels.find((label) => /^Continue|^Submit again/.test(label));
        if (!message || !next) break;
        if (next === 'Submit again') {
          submitAgain++;
          await sleep(200);
        }
        from = message;
        const open = await c.click(next, message);
        modal = open.callback.type === 9 ? (open.callback.data as Json) : undefined;
      }
      await sleep(200);
    }
  }

  test('customers ordering straight through both outages: every order committed is in PostgreSQL once, emailed once and posted once', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    // Caps high enough that every order is taken and emailed (4 customers, dozens of orders).
    const { bot } = await launch(discord, url, {
      daily_order_limit: 1000,
      user_daily_email_limit: 1000,
      server_hourly_limit: 100_000,
      mail_hourly_limit: 100_000,
    });
    const deadline = Date.now() + 30_000;
    const customers = Array.from({ length: 4 }, () => newUser());
    const placed: { user: FakeUser; email: string; final: InteractionRecord }[] = [];
    let starts = 0;
    let submitAgain = 0;
    let stop = false;

    const ordering = Promise.all(
      customers.map(async (user, i) => {
        for (let n = 0; !stop; n++) {
          const email = `through-${i}-${n}@example.com`;
          const result = await orderThrough(discord, user, email, validInputs(500 + i * 50 + n), deadline);
          placed.push({ user, email, final: result.final });
          starts += result.starts;
          submitAgain += result.submitAgain;
        }
      }),
    );
    ordering.catch(() => undefined); // awaited below, after the outages
    const timeline: string[] = [];
    const mark = (what: string) => timeline.push(`${what} (${placed.length} orders so far)`);
    try {
      await sleep(1000);
      mark('PostgreSQL stopped');
      await postgres.halt();
      await sleep(2000);
      await postgres.restart();
      mark('PostgreSQL back');
      await sleep(1500);
      mark('Redis stopped');
      await redis.stop();
      await sleep(1500);
      await redis.restart();
      mark('Redis back (empty)');
      await bot.waitForLog('sessions.redis_ready', undefined, 10_000);
      await sleep(1500);
    } finally {
      stop = true;
    }
    await ordering;
    mark('customers stopped');

    const addresses = placed.map((order) => order.email);
    await smtp.waitForRecipients(addresses, 20_000);
    await settled(url, 20_000);
    await sleep(500);
    const stored = (await query(url, 'SELECT email FROM orders ORDER BY id')).rows.map((row) =>
      String(row.email),
    );
    assert.deepEqual([...stored].sort(), [...addresses].sort(), 'one stored order per summary shown');
    for (const address of addresses) assert.equal(mailsTo(address).length, 1, `one email to ${address}`);
    assert.equal(
      discord.channelMessages.filter((m) => customers.some((u) => String(m.body.content).includes(u.id)))
        .length,
      stored.length,
      'one staff post per order',
    );
    assert.equal(await count(url, `SELECT count(*) AS n FROM orders WHERE status = 'sent'`), stored.length);
    assertAlive(bot);
    console.log(
      [
        `Through both outages: ${stored.length} orders in PostgreSQL, ${addresses.reduce((n, a) => n + mailsTo(a).length, 0)} emails, ${starts} form starts, ${submitAgain} "Submit again"`,
        ...timeline.map((line) => `  ${line}`),
      ].join('\n'),
    );
  });
});
