/**
 * End to end: the bot cannot be turned into a mail relay, refuses what it must refuse, and never
 * dies silently. The built bot runs as a process against the fake Discord and a real SMTP server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FATAL_CLOSE_CODES } from '../../src/gateway/gateway.ts';
import { EXPIRED, INVALID_EMAIL, NOT_THIS_SERVER } from '../../src/order/texts.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderStore } from '../../src/store/orders.ts';
import { type BotProcess, ROOT, startBot, writeConfigDir } from '../support/bot-process.ts';
import { completeOrder, customer, messageOf, validInputs } from '../support/customer.ts';
import {
  ADMIN_PERMISSIONS,
  type FakeDiscord,
  type FakeUser,
  startFakeDiscord,
} from '../support/fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000003';
let nextUser = 630_000_000_000_000_000n;
const newUser = (over: Partial<FakeUser> = {}): FakeUser => {
  nextUser++;
  return { id: String(nextUser), username: `u${nextUser % 100_000n}`, ...over };
};
/** The Node flags of `npm start`. */
const START_FLAGS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((part) => part.startsWith('--'));
const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

describe('hardening', () => {
  let discord: FakeDiscord;
  let smtp: TestSmtpServer;
  before(async () => {
    discord = await startFakeDiscord({ guilds: 2 });
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.close();
    await discord.close();
  });

  const launch = (
    config: Record<string, unknown> = {},
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
  ): BotProcess =>
    startBot({
      nodeArgs,
      env: {
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        DATA_DIR: env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'order-bot-hard-')),
        CONFIG_DIR: writeConfigDir({
          smtp_server: smtp.host,
          smtp_port: smtp.port,
          shop_name: 'Acme Sneakers',
          orders_channel_id: STAFF_CHANNEL,
          allowed_guild_ids: [discord.guildIds[0]],
          mail_retry_initial_seconds: 0.05,
          ...config,
        }),
        SENDER_EMAIL: 'shop@example.test',
        SENDER_PASSWORD: 'app-password',
        NODE_EXTRA_CA_CERTS: smtp.certPath,
        ...env,
      },
    });

  for (const code of Object.keys(FATAL_CLOSE_CODES).map(Number)) {
    test(`gateway close ${code}: one line on stderr saying what to do, exit 1`, async () => {
      const bot = launch();
      await bot.waitForLog('bot.ready');
      discord.dropShard(0, code);
      const { code: exit } = await bot.exited;
      assert.equal(exit, 1);
      assert.equal(bot.stderr.join('\n').trim(), FATAL_CLOSE_CODES[code]);
    });
  }

  test('a 401 on a bot-token request after start-up: one line, exit 1', async () => {
    const bot = launch();
    await bot.waitForLog('bot.ready');
    discord.failNext((method, path) => method === 'POST' && path.startsWith('/channels/'), 401);
    await completeOrder(
      discord,
      { id: '620000000000000001', username: 'x' },
      'token@example.com',
      validInputs(1),
    );
    const { code } = await bot.exited;
    assert.equal(code, 1);
    assert.match(
      bot.stderr.join('\n').trim(),
      /^Discord rejected DISCORD_BOT_TOKEN \(401 Unauthorized\): reset the token/,
    );
  });

  test('the relay attack: 100 accounts ordering to one victim address get at most recipient_daily_limit emails, also after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-relay-'));
    const victim = 'victim@example.com';
    const bot = launch({}, { DATA_DIR: dataDir });
    try {
      await bot.waitForLog('bot.ready');
      const attackers = Array.from({ length: 100 }, () => newUser());
      const finals = await Promise.all(
        attackers.map((user, i) => completeOrder(discord, user, victim, validInputs(2000 + i))),
      );
      await bot.waitForLog('order.email_refused');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const mails = () => smtp.received.filter((m) => m.envelope.to.includes(victim)).length;
      assert.equal(mails(), 3, 'recipient_daily_limit (default 3)');
      const store = createOrderStore(openDatabase(dataDir));
      assert.equal(store.counts(0).ordersTotal, 100, 'every order is still recorded');
      await discord.waitFor(
        () =>
          discord.channelMessages.filter((m) => m.channelId === STAFF_CHANNEL).length >= 10
            ? true
            : undefined,
        10_000,
      );
      const refusedNote = finals
        .map((f) => String(messageOf(f.final).content))
        .find((content) => content.includes('No confirmation email was sent'));
      assert.match(
        String(refusedNote),
        /(this address has already been sent 3 confirmations today|limit of \d+ confirmation emails an hour)/,
      );
      const metrics = bot.logs.filter((l) => l.event === 'order.email_refused').length;
      assert.equal(metrics, 97);
      await bot.stop('SIGTERM');
      const again = launch({ order_cooldown_seconds: 0 }, { DATA_DIR: dataDir });
      try {
        await again.waitForLog('bot.ready');
        await completeOrder(discord, newUser(), victim, validInputs(2200));
        await again.waitForLog('order.email_refused', (l) => l.reason === 'recipient_daily');
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(mails(), 3, 'the cap holds across a restart');
      } finally {
        await again.stop('SIGKILL');
      }
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a foreign server is refused everywhere (command, button, modal, diagnostics) and nothing is sent', async () => {
    const bot = launch();
    try {
      await bot.waitForLog('bot.ready');
      const foreign = discord.guildIds[1]!;
      const user = newUser();
      const command = discord.command(user, 'order_form', { email: 'x@example.com' }, foreign);
      assert.equal((await discord.waitForCallback(command)).data?.content, NOT_THIS_SERVER);
      const button = discord.click(user, { id: '1', content: 'x' }, 'order_open:1:abc', foreign);
      assert.equal((await discord.waitForCallback(button)).data?.content, NOT_THIS_SERVER);
      const diagnostics = discord.command(
        newUser({ permissions: ADMIN_PERMISSIONS }),
        'run_diagnostics',
        {},
        foreign,
      );
      const answer = String((await discord.waitForCallback(diagnostics)).data?.content);
      assert.match(answer, /only in the shop's own Discord server/);
      assert.doesNotMatch(answer, /Servers|Emails|SMTP/);
      const home = discord.command(user, 'order_form', { email: 'x@example.com' }, discord.guildIds[0]);
      assert.equal((await discord.waitForCallback(home)).type, 9, "the shop's own server may order");
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('without allowed_guild_ids the bot warns at start-up, naming the servers it is in', async () => {
    const bot = launch({ allowed_guild_ids: [] });
    try {
      const warning = await bot.waitForLog('config.allowed_guild_ids_unset');
      assert.deepEqual([...(warning.servers as string[])].sort(), [...discord.guildIds].sort());
      assert.match(String(warning.note), /untick Public Bot/);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a forged step-3 submit right after opening the form is refused; nothing is stored or sent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-forged-'));
    const bot = launch({}, { DATA_DIR: dataDir });
    try {
      await bot.waitForLog('bot.ready');
      const user = newUser();
      const opened = await customer(discord, user).command('order_form', { email: 'forged@example.com' });
      const nonce = String((opened.callback.data as Json).custom_id).split(':')[2];
      const forged = {
        custom_id: `order_modal:3:${nonce}`,
        components: [{ component: { custom_id: 'shipping_address' } }, { component: { custom_id: 'notes' } }],
      };
      const entry = discord.submitModal(user, forged, { shipping_address: '1 Forged St', notes: 'x' });
      const callback = await discord.waitForCallback(entry);
      assert.equal(callback.data?.content, EXPIRED);
      await bot.waitForLog('order.out_of_order', (l) => l.step === 3);
      assert.equal(createOrderStore(openDatabase(dataDir)).counts(0).ordersTotal, 0);
      assert.equal(smtp.received.filter((m) => m.envelope.to.includes('forged@example.com')).length, 0);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('hostile Unicode: control and format characters never reach the order, Discord or the email', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-unicode-'));
    const bot = launch({}, { DATA_DIR: dataDir });
    try {
      await bot.waitForLog('bot.ready');
      const nul = await customer(discord, newUser()).command('order_form', { email: 'a\u0000b@example.com' });
      assert.equal(nul.callback.data?.content, INVALID_EMAIL, 'a NUL in the address is refused, not dropped');
      const bidi = await customer(discord, newUser()).command('order_form', {
        email: 'evil\u202e@example.com',
      });
      assert.equal(bidi.callback.data?.content, INVALID_EMAIL);
      const hostile = '\u202eRLO\u200bZW\u0007BEL\ufeffBOM\u2066ISO\u0000NUL';
      const inputs = validInputs(77);
      for (const key of ['order_number', 'product_name'] as const) inputs[1][key] = `${key}${hostile}`;
      for (const key of ['style_id', 'product_size', 'product_condition', 'color'] as const) {
        inputs[2][key] = `${key.slice(0, 4)}${hostile}`.slice(0, 20);
      }
      inputs[3] = {
        shipping_address: `1 Main St${hostile}\r\nSpringfield`,
        notes: `line one${hostile}\nline two`,
      };
      const user = newUser();
      const { final } = await completeOrder(discord, user, 'Jose@Bücher.Example', inputs);
      const [order] = createOrderStore(openDatabase(dataDir)).list();
      assert.ok(order);
      assert.equal(
        order.email,
        'Jose@xn--bcher-kva.example',
        'the address is normalised (IDNA, lower-case domain)',
      );
      for (const value of Object.values(order.fields)) {
        assert.doesNotMatch(value.replace(/\n/g, ''), /[\p{Cc}\p{Cf}]/u);
      }
      assert.equal(order.fields.product_name, 'product_nameRLOZWBELBOMISONUL');
      assert.equal(
        order.fields.shipping_address,
        '1 Main StRLOZWBELBOMISONUL\nSpringfield',
        'line breaks kept',
      );
      assert.equal(order.fields.notes, 'line oneRLOZWBELBOMISONUL\nline two');
      const summary = JSON.stringify(messageOf(final));
      assert.doesNotMatch(summary, /[\u202e\u200b\u2066\ufeff]|\\u0000|\\u0007/);
      assert.ok(
        summary.includes('Jose\\\\@xn\\\\-\\\\-bcher\\\\-kva.example'),
        'the customer sees the normalised address',
      );
      // The test SMTP server reports an IDN envelope address in Unicode; the message itself was
      // addressed to the ASCII form.
      const [mail] = await smtp.waitForRecipients(['Jose@bücher.example']);
      assert.match(mail!.raw.toString('utf8'), /^To: Jose@xn--bcher-kva\.example\r?$/m);
      assert.doesNotMatch(String(mail!.parsed.html), /[\u202e\u200b\u2066\ufeff\u0000]/);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('10,000 customers with maximum-length forms: the session cap (1,000) keeps memory under the deploy limit', async () => {
    // As production runs it: the flags of `npm start`.
    const bot = launch({ order_cooldown_seconds: 0 }, {}, START_FLAGS);
    try {
      await bot.waitForLog('bot.ready');
      let peak = rss(bot.child.pid!);
      const sampler = setInterval(() => {
        peak = Math.max(peak, rss(bot.child.pid!));
      }, 50);
      const long = (n: number, length: number) => `${n}界`.repeat(length).slice(0, length);
      let busy = 0;
      let open = 0;
      for (let i = 0; i < 10_000; i += 250) {
        await Promise.all(
          Array.from({ length: 250 }, async (_, j) => {
            const c = customer(discord, newUser());
            const opened = await c.command('order_form', { email: `s${i + j}@example.com` });
            if (opened.callback.type !== 9) {
              assert.match(String(opened.callback.data?.content), /very busy/);
              busy++;
              return;
            }
            open++;
            // A maximum-length step 1 in 2-byte text, kept as a draft (the dates are not dates).
            await c.submit(opened.callback.data as Json, {
              order_number: long(i + j, 50),
              estimated_arrival_start_date: long(i + j, 20),
              estimated_arrival_end_date: long(i + j, 20),
              product_image_url: long(i + j, 500),
              product_name: long(i + j, 100),
            });
          }),
        );
      }
      clearInterval(sampler);
      assert.equal(open, 1000);
      assert.equal(busy, 9000);
      console.log(`10,000 customers, 1,000 maximum-length forms kept: peak RSS ${peak.toFixed(1)} MB`);
      assert.ok(peak < 120, `peak RSS ${peak.toFixed(1)} MB, over systemd's MemoryMax=120M`);
    } finally {
      await bot.stop('SIGKILL');
    }
  });
});
