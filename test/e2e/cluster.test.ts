/**
 * End to end: several built bot processes on one PostgreSQL (orders, outbox, caps) and one Redis
 * (forms in progress), against the fake Discord and a real SMTP server. A form started on one
 * process is finished on another after the first is SIGKILLed; the same final submit reaching two
 * processes makes one order; the caps hold across processes; three outbox workers, one SIGKILLed
 * with jobs in flight, deliver every order once. One PostgreSQL and one Redis for the file, a fresh
 * database (and so a fresh store ID, which prefixes the Redis keys) for each test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXPIRED } from '../../src/order/texts.ts';
import { type BotProcess, type LogLine, shopEnv, startBot } from '../support/bot-process.ts';
import { completeOrder, customer, messageOf, userMaker, validInputs } from '../support/customer.ts';
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
const newUser = userMaker(720_000_000_000_000_000n, 'peer');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shard that owns `guildId` among `count`, as Discord computes it. */
const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));

describe('several bot processes on one PostgreSQL and one Redis', () => {
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

  /** Kills what the test left running, then closes its fakes (which reject on an off-spec request). */
  async function cleanUp() {
    await Promise.all(running.splice(0).map((bot) => bot.stop('SIGKILL')));
    for (const fake of fakes.splice(0)) await fake.close();
    smtp.slow(0);
  }

  async function fakeDiscord(shards: number, guilds = shards): Promise<FakeDiscord> {
    const fake = await startFakeDiscord({ shards, guilds });
    fakes.push(fake);
    return fake;
  }
  /** A guild of the fake owned by `shard`. */
  const guildOn = (discord: FakeDiscord, shard: number, shards: number) => {
    const id = discord.guildIds.find((guild) => shardOf(guild, shards) === shard);
    assert.ok(id, `the fake has a guild on shard ${shard}`);
    return id;
  };

  /** Starts a bot on `databaseUrl` and the file's Redis, with a DATA_DIR of its own; resolves once ready. */
  async function launch(
    discord: FakeDiscord,
    databaseUrl: string,
    config: Record<string, unknown> = {},
    env: Record<string, string> = {},
  ): Promise<BotProcess> {
    const bot = startBot({
      env: {
        ...env,
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
      },
    });
    running.push(bot);
    await bot.waitForLog('bot.ready', undefined, 15_000);
    return bot;
  }
  /** Config of a bot that runs `shard` of `shards`. */
  const onShard = (shard: number, shards: number) => ({ shard_count: shards, shard_ids: [shard] });

  const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
  const staffPostsFor = (discord: FakeDiscord, user: FakeUser) =>
    discord.channelMessages.filter((m) => String(m.body.content).includes(user.id));
  /** Which of `bots` logged the answer to `entry` (its `interaction.handled` line), by name. */
  const answeredBy = (entry: InteractionRecord, bots: Record<string, BotProcess>) =>
    Object.entries(bots)
      .filter(([, bot]) => bot.logs.some((l) => isHandled(l, entry)))
      .map(([name]) => name);
  const isHandled = (line: LogLine, entry: InteractionRecord) =>
    line.event === 'interaction.handled' && line.interaction_id === entry.interaction.id;
  /** What the customer saw in a callback, in one line. */
  const seen = (entry: InteractionRecord) => {
    const callback = entry.callback;
    if (!callback) return '(no answer)';
    if (callback.type === 9) return `a modal "${String(callback.data?.title)}"`;
    const embeds = (callback.data?.embeds as Json[] | undefined) ?? [];
    const title = embeds[0]?.title ? ` [embed: ${String(embeds[0].title)}]` : '';
    return `"${String(callback.data?.content ?? '').split('\n')[0]}"${title}`;
  };
  /** Resolves once no job of the database is pending (every delivery done or failed). */
  async function settled(url: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while ((await count(url, `SELECT count(*) AS n FROM jobs WHERE status = 'pending'`)) > 0) {
      assert.ok(Date.now() < deadline, `jobs still pending after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  test('a form started on process A is finished on process B after A is SIGKILLed: one order, one email, one staff post', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(1);
    const url = await postgres.freshDatabase();
    const email = 'handover@example.com';
    const user = newUser();
    const inputs = validInputs(11);
    const c = customer(discord, user);

    const a = await launch(discord, url);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    await a.waitForLog('interaction.handled', (l) => isHandled(l, one.entry));
    await a.stop('SIGKILL');

    const b = await launch(discord, url);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    const three = await c.submit(open3.callback.data as Json, inputs[3], messageOf(two.entry));

    await smtp.waitForRecipients([email], 15_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 15_000, 'the staff post');
    const confirmed = await c.waitForEdit(three.entry, /Confirmation sent/);
    await settled(url, 10_000);
    await sleep(500); // would a second copy come?

    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'one order');
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    const steps: [string, InteractionRecord][] = [
      ['/order_form', opened.entry],
      ['submits step 1', one.entry],
      ['clicks "Continue to Step 2" (on the message A sent)', open2.entry],
      ['submits step 2', two.entry],
      ['clicks "Continue to Final Step"', open3.entry],
      ['submits the final step', three.entry],
    ];
    const bots = { A: a, B: b };
    assert.deepEqual(
      steps.map(([, entry]) => answeredBy(entry, bots).join()),
      ['A', 'A', 'B', 'B', 'B', 'B'],
    );
    assert.equal((messageOf(three.entry).embeds as Json[])[0]?.title, '📦 Order Submitted!');
    console.log(
      [
        'Customer transcript (test 1):',
        ...steps.map(
          ([did, entry]) =>
            `  customer ${did} -> ${seen(entry)} (answered by ${answeredBy(entry, bots).join()})`,
        ),
        '  (process A SIGKILLed after step 1; process B started on the same shard)',
        `  then the summary is edited -> "${String(confirmed.content).split('\n')[0]}" (by B's outbox)`,
        `  mailbox ${email}: ${mailsTo(email).length} email ("${mailsTo(email)[0]?.parsed.subject}"); staff channel: ${staffPostsFor(discord, user).length} post`,
      ].join('\n'),
    );
  });

  test('process A killed between taking the final submit and committing it: the form is still there, and submitting it again on B makes one order', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(1);
    const url = await postgres.freshDatabase();
    const email = 'crash-window@example.com';
    const user = newUser();
    const inputs = validInputs(13);
    const c = customer(discord, user);

    // A dies right after it has accepted the final step, before the order's commit.
    const a = await launch(discord, url, {}, { ORDERBOT_CRASH_AT: 'before_commit' });
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    const lost = discord.submitModal(user, open3.callback.data as Json, inputs[3], messageOf(two.entry));
    await a.exited;
    assert.equal(a.child.signalCode, 'SIGKILL', 'A died at the crash point');
    assert.equal(lost.callback, undefined, 'the customer got no answer (Discord shows its own failure)');
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 0, 'nothing committed');

    // The customer tries again from the same message, on B: the form, with every step, is there.
    const b = await launch(discord, url);
    const again = await c.click('Continue to Final Step', messageOf(two.entry));
    assert.equal(again.callback.type, 9, `the final step opens again, not ${seen(again.entry)}`);
    const done = await c.submit(again.callback.data as Json, inputs[3], messageOf(two.entry));
    assert.equal((messageOf(done.entry).embeds as Json[] | undefined)?.[0]?.title, '📦 Order Submitted!');
    await smtp.waitForRecipients([email], 15_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 15_000, 'the staff post');
    await settled(url, 10_000);
    await sleep(500);
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'one order');
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    await b.waitForLog('order.completed', undefined, 5000);
  });

  test('process A killed after committing the order but before answering: Continue or the same submit again on B shows that order, and no second one is made', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(1);
    const url = await postgres.freshDatabase();
    const email = 'after-commit@example.com';
    const user = newUser();
    const inputs = validInputs(14);
    const c = customer(discord, user);

    const a = await launch(discord, url, {}, { ORDERBOT_CRASH_AT: 'after_commit' });
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    discord.submitModal(user, open3.callback.data as Json, inputs[3], messageOf(two.entry));
    await a.exited;
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'the order was committed');

    const b = await launch(discord, url);
    const again = await c.click('Continue to Final Step', messageOf(two.entry));
    // The form is still there (A died before removing it), but its order is committed: the button
    // shows that order instead of reopening the form.
    assert.equal(again.callback.type, 7, `the order is shown, not ${seen(again.entry)}`);
    assert.equal((messageOf(again.entry).embeds as Json[] | undefined)?.[0]?.title, '📦 Order Submitted!');
    await b.waitForLog('order.already_received', undefined, 5000);
    // And the final submit A never answered, delivered again to B, shows it too.
    const resent = discord.submitModal(user, open3.callback.data as Json, inputs[3], messageOf(two.entry));
    await discord.waitForCallback(resent);
    assert.equal((messageOf(resent).embeds as Json[] | undefined)?.[0]?.title, '📦 Order Submitted!');
    await smtp.waitForRecipients([email], 15_000);
    await settled(url, 10_000);
    await sleep(500);
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'still one order');
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
  });

  test('the same final submit delivered to two processes at once makes one order; the other finds it taken or committed', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(2);
    const url = await postgres.freshDatabase();
    const a = await launch(discord, url, onShard(0, 2));
    const b = await launch(discord, url, onShard(1, 2));
    const email = 'twice@example.com';
    const user = newUser();
    const guild = guildOn(discord, 0, 2);
    const inputs = validInputs(12);
    const c = customer(discord, user, guild);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    const final = discord.injectToAll(
      discord.modalSubmit(user, open3.callback.data as Json, inputs[3], messageOf(two.entry), guild),
    );

    await Promise.all([
      a.waitForLog('interaction.handled', (l) => isHandled(l, final)),
      b.waitForLog('interaction.handled', (l) => isHandled(l, final)),
    ]);
    await smtp.waitForRecipients([email], 15_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 15_000, 'the staff post');
    await settled(url, 10_000);
    await sleep(500);

    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'one order');
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    // Discord kept one callback. When the process that found the form already taken answered
    // "expired" first, the process that took the order turned that answer into the summary.
    const answers: (Json | undefined)[] = [final.callback, ...final.rejected.map((r) => r.body as Json)];
    const expired = answers.filter((answer) =>
      String((answer?.data as Json | undefined)?.content).startsWith(EXPIRED),
    );
    const summaries = answers.filter((answer) =>
      ((answer?.data as Json | undefined)?.embeds as Json[] | undefined)?.some(
        (embed) => embed.title === '📦 Order Submitted!',
      ),
    );
    assert.ok(summaries.length >= 1, 'a summary was sent');
    assert.equal(
      new Set(summaries.map((summary) => JSON.stringify((summary?.data as Json | undefined)?.embeds))).size,
      1,
      'every summary shows the same order',
    );
    assert.ok(expired.length <= 1, 'at most one "expired"');
    assert.ok(
      final.rejected.every((refused) => refused.status === 400),
      'the answers Discord refused were refused as already acknowledged',
    );
    await discord.waitFor(
      () => (messageOf(final).embeds as Json[] | undefined)?.[0]?.title === '📦 Order Submitted!',
      5000,
      'the customer sees the summary',
    );
    const completed = [a, b].filter((bot) =>
      bot.logs.some((l) => l.event === 'order.completed' && l.interaction_id === final.interaction.id),
    );
    assert.equal(completed.length, 1, 'one process completed the order');
    const other = completed[0] === a ? b : a;
    assert.ok(
      other.logs.some(
        (l) =>
          ['order.stale_modal', 'order.already_committed', 'order.already_received'].includes(
            String(l.event),
          ) && l.interaction_id === final.interaction.id,
      ),
      'the other found the form gone, or its order committed',
    );
    for (const bot of [a, b]) {
      assert.equal(bot.child.exitCode, null, 'still running');
      assert.equal(bot.child.signalCode, null, 'still running');
      assert.equal(bot.logs.filter((l) => l.event === 'bot.fatal').length, 0);
    }
    console.log(
      `Duplicate final submit: Discord kept ${final.callback?.type === 7 ? 'the summary' : '"expired"'} (callback type ${final.callback?.type}); refused: ${final.rejected.map((r) => r.status).join(', ')}; edits: ${final.edits.length}; log lines: ${[
        a,
        b,
      ]
        .map((bot) =>
          bot.logs
            .filter((l) => l.interaction_id === final.interaction.id)
            .map((l) => l.event)
            .join(' '),
        )
        .join(' | ')}`,
    );
  });

  test('recipient_daily_limit 1 holds across processes: one email to the address, every order stored, the others refused', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(2);
    const url = await postgres.freshDatabase();
    const caps = { recipient_daily_limit: 1 };
    await Promise.all([
      launch(discord, url, { ...caps, ...onShard(0, 2) }),
      launch(discord, url, { ...caps, ...onShard(1, 2) }),
    ]);
    const victim = 'victim@example.com';
    // Four customers, two in a guild of each process, their final submits sent at the same moment.
    const customers = [0, 0, 1, 1].map((shard, i) => ({
      user: newUser(),
      guild: guildOn(discord, shard, 2),
      inputs: validInputs(20 + i),
    }));
    const ready = await Promise.all(
      customers.map(async ({ user, guild, inputs }) => {
        const c = customer(discord, user, guild);
        const opened = await c.command('order_form', { email: victim });
        const one = await c.submit(opened.callback.data as Json, inputs[1]);
        const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
        const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
        const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
        return { user, guild, inputs, modal: open3.callback.data as Json, from: messageOf(two.entry) };
      }),
    );
    const finals = ready.map(({ user, guild, inputs, modal, from }) =>
      discord.submitModal(user, modal, inputs[3], from, guild),
    );
    await Promise.all(finals.map((final) => discord.waitForCallback(final)));
    await discord.waitFor(
      () => customers.every(({ user }) => staffPostsFor(discord, user).length > 0),
      15_000,
      'four staff posts',
    );
    await settled(url, 10_000);
    await sleep(500);

    assert.equal(mailsTo(victim).length, 1, 'one confirmation reached the address');
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 4, 'every order stored');
    assert.equal(
      await count(url, 'SELECT count(*) AS n FROM orders WHERE email_refused IS NOT NULL'),
      3,
      'the others recorded as refused',
    );
    assert.equal(await count(url, `SELECT count(*) AS n FROM jobs WHERE kind = 'email'`), 1);
    for (const { user } of customers) assert.equal(staffPostsFor(discord, user).length, 1);
  });

  test('three outbox workers, one SIGKILLed with jobs in flight: every order emailed once (a resend keeps its Message-ID) and posted once', async (t) => {
    t.after(cleanUp);
    const shards = 3;
    const discord = await fakeDiscord(shards);
    const url = await postgres.freshDatabase();
    const config = { mail_hourly_limit: 1000, server_hourly_limit: 1000 };
    const bots = await Promise.all(
      [0, 1, 2].map((shard) => launch(discord, url, { ...config, ...onShard(shard, shards) })),
    );
    // Each message waits 500 ms before the server accepts it: emails queue up behind the
    // workers (2 at a time each), so the kill finds some in flight.
    smtp.slow(500);
    const orders = Array.from({ length: 60 }, (_, i) => ({
      user: newUser(),
      email: `worker-${i}@example.com`,
      guild: guildOn(discord, i % shards, shards),
      inputs: validInputs(100 + i),
    }));
    await Promise.all(
      orders.map(async ({ user, email, guild, inputs }) => {
        const { final } = await completeOrder(discord, user, email, inputs, guild);
        await discord.waitForCallback(final);
      }),
    );
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 60);

    // Kill the third worker at a moment when all three are sending emails (a staff post takes
    // milliseconds; an email 500 ms).
    const holders = async () =>
      count(
        url,
        `SELECT count(DISTINCT locked_by) AS n FROM jobs
         WHERE kind = 'email' AND status = 'pending' AND locked_until > $1`,
        [Date.now()],
      );
    const deadline = Date.now() + 10_000;
    while ((await holders()) < 3) {
      assert.ok(Date.now() < deadline, 'the three workers never held claims at once');
      await sleep(20);
    }
    const victim = bots[2]!;
    await victim.stop('SIGKILL');
    const mailsAtKill = smtp.received.length;

    // The survivors finish everything they can; what is left is held by the dead worker's leases,
    // which would run out after 2 minutes (the outbox's lease). Rather than wait, end them in the
    // database, as their time running out would.
    let last = '';
    let stableSince = Date.now();
    for (;;) {
      const { rows } = await query(
        url,
        `SELECT id, locked_by, locked_until FROM jobs WHERE status = 'pending' ORDER BY id`,
      );
      const now = JSON.stringify(rows);
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 2000) break;
      await sleep(100);
    }
    const expired = await query(
      url,
      `UPDATE jobs SET locked_until = 0 WHERE status = 'pending' AND locked_until > $1 RETURNING id, kind`,
      [Date.now()],
    );
    assert.ok(expired.rowCount && expired.rowCount > 0, 'the dead worker held jobs when it was killed');
    await settled(url, 20_000);
    await sleep(500);

    for (const { user, email } of orders) {
      const mails = mailsTo(email);
      assert.ok(mails.length >= 1, `${email} emailed`);
      const ids = new Set(mails.map((m) => m.parsed.messageId));
      assert.equal(ids.size, 1, `a resend to ${email} carries the same Message-ID`);
      assert.ok(mails.length <= 2, `${email}: ${mails.length} emails`);
      assert.equal(staffPostsFor(discord, user).length, 1, `one staff post for ${user.id}`);
    }
    const duplicates = orders.filter(({ email }) => mailsTo(email).length > 1).length;
    assert.ok(duplicates <= 2, `at most one resend per email the dead worker had in flight (${duplicates})`);
    assert.equal(
      await count(url, `SELECT count(*) AS n FROM orders WHERE status = 'sent'`),
      60,
      'every order delivered',
    );
    console.log(
      `Three workers: 60 orders, worker 3 SIGKILLed after ${mailsAtKill} emails, holding ${expired.rowCount} jobs (${expired.rows.map((r: { kind: string }) => r.kind).join(', ')}); ${duplicates} resent with the same Message-ID`,
    );
  });
});
