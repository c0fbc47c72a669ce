/**
 * End to end: no completed order is lost. The built bot runs as a process against the fake Discord
 * and a real SMTP server, with its database in a DATA_DIR that survives restarts; it is killed with
 * SIGKILL at each point of the final step (ORDERBOT_CRASH_AT), and started again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import {
  type BotProcess,
  endClaimsOfKilledBot,
  ordersAt,
  readOrders,
  shopEnv,
  startBot,
  waitForOrders,
} from '../support/bot-process.ts';
import { customer, messageOf, userMaker, validInputs } from '../support/customer.ts';
import type { FakeUser, InteractionRecord } from '../support/fake-discord.ts';
import { startFakeServices } from '../support/services.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000002';
const newUser = userMaker(500_000_000_000_000_000n, 'buyer');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('orders survive crashes, restarts and failed answers', { concurrency: 2 }, () => {
  /**
   * The test's own fake Discord and SMTP server, and what it does with them: each test starts its
   * own, so two can run side by side (a bot connected to a shared fake would also receive the
   * other test's interactions).
   */
  async function world(t: TestContext) {
    const { discord, smtp } = await startFakeServices(t);
    const launch = (
      dataDir: string,
      env: Record<string, string> = {},
      config: Record<string, unknown> = {},
      engine?: 'sqlite',
    ) =>
      startBot({
        ...(engine ? { engine } : {}),
        env: {
          ...shopEnv(discord, smtp, {
            shop_name: 'Acme Sneakers',
            orders_channel_id: STAFF_CHANNEL,
            mail_retry_initial_seconds: 0.2,
            ...config,
          }),
          DATA_DIR: dataDir,
          ...env,
        },
      });
    const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
    const staffPostsFor = (user: FakeUser) =>
      discord.channelMessages.filter((m) => String(m.body.content).includes(user.id));
    /** Steps 1 and 2 through the bot, then the step-3 submit written to the socket; its record. */
    async function submitFinalStep(user: FakeUser, email: string, n: number): Promise<InteractionRecord> {
      const c = customer(discord, user);
      const inputs = validInputs(n);
      const opened = await c.command('order_form', { email });
      const one = await c.submit(opened.callback.data as Json, inputs[1]);
      const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
      const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
      const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
      return discord.submitModal(user, open3.callback.data as Json, inputs[3], messageOf(two.entry));
    }
    return { discord, smtp, launch, mailsTo, staffPostsFor, submitFinalStep };
  }
  const ready = async (bot: BotProcess) => {
    await bot.waitForLog('bot.ready');
    return bot;
  };
  const freshDir = () => mkdtempSync(join(tmpdir(), 'order-bot-data-'));
  /** The orders of the bots on `dir`, newest first, from the engine they used. */
  const ordersIn = (dir: string) => readOrders(dir, (orders) => orders.list());

  for (const point of ['before_commit', 'after_commit', 'after_answer', 'after_email_accepted'] as const) {
    test(`SIGKILL at ${point}: after a restart every committed order is emailed and posted once, and nothing uncommitted was confirmed`, async (t) => {
      const { discord, smtp, launch, mailsTo, staffPostsFor, submitFinalStep } = await world(t);
      const dir = freshDir();
      const user = newUser();
      const email = `crash-${point}@example.com`;
      const first = await ready(launch(dir, { ORDERBOT_CRASH_AT: point }));
      const final = await submitFinalStep(user, email, 70);
      const died = await first.exited;
      assert.equal(died.signal, 'SIGKILL', `the bot died at ${point}`);
      const answeredBeforeCrash = final.callback !== undefined;
      endClaimsOfKilledBot(dir);

      const second = await ready(launch(dir));
      try {
        if (point === 'before_commit') {
          await sleep(1500);
          assert.equal(answeredBeforeCrash, false, 'an order that was not committed was never confirmed');
          assert.deepEqual(await ordersIn(dir), []);
          assert.equal(mailsTo(email).length, 0);
          assert.equal(staffPostsFor(user).length, 0);
          return;
        }
        if (point === 'after_commit') assert.equal(answeredBeforeCrash, false, 'it died before answering');
        if (point === 'after_answer' || point === 'after_email_accepted') {
          assert.equal(final.callback?.type, 7, 'the customer saw the summary before the crash');
          assert.equal((messageOf(final).embeds as Json[])[0]?.title, '📦 Order Submitted!');
        }
        await smtp.waitForRecipients([email], 15_000);
        await discord.waitFor(() => (staffPostsFor(user).length > 0 ? true : undefined), 15_000);
        await waitForOrders(dir, (orders) => orders[0]?.status === 'sent', 15_000);
        await sleep(1000); // would a second copy come?
        const mails = mailsTo(email);
        const ids = new Set(mails.map((m) => m.parsed.messageId));
        if (point === 'after_email_accepted') {
          assert.ok(mails.length <= 2, `${mails.length} emails`);
          assert.equal(ids.size, 1, 'a resend carries the same Message-ID, so mail clients show one');
        } else {
          assert.equal(mails.length, 1, 'emailed exactly once');
        }
        assert.match([...ids][0] ?? '', /^<order-1\.[0-9a-f]{16}@example\.test>$/);
        assert.equal(staffPostsFor(user).length, 1, 'posted to staff once');
        const [order] = await ordersIn(dir);
        assert.equal(order?.email, email);
        assert.equal(order?.fields.shipping_address, '70 Main St\nSpringfield, IL 62701');
        if (point === 'after_answer') {
          const edit = await customer(discord, user).waitForEdit(final, /Confirmation sent/);
          assert.match(String(edit.content), /Confirmation sent to crash\\-after\\_answer\\@example\.com/);
        }
      } finally {
        await second.stop('SIGKILL');
      }
    });
  }

  test('SIGKILL while the email is being retried (SMTP down): after a restart with SMTP back, it is sent once', async (t) => {
    const { discord, smtp, launch, mailsTo, submitFinalStep } = await world(t);
    const dir = freshDir();
    const user = newUser();
    const email = 'while-retrying@example.com';
    await smtp.stop();
    const first = await ready(launch(dir));
    const final = await submitFinalStep(user, email, 71);
    await discord.waitForCallback(final);
    await first.waitForLog('outbox.retry', (l) => l.kind === 'email' && l.reason === 'unreachable');
    await first.stop('SIGKILL');
    endClaimsOfKilledBot(dir);
    await smtp.start();
    const second = await ready(launch(dir));
    try {
      await smtp.waitForRecipients([email], 15_000);
      await sleep(1000);
      assert.equal(mailsTo(email).length, 1);
      const edit = await customer(discord, user).waitForEdit(final, /Confirmation sent/, 15_000);
      assert.ok(edit, 'the customer is told after the restart');
    } finally {
      await second.stop('SIGKILL');
    }
  });

  for (const [status, times] of [
    [500, 3],
    [400, 1],
  ] as const) {
    test(`the final answer fails (${status} x${times}): the order is still stored, posted and emailed`, async (t) => {
      const { discord, smtp, launch, staffPostsFor } = await world(t);
      const dir = freshDir();
      const bot = await ready(launch(dir));
      try {
        const user = newUser();
        const email = `answer-${status}@example.com`;
        const c = customer(discord, user);
        const inputs = validInputs(72);
        const opened = await c.command('order_form', { email });
        const one = await c.submit(opened.callback.data as Json, inputs[1]);
        const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
        const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
        const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
        discord.failNext((method, path) => method === 'POST' && path.endsWith('/callback'), status, times);
        discord.submitModal(user, open3.callback.data as Json, inputs[3], messageOf(two.entry));
        await smtp.waitForRecipients([email], 15_000);
        await discord.waitFor(() => (staffPostsFor(user).length > 0 ? true : undefined), 15_000);
        const [order] = await ordersIn(dir);
        assert.equal(order?.email, email);
        await bot.waitForLog('order.answer_failed');
      } finally {
        await bot.stop('SIGKILL');
      }
    });
  }

  test('SIGTERM with email queued behind a slow SMTP server: every outcome message is sent before exit', async (t) => {
    const { discord, smtp, launch, submitFinalStep } = await world(t);
    const dir = freshDir();
    const bot = await ready(launch(dir, {}, { mail_drain_seconds: 15 }));
    smtp.slow(700);
    try {
      const users = [newUser(), newUser(), newUser()];
      const finals = await Promise.all(
        users.map(async (user, i) => {
          const final = await submitFinalStep(user, `slow${i}@example.com`, 80 + i);
          await discord.waitForCallback(final);
          return final;
        }),
      );
      const stopped = await bot.stop('SIGTERM');
      assert.equal(stopped.code, 0);
      for (const final of finals) {
        assert.ok(
          final.edits.some((edit) => /Confirmation sent/.test(String(edit.content))),
          'the outcome edit went out before exit',
        );
      }
      assert.equal(
        (await readOrders(dir, (orders) => orders.counts(0))).jobsPending,
        0,
        'nothing left behind',
      );
      assert.ok(bot.logs.some((l) => l.event === 'bot.stopped' && l.pending_jobs === 0));
    } finally {
      smtp.slow(0);
    }
  });

  test('cooldown and daily cap hold across a restart', async (t) => {
    const { discord, launch, submitFinalStep } = await world(t);
    const dir = freshDir();
    const user = newUser();
    const first = await ready(launch(dir, {}, { order_cooldown_seconds: 0, daily_order_limit: 1 }));
    const final = await submitFinalStep(user, 'limits@example.com', 73);
    await discord.waitForCallback(final);
    await first.stop('SIGTERM');
    const capped = await ready(launch(dir, {}, { order_cooldown_seconds: 0, daily_order_limit: 1 }));
    try {
      const { callback } = await customer(discord, user).command('order_form', {
        email: 'limits@example.com',
      });
      assert.match(String(callback.data?.content), /limit of 1 orders in 24 hours/);
    } finally {
      await capped.stop('SIGTERM');
    }
    const cooling = await ready(launch(dir, {}, { order_cooldown_seconds: 3600 }));
    try {
      const { callback } = await customer(discord, user).command('order_form', {
        email: 'limits@example.com',
      });
      assert.match(String(callback.data?.content), /You just placed an order\. You can start another in/);
    } finally {
      await cooling.stop('SIGKILL');
    }
  });

  test('/healthz is degraded while a delivery has been pending over 10 minutes; old orders are purged at start', async (t) => {
    const { smtp, launch } = await world(t);
    const dir = freshDir();
    const store = await ordersAt(dir);
    const day = 86_400_000;
    const jobs = (...kinds: string[]) => ({
      caps: [],
      decide: () => ({ jobs: kinds.map((kind) => ({ kind })) }),
    });
    const old = await store.orders.commit(
      {
        orderNumber: 'ORD-OLD',
        userId: '1',
        guildId: '2',
        email: 'old@example.com',
        fields: { shipping_address: 'old street' },
        createdAt: Date.now() - 400 * day,
      },
      jobs(),
    );
    await store.orders.commit(
      {
        orderNumber: 'ORD-STUCK',
        userId: '1',
        guildId: '2',
        email: 'stuck@example.com',
        fields: {},
        createdAt: Date.now() - 11 * 60_000,
      },
      jobs('email'),
    );
    await store.close();
    await smtp.stop();
    const bot = await ready(launch(dir, { HEALTH_PORT: '0' }, { mail_max_attempts: 20 }));
    try {
      const { port } = await bot.waitForLog('health.listening');
      const purged = await bot.waitForLog('orders.purged');
      assert.equal(purged.orders, 1);
      assert.equal(
        (await readOrders(dir, (orders) => orders.get(old.order.id)))?.email,
        '',
        'personal data removed after retention_days',
      );
      await bot.waitForLog('outbox.retry', (l) => l.kind === 'email');
      const response = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
      const body = (await response.json()) as Json;
      assert.equal(response.status, 503);
      assert.equal(body.status, 'degraded');
      assert.equal(body.outbox_pending, 1);
      assert.ok(Number(body.outbox_oldest_pending_seconds) >= 660);
      const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
      assert.match(metrics, /^orderbot_outbox_jobs\{status="pending"\} 1$/m);
      assert.match(metrics, /^orderbot_orders_stored 2$/m);
    } finally {
      await bot.stop('SIGKILL');
      await smtp.start();
    }
  });

  test('a corrupt database file: one clear line naming it, exit 1, and the file is left alone', async (t) => {
    const { launch } = await world(t);
    const dir = freshDir();
    const path = join(dir, 'orders.db');
    writeFileSync(path, 'garbage that is not SQLite '.repeat(100));
    const before = readFileSync(path);
    // About the SQLite file itself: on SQLite in every run.
    const bot = launch(dir, {}, {}, 'sqlite');
    const { code } = await bot.exited;
    assert.equal(code, 1);
    const stderr = bot.stderr.join('\n').trim();
    assert.ok(stderr.startsWith(`${path}: not a readable order database`), stderr);
    assert.ok(!stderr.includes('\n'), 'one line');
    assert.deepEqual(readFileSync(path), before, 'never replaced by an empty database');
    assert.equal(statSync(dir).isDirectory(), true);
  });
});
