/**
 * End to end: HTTP interaction replicas (`DISCORD_GATEWAY=off`, `INTERACTIONS_PORT`) and a gateway
 * process on one PostgreSQL (orders, outbox, caps) and one Redis (forms in progress), against the
 * fake Discord, which signs every interaction and POSTs it to the replica the test names. A form
 * started on replica A is finished on replica B after A is SIGKILLed; the same final submit POSTed
 * to both replicas at once makes one order; a gateway process and a replica report the same orders.
 * Written for PostgreSQL and Redis explicitly (HTTP replicas share nothing else), whatever the run's engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BotProcess, type LogLine, shopEnv, startBot } from '../support/bot-process.ts';
import { customer, messageOf, userMaker, validInputs } from '../support/customer.ts';
import {
  ADMIN_PERMISSIONS,
  type FakeDiscord,
  type FakeUser,
  type InteractionRecord,
  startFakeDiscord,
} from '../support/fake-discord.ts';
import { count, type RunningPostgres, startPostgres } from '../support/postgres.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000002';
const newUser = userMaker(740_000_000_000_000_000n, 'replica');
const admin: FakeUser = { id: '740000000000000999', username: 'owner', permissions: ADMIN_PERMISSIONS };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HTTP interaction replicas on one PostgreSQL and one Redis', () => {
  let postgres: RunningPostgres;
  let redis: TestRedis;
  let smtp: TestSmtpServer;
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
  async function cleanUp() {
    await Promise.all(running.splice(0).map((bot) => bot.stop('SIGKILL')));
    for (const fake of fakes.splice(0)) await fake.close();
  }
  async function fakeDiscord(guilds = 1): Promise<FakeDiscord> {
    const fake = await startFakeDiscord({ heartbeatIntervalMs: 300, guilds, memberCount: (i) => 100 + i });
    fakes.push(fake);
    return fake;
  }

  /** A bot on `databaseUrl` and the file's Redis: an HTTP replica (`http`), or a gateway process. */
  async function launch(
    discord: FakeDiscord,
    databaseUrl: string,
    mode: 'http' | 'gateway',
    config: Record<string, unknown> = {},
  ): Promise<{ bot: BotProcess; endpoint: string }> {
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
        ...(mode === 'http'
          ? { DISCORD_GATEWAY: 'off', INTERACTIONS_PORT: '0', DISCORD_PUBLIC_KEY: discord.publicKeyHex }
          : {}),
      },
    });
    running.push(bot);
    await bot.waitForLog('bot.ready', undefined, 15_000);
    if (mode === 'gateway') return { bot, endpoint: '' };
    const listening = await bot.waitForLog('interactions.listening');
    return { bot, endpoint: `http://127.0.0.1:${String(listening.port)}/interactions` };
  }

  const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
  const staffPostsFor = (discord: FakeDiscord, user: FakeUser) =>
    discord.channelMessages.filter((m) => String(m.body.content).includes(user.id));
  const isHandled = (line: LogLine, entry: InteractionRecord) =>
    line.event === 'interaction.handled' && line.interaction_id === entry.interaction.id;
  async function settled(url: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while ((await count(url, `SELECT count(*) AS n FROM jobs WHERE status = 'pending'`)) > 0) {
      assert.ok(Date.now() < deadline, `jobs still pending after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  test('step 1 on replica A, A SIGKILLed, steps 2 and 3 on replica B: one order, one email, one staff post', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    const [a, b] = await Promise.all([launch(discord, url, 'http'), launch(discord, url, 'http')]);
    const email = 'replica-handover@example.com';
    const user = newUser();
    const inputs = validInputs(31);
    const c = customer(discord, user);

    discord.deliverOverHttp([a.endpoint]);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    await a.bot.waitForLog('interaction.handled', (l) => isHandled(l, one.entry));
    await a.bot.stop('SIGKILL');

    discord.deliverOverHttp([b.endpoint]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    const three = await c.submit(open3.callback.data as Json, inputs[3], messageOf(two.entry));
    assert.equal((messageOf(three.entry).embeds as Json[] | undefined)?.[0]?.title, '📦 Order Submitted!');

    await smtp.waitForRecipients([email], 15_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 15_000, 'the staff post');
    await c.waitForEdit(three.entry, /Confirmation sent/);
    await settled(url, 10_000);
    await sleep(500); // would a second copy come?

    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'one order');
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    const answeredBy = (entry: InteractionRecord) =>
      [a, b]
        .filter(({ bot }) => bot.logs.some((l) => isHandled(l, entry)))
        .map(({ endpoint }) => (endpoint === a.endpoint ? 'A' : 'B'));
    assert.deepEqual(
      [opened.entry, one.entry, open2.entry, two.entry, open3.entry, three.entry].map((e) =>
        answeredBy(e).join(),
      ),
      ['A', 'A', 'B', 'B', 'B', 'B'],
    );
    assert.ok(
      !discord.requests.some((r) => r.path.endsWith('/callback')),
      'every first answer was an HTTP response',
    );
  });

  test('the same final submit POSTed to both replicas at once: one order, one email, one staff post', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    const [a, b] = await Promise.all([launch(discord, url, 'http'), launch(discord, url, 'http')]);
    const email = 'replica-twice@example.com';
    const user = newUser();
    const inputs = validInputs(32);
    const c = customer(discord, user);
    discord.deliverOverHttp([a.endpoint]);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    discord.deliverOverHttp([b.endpoint]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));

    discord.deliverOverHttp([a.endpoint, b.endpoint]);
    const final = discord.injectToAll(
      discord.modalSubmit(user, open3.callback.data as Json, inputs[3], messageOf(two.entry)),
    );
    await Promise.all([
      a.bot.waitForLog('interaction.handled', (l) => isHandled(l, final)),
      b.bot.waitForLog('interaction.handled', (l) => isHandled(l, final)),
    ]);
    await smtp.waitForRecipients([email], 15_000);
    await discord.waitFor(() => staffPostsFor(discord, user).length > 0, 15_000, 'the staff post');
    await settled(url, 10_000);
    await sleep(500);

    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 1, 'one order');
    assert.equal(mailsTo(email).length, 1, 'one email');
    assert.equal(staffPostsFor(discord, user).length, 1, 'one staff post');
    const completed = [a, b].filter(({ bot }) =>
      bot.logs.some((l) => l.event === 'order.completed' && l.interaction_id === final.interaction.id),
    );
    assert.equal(completed.length, 1, 'one replica completed the order');
    assert.ok(final.callback, 'Discord kept one answer');
    assert.deepEqual(
      final.rejected.map((r) => r.status),
      [400],
      'the later HTTP answer was refused as already acknowledged',
    );
    for (const { bot } of [a, b]) {
      assert.equal(bot.child.exitCode, null, 'still running');
      assert.equal(bot.logs.filter((l) => l.level === 'error').length, 0, 'no error logged');
    }
  });

  test('a gateway process and an HTTP replica side by side: diagnostics from either sees the same orders', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord();
    const url = await postgres.freshDatabase();
    const [gateway, replica] = await Promise.all([
      launch(discord, url, 'gateway'),
      launch(discord, url, 'http'),
    ]);
    // Orders through the replica (HTTP), then one through the gateway process.
    discord.deliverOverHttp([replica.endpoint]);
    const orderOn = async (n: number) => {
      const user = newUser();
      const c = customer(discord, user);
      const opened = await c.command('order_form', { email: `side-${n}@example.com` });
      const one = await c.submit(opened.callback.data as Json, validInputs(n)[1]);
      const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
      const two = await c.submit(open2.callback.data as Json, validInputs(n)[2], messageOf(one.entry));
      const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
      await c.submit(open3.callback.data as Json, validInputs(n)[3], messageOf(two.entry));
    };
    await orderOn(41);
    await orderOn(42);
    discord.deliverOverHttp([]);
    await orderOn(43);
    assert.equal(await count(url, 'SELECT count(*) AS n FROM orders'), 3);

    const gatewayEntry = discord.command(admin, 'run_diagnostics');
    const viaGateway = await discord.waitForCallback(gatewayEntry);
    discord.deliverOverHttp([replica.endpoint]);
    const httpEntry = discord.command(admin, 'run_diagnostics');
    const viaHttp = await discord.waitForCallback(httpEntry);
    await gateway.bot.waitForLog('interaction.handled', (l) => isHandled(l, gatewayEntry));
    await replica.bot.waitForLog('interaction.handled', (l) => isHandled(l, httpEntry));
    const ordersLine = (content: unknown) =>
      String(content)
        .split('\n')
        .find((line) => line.startsWith('**Orders:**'));
    assert.equal(ordersLine(viaGateway.data?.content), '**Orders:** 3 today, 3 total (3 received)');
    assert.equal(ordersLine(viaHttp.data?.content), '**Orders:** 3 today, 3 total (3 received)');
    assert.match(String(viaGateway.data?.content), /\*\*Servers:\*\* 1\b/);
    assert.match(String(viaHttp.data?.content), /\*\*Gateway:\*\* none on this process/);
    const answeredOver = (bot: BotProcess) =>
      bot.logs.filter((l) => l.event === 'interaction.handled').length;
    assert.equal(
      answeredOver(gateway.bot),
      6 + 1,
      'the gateway process answered one order and one diagnostics',
    );
    assert.equal(answeredOver(replica.bot), 12 + 1, 'the replica answered two orders and one diagnostics');
  });

  test('resume_gateway_sessions: a gateway process started again (after SIGTERM, after SIGKILL) resumes its shard instead of identifying, and knows its servers from REST', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(5);
    const url = await postgres.freshDatabase();
    const config = { resume_gateway_sessions: true };
    const first = await launch(discord, url, 'gateway', config);
    assert.equal(discord.identifyCount, 1);
    assert.equal((await first.bot.stop('SIGTERM')).code, 0);

    const second = await launch(discord, url, 'gateway', config);
    assert.equal(discord.identifyCount, 1, 'no second IDENTIFY');
    assert.equal(discord.resumeCount, 1, 'resumed');
    const ready = second.bot.logs.find((l) => l.event === 'bot.ready');
    assert.equal(ready?.guilds, 5, 'its servers, from REST');
    assert.equal(ready?.user, discord.botUser.username);
    const diagnostics = await discord.waitForCallback(discord.command(admin, 'run_diagnostics'));
    assert.match(String(diagnostics.data?.content), /\*\*Servers:\*\* 5\b/);
    assert.match(String(diagnostics.data?.content), /\*\*Users \(approximate\):\*\* 510\b/);
    assert.match(String(diagnostics.data?.content), /\*\*Shards:\*\* 1\/1 ready/);

    await second.bot.stop('SIGKILL');
    const third = await launch(discord, url, 'gateway', config);
    assert.equal(discord.identifyCount, 1, 'no IDENTIFY after a crash either');
    assert.equal(discord.resumeCount, 2);
    const ping = await discord.waitForCallback(discord.command(admin, 'ping'));
    assert.match(String(ping.data?.content), /^Pong!/, 'the resumed shard delivers interactions');
    assert.equal(third.bot.child.exitCode, null);
  });

  test('without resume_gateway_sessions a gateway process started again identifies, as before', async (t) => {
    t.after(cleanUp);
    const discord = await fakeDiscord(2);
    const url = await postgres.freshDatabase();
    const first = await launch(discord, url, 'gateway');
    assert.equal((await first.bot.stop('SIGTERM')).code, 0);
    await launch(discord, url, 'gateway');
    assert.equal(discord.identifyCount, 2);
    assert.equal(discord.resumeCount, 0);
  });
});
