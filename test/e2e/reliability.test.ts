/**
 * End to end: nothing doubled, nothing stuck, nothing hidden. Each test is one finding of the
 * 0.2.0 adversarial review, played against the built bot, the fake Discord and a real SMTP server:
 * a full disk (a real tmpfs) after a delivery, two processes on one data folder, a read-only store,
 * health in broken states, caps per mailbox, a poison job, the clock set back (libfaketime), a
 * purge that must leave no address in any file, a staff post retried long after the first try, and
 * an order from a direct message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { NOT_THIS_SERVER } from '../../src/order/texts.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderStore } from '../../src/store/orders.ts';
import {
  type BotProcess,
  endClaimsOfKilledBot,
  ROOT,
  shopEnv,
  startBot,
  storeEnv,
} from '../support/bot-process.ts';
import { completeOrder, customer, userMaker, validInputs } from '../support/customer.ts';
import type { FakeUser } from '../support/fake-discord.ts';
import { startFakeServices } from '../support/services.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000009';
const newUser = userMaker(710_000_000_000_000_000n, 'rely');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRoot = process.getuid?.() === 0;
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Mount points to take down after the suite. */
const mounts: string[] = [];
after(() => {
  for (const point of mounts.reverse()) spawnSync('umount', ['-l', point]);
});

/** A fresh tmpfs of `size` (e.g. `1m`), as root; the data folder is `data` inside it. */
function tmpfs(size: string): { mount: string; data: string } {
  const mount = mkdtempSync(join(tmpdir(), 'order-bot-tmpfs-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', mount], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `mount -t tmpfs failed (the test needs root): ${result.stderr}`);
  mounts.push(mount);
  const data = join(mount, 'data');
  mkdirSync(data, { mode: 0o700 });
  return { mount, data };
}

/** Fills the file system holding `dir` to the last 4 KiB page; returns the filler's path. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  return path;
}

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Json };
}

describe('reliability: nothing doubled, nothing stuck, nothing hidden', { concurrency: 2 }, () => {
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
    ): BotProcess =>
      startBot({
        ...(engine ? { engine } : {}),
        env: {
          ...shopEnv(discord, smtp, {
            shop_name: 'Acme Sneakers',
            orders_channel_id: STAFF_CHANNEL,
            mail_retry_initial_seconds: 0.2,
            order_cooldown_seconds: 0,
            ...config,
          }),
          DATA_DIR: dataDir,
          HEALTH_PORT: '0',
          ...env,
        },
      });
    const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
    const staffPostsFor = (user: FakeUser) =>
      discord.channelMessages.filter((m) => String(m.body.content).includes(user.id));
    return { discord, smtp, launch, mailsTo, staffPostsFor };
  }
  const ready = async (bot: BotProcess) => {
    await bot.waitForLog('bot.ready');
    return bot;
  };
  const healthOf = async (bot: BotProcess) => {
    const { port } = await bot.waitForLog('health.listening');
    return getJson(`http://127.0.0.1:${String(port)}/healthz`);
  };
  const freshDir = () => mkdtempSync(join(tmpdir(), 'order-bot-data-'));
  const count = (bot: BotProcess, event: string) => bot.logs.filter((l) => l.event === event).length;

  test('disk full right after an email was delivered: 1 email (was 3,258), 1 staff post, 1 edit; health 503 while it lasts; all resumes once space is freed', {
    timeout: 90_000,
  }, async (t) => {
    // About the SQLite file on a full disk: on SQLite in every run.
    const { discord, smtp, launch, mailsTo, staffPostsFor } = await world(t);
    const { mount, data } = tmpfs('1m');
    const bot = await ready(launch(data, {}, {}, 'sqlite'));
    const user = newUser();
    const email = 'disk-full@example.com';
    try {
      // The SMTP server holds the message for 1.5 s: the disk fills while it is on its way.
      smtp.slow(1500);
      const { final } = await completeOrder(discord, user, email, validInputs(90));
      const filler = fillDisk(mount);
      await smtp.waitForRecipients([email], 10_000);
      await bot.waitForLog('outbox.record_failed', undefined, 10_000);
      const during = await healthOf(bot);
      assert.equal(during.status, 503, JSON.stringify(during.body));
      assert.equal(during.body.outbox, 'paused');
      assert.match(String(during.body.problem), /cannot be (saved|written)/);
      // A mail bomb would have sent thousands by now: the outcome write has been retried twice
      // (after 250 and 750 ms), the email's retry period is 200 ms. Freeing the space before the
      // third try (1.75 s) lets it succeed.
      await sleep(1500);
      assert.equal(mailsTo(email).length, 1, 'the email went out once');
      assert.ok(
        count(bot, 'outbox.record_failed') <= 2,
        `${count(bot, 'outbox.record_failed')} record_failed lines`,
      );

      rmSync(filler);
      await bot.waitForLog('outbox.record_recovered', undefined, 40_000);
      await customer(discord, user).waitForEdit(final, /Confirmation sent/, 15_000);
      await discord.waitFor(() => (staffPostsFor(user).length > 0 ? true : undefined), 15_000);
      await sleep(500); // no second email, post or edit: two of the bot's retry periods (200 ms)
      assert.equal(mailsTo(email).length, 1, 'still once after the recovery');
      assert.equal(staffPostsFor(user).length, 1, 'posted to staff once');
      assert.equal(final.edits.length, 1, 'the customer message was edited once');
      const afterwards = await healthOf(bot);
      assert.equal(afterwards.status, 200, JSON.stringify(afterwards.body));
    } finally {
      smtp.slow(0);
      await bot.stop('SIGKILL');
    }
  });

  test('a second bot on the same data folder is refused in one line naming the folder and the other process', {
    timeout: 90_000,
  }, async (t) => {
    // About the data folder's lock, which only SQLite takes: on SQLite in every run.
    const { discord, smtp, launch } = await world(t);
    const dir = freshDir();
    const first = await ready(launch(dir, {}, {}, 'sqlite'));
    try {
      const second = launch(dir, {}, {}, 'sqlite');
      const exit = await second.exited;
      assert.equal(exit.code, 1);
      const lines = second.stderr.filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(
        lines[0]!,
        new RegExp(`DATA_DIR ${dir} is in use by another bot process \\(pid ${first.child.pid}`),
      );
      // The first one goes on taking orders.
      const user = newUser();
      await completeOrder(discord, user, 'still-works@example.com', validInputs(91));
      await smtp.waitForRecipients(['still-works@example.com']);
    } finally {
      await first.stop('SIGKILL');
    }
    // Once the first has gone (even by SIGKILL), the folder is free again.
    const third = await ready(launch(dir, {}, {}, 'sqlite'));
    await third.stop('SIGKILL');
  });

  test('a read-only store is refused at start-up with one line, instead of starting "ready" and refusing every order', {
    timeout: 90_000,
  }, async (t) => {
    // About a read-only SQLite file: on SQLite in every run.
    const { launch } = await world(t);
    let dir: string;
    if (isRoot) {
      const { mount, data } = tmpfs('4m');
      const made = await ready(launch(data, {}, {}, 'sqlite'));
      await made.stop('SIGTERM');
      const remount = spawnSync('mount', ['-o', 'remount,ro', mount], { encoding: 'utf8' });
      assert.equal(remount.status, 0, remount.stderr);
      dir = data;
    } else {
      dir = freshDir();
      const made = await ready(launch(dir, {}, {}, 'sqlite'));
      await made.stop('SIGTERM');
      for (const file of readdirSync(dir)) spawnSync('chmod', ['0400', join(dir, file)]);
      spawnSync('chmod', ['0500', dir]);
    }
    const bot = launch(dir, {}, {}, 'sqlite');
    const exit = await bot.exited;
    assert.equal(exit.code, 1);
    const lines = bot.stderr.filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /cannot (write|lock)/);
    assert.ok(lines[0]!.includes(dir), lines[0]);
    assert.equal(count(bot, 'bot.ready'), 0);
  });

  test('health with a wrong SMTP password: 503 "the mail server is down and deliveries have failed", not 200 ok', {
    timeout: 90_000,
  }, async (t) => {
    const { discord, launch } = await world(t);
    const bot = await ready(launch(freshDir(), { SENDER_PASSWORD: 'wrong-password' }));
    try {
      await completeOrder(discord, newUser(), 'wrong-password@example.com', validInputs(92));
      await bot.waitForLog('outbox.failed', (l) => l.kind === 'email', 10_000);
      // The failure is logged just before its outcome is written (a few ms later on PostgreSQL).
      let health = await healthOf(bot);
      for (let i = 0; i < 20 && health.status !== 503; i++) {
        await sleep(100);
        health = await healthOf(bot);
      }
      assert.equal(health.status, 503, JSON.stringify(health.body));
      assert.equal(health.body.smtp, 'down');
      assert.match(String(health.body.problem), /mail server is down/);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a damaged page of the jobs table: the bot stays up, /healthz answers 503 with the reason (no uncaught SQLITE_CORRUPT, no restart loop)', {
    timeout: 90_000,
  }, async (t) => {
    // About a damaged page of the SQLite file: on SQLite in every run.
    const { discord, smtp, launch } = await world(t);
    const dir = freshDir();
    const first = await ready(launch(dir, {}, {}, 'sqlite'));
    await completeOrder(discord, newUser(), 'corrupt@example.com', validInputs(93));
    await smtp.waitForRecipients(['corrupt@example.com']);
    await sleep(500);
    await first.stop('SIGTERM');
    // Overwrite the jobs table's root page with noise.
    const db = openDatabase(dir, { mustExist: true });
    const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'jobs'`).get() as {
      rootpage: number;
    };
    const pageSize = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
    db.close();
    const file = join(dir, 'orders.db');
    const bytes = readFileSync(file);
    bytes.fill(0xa7, (rootpage - 1) * pageSize + 8, rootpage * pageSize);
    writeFileSync(file, bytes);

    const bot = await ready(launch(dir, {}, {}, 'sqlite'));
    try {
      for (let i = 0; i < 3; i++) {
        const health = await healthOf(bot);
        assert.equal(health.status, 503, JSON.stringify(health.body));
        assert.match(String(health.body.problem), /malformed|corrupt/i);
      }
      await sleep(500);
      assert.equal(bot.child.exitCode, null, 'still running');
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('the per-recipient cap counts mailboxes: 3 emails reach victim@gmail.com under a cap of 3 (was 8), and list tells "capped" from "sent"', {
    timeout: 90_000,
  }, async (t) => {
    const { discord, smtp, launch } = await world(t);
    const dir = freshDir();
    const bot = await ready(launch(dir, {}, { recipient_daily_limit: 3 }));
    const variants = [
      'victim+1@gmail.com',
      'v.ictim@gmail.com',
      'victim@googlemail.com',
      'Victim@gmail.com',
      'vic.tim+shop@googlemail.com',
    ];
    try {
      const finals = [];
      for (const [i, address] of variants.entries()) {
        finals.push((await completeOrder(discord, newUser(), address, validInputs(100 + i))).final);
      }
      await smtp.waitForMessages(3);
      await sleep(500); // a fourth would have come by now: two of the email's retry periods
      const delivered = smtp.received.filter((m) =>
        m.envelope.to.some((to) => variants.map((v) => v.toLowerCase()).includes(to.toLowerCase())),
      );
      assert.equal(delivered.length, 3, 'one mailbox, three confirmations');
      const refused = finals.filter((f) =>
        /No confirmation email was sent/.test(String(f.original?.content)),
      );
      assert.equal(refused.length, 2);
      const list = spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), 'list'], {
        env: { PATH: process.env.PATH ?? '', ...storeEnv(dir) },
        encoding: 'utf8',
      });
      assert.equal(list.status, 0, list.stderr);
      assert.equal(list.stdout.match(/ capped /g)?.length, 2, list.stdout);
      assert.equal(list.stdout.match(/ sent /g)?.length, 3, list.stdout);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a poison job (its payload is not JSON) fails alone with its reason; new orders still get their email and staff post', {
    timeout: 90_000,
  }, async (t) => {
    // The poison row is written into the SQLite file: on SQLite in every run.
    const { discord, smtp, launch, staffPostsFor } = await world(t);
    const dir = freshDir();
    const store = createOrderStore(openDatabase(dir));
    const { jobs } = store.commit(
      {
        orderNumber: 'ORD-POISON',
        userId: '1',
        guildId: discord.guildIds[0],
        email: 'poison@example.com',
        fields: {},
        createdAt: Date.now(),
      },
      [{ kind: 'customer_message', payload: { token: 'x' } }],
    );
    store.database.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run('{"token": "x', jobs[0]!.id);
    store.close();

    const bot = await ready(launch(dir, {}, {}, 'sqlite'));
    try {
      const user = newUser();
      await completeOrder(discord, user, 'after-poison@example.com', validInputs(94));
      await smtp.waitForRecipients(['after-poison@example.com']);
      await discord.waitFor(() => (staffPostsFor(user).length > 0 ? true : undefined));
      assert.equal(count(bot, 'outbox.read_failed'), 0, 'the batch read never failed');
    } finally {
      await bot.stop('SIGTERM');
    }
    const reopened = createOrderStore(openDatabase(dir, { mustExist: true }));
    const poison = reopened.job(jobs[0]!.id);
    assert.equal(poison?.status, 'failed');
    assert.equal(poison?.reason, 'bad_row');
    reopened.close();
  });

  test('the clock set back 2 h while an email is retrying: delivered within seconds, no "2h" wait told, no negative ages', {
    timeout: 90_000,
  }, async (t) => {
    const { discord, smtp, launch } = await world(t);
    assert.ok(existsSync(LIBFAKETIME), `${LIBFAKETIME} is missing: apt-get install faketime`);
    const clockFile = join(mkdtempSync(join(tmpdir(), 'order-bot-clock-')), 'offset');
    writeFileSync(clockFile, '+0\n');
    await smtp.stop();
    const bot = await ready(
      launch(
        freshDir(),
        {
          LD_PRELOAD: LIBFAKETIME,
          FAKETIME_TIMESTAMP_FILE: clockFile,
          FAKETIME_NO_CACHE: '1',
          FAKETIME_DONT_FAKE_MONOTONIC: '1',
        },
        { mail_retry_initial_seconds: 3, order_cooldown_seconds: 60 },
      ),
    );
    const user = newUser();
    const email = 'clock-back@example.com';
    try {
      await completeOrder(discord, user, email, validInputs(95));
      await bot.waitForLog('outbox.retry', (l) => l.kind === 'email');
      writeFileSync(clockFile, '-2h\n');
      await sleep(300);
      const health = await healthOf(bot);
      assert.ok(Number(health.body.outbox_oldest_pending_seconds) >= 0, JSON.stringify(health.body));
      assert.ok(Number(health.body.uptime_seconds) >= 0, JSON.stringify(health.body));
      await smtp.start();
      const started = Date.now();
      await smtp.waitForRecipients([email], 15_000);
      assert.ok(Date.now() - started < 12_000, 'delivered on the retry schedule, not 2 h later');
      // The cooldown after that order is a minute at most, whatever the wall clock says.
      const again = await customer(discord, user).command('order_form', { email });
      const told = String((again.callback.data as Json | undefined)?.content ?? '');
      assert.equal(again.callback.type, 4, 'still within the minute of cooldown');
      assert.doesNotMatch(told, /\dh/, told);
      assert.match(told, /\d+s/, told);
    } finally {
      await smtp.start();
      await bot.stop('SIGKILL');
    }
  });

  test('purge erases: no purged address or shipping address left in orders.db, its log, or a backup taken after', {
    timeout: 90_000,
  }, async (t) => {
    // About the bytes of orders.db and a SQLite backup: on SQLite in every run.
    const { discord, smtp, launch } = await world(t);
    const dir = freshDir();
    const bot = await ready(launch(dir, {}, {}, 'sqlite'));
    const addresses = ['erase-me-1@example.com', 'erase-me-2@example.com', 'erase-me-3@example.com'];
    try {
      for (const [i, address] of addresses.entries()) {
        await completeOrder(discord, newUser(), address, validInputs(4400 + i));
      }
      await smtp.waitForRecipients(addresses);
      await sleep(1000);
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
          env: { PATH: process.env.PATH ?? '', DATA_DIR: dir },
          encoding: 'utf8',
        });
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const purge = cli('purge', '--before', tomorrow);
      assert.equal(purge.status, 0, purge.stderr);
      const backup = join(mkdtempSync(join(tmpdir(), 'order-bot-backup-')), 'after-purge.db');
      const made = cli('backup', backup);
      assert.equal(made.status, 0, made.stderr);
      const files = [...readdirSync(dir).map((name) => join(dir, name)), backup];
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const needle of ['erase-me', '4400 Main St', '4401 Main St']) {
          assert.equal(bytes.includes(needle), false, `${needle} is still in ${file}`);
        }
      }
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a staff post retried long after a crash (Discord forgot the nonce) finds its post in the channel: posted once', {
    timeout: 90_000,
  }, async (t) => {
    const { discord, launch, staffPostsFor } = await world(t);
    const dir = freshDir();
    const user = newUser();
    const first = await ready(launch(dir, { ORDERBOT_CRASH_AT: 'after_staff_post' }));
    await completeOrder(discord, user, 'late-retry@example.com', validInputs(96));
    const died = await first.exited;
    assert.equal(died.signal, 'SIGKILL');
    assert.equal(staffPostsFor(user).length, 1);
    discord.nonceMemoryMs = 0; // "much later": the nonce no longer protects
    endClaimsOfKilledBot(dir);
    const second = await ready(launch(dir));
    try {
      await second.waitForLog('outbox.done', (l) => l.kind === 'staff_post', 10_000);
      await sleep(500);
      assert.equal(staffPostsFor(user).length, 1, 'not posted twice');
    } finally {
      discord.nonceMemoryMs = Number.POSITIVE_INFINITY;
      await second.stop('SIGKILL');
    }
  });

  test('/order_form from a direct message is refused (no per-server cap could count it)', {
    timeout: 90_000,
  }, async (t) => {
    const { discord, launch } = await world(t);
    const bot = await ready(launch(freshDir()));
    try {
      const entry = discord.dmCommand(newUser(), 'order_form', { email: 'dm@example.com' });
      const callback = await discord.waitForCallback(entry);
      assert.equal(callback.type, 4);
      assert.equal((callback.data as Json).content, NOT_THIS_SERVER);
    } finally {
      await bot.stop('SIGKILL');
    }
  });
});
