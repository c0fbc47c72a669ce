/**
 * End to end: the bot cannot be turned into a mail relay, refuses what it must refuse, and never
 * dies silently. The built bot runs as a process against the fake Discord and a real SMTP server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { FATAL_CLOSE_CODES } from '../../src/gateway/gateway.ts';
import { EXPIRED, INVALID_EMAIL, NOT_THIS_SERVER } from '../../src/order/texts.ts';
import { type BotProcess, readOrders, shopEnv, startBot } from '../support/bot-process.ts';
import { completeOrder, customer, messageOf, userMaker, validInputs } from '../support/customer.ts';
import { ADMIN_PERMISSIONS } from '../support/fake-discord.ts';
import { startFakeServices } from '../support/services.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000003';
const newUser = userMaker(630_000_000_000_000_000n, 'u');
/** The store's counts for the bots on `dataDir`, from the engine they used. */
const countsIn = (dataDir: string) => readOrders(dataDir, (orders) => orders.counts(0));

describe('hardening', { concurrency: 2 }, () => {
  /**
   * The test's own fake Discord (two servers, only the first allowed) and SMTP server, and a
   * launcher for bots on them: each test starts its own, so two can run side by side.
   */
  async function world(t: TestContext) {
    const { discord, smtp } = await startFakeServices(t, { guilds: 2 });
    const launch = (
      config: Record<string, unknown> = {},
      env: Record<string, string> = {},
      nodeArgs: string[] = [],
    ): BotProcess =>
      startBot({
        nodeArgs,
        env: {
          ...shopEnv(discord, smtp, {
            shop_name: 'Acme Sneakers',
            orders_channel_id: STAFF_CHANNEL,
            allowed_guild_ids: [discord.guildIds[0]],
            mail_retry_initial_seconds: 0.05,
            ...config,
          }),
          DATA_DIR: env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'order-bot-hard-')),
          ...env,
        },
      });
    return { discord, smtp, launch };
  }

  // Many customers at once: these two load the machine, so they take turns, and start first: they
  // are the longest, and the other tests run beside them.
  describe('many customers at once', { concurrency: 1 }, () => {
    test('the relay attack: 100 accounts ordering to one victim address get at most recipient_daily_limit emails, also after a restart', async (t) => {
      const { discord, smtp, launch } = await world(t);
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
        const mails = () => smtp.received.filter((m) => m.envelope.to.includes(victim)).length;
        await smtp.waitForMessages(3);
        // A fourth would have come by now: ten of the bot's retry periods (0.05 s).
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(mails(), 3, 'recipient_daily_limit (default 3)');
        assert.equal((await countsIn(dataDir)).ordersTotal, 100, 'every order is still recorded');
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

    test('the hourly caps: one server gets server_hourly_limit confirmations an hour, the shop mail_hourly_limit', async (t) => {
      const { discord, smtp, launch } = await world(t);
      const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-hourly-'));
      const bot = launch({}, { DATA_DIR: dataDir });
      try {
        await bot.waitForLog('bot.ready');
        const addresses = Array.from({ length: 30 }, (_, i) => `hourly${i}@example.com`);
        await Promise.all(
          addresses.map((address, i) => completeOrder(discord, newUser(), address, validInputs(3000 + i))),
        );
        await smtp.waitForMessages(10);
        await new Promise((resolve) => setTimeout(resolve, 500)); // an eleventh would have come by now
        const sent = smtp.received.filter((m) => addresses.some((a) => m.envelope.to.includes(a))).length;
        assert.equal(sent, 10, 'server_hourly_limit (default 10) for the one allowed server');
        const refused = bot.logs.filter((l) => l.event === 'order.email_refused');
        assert.equal(refused.length, 20);
        assert.ok(refused.every((l) => l.reason === 'server_hourly'));
        assert.equal((await countsIn(dataDir)).ordersTotal, 30, 'all 30 orders kept');
      } finally {
        await bot.stop('SIGKILL');
      }
      const shopWide = launch({ allowed_guild_ids: [], server_hourly_limit: 100, mail_hourly_limit: 5 });
      try {
        await shopWide.waitForLog('bot.ready');
        const addresses = Array.from({ length: 8 }, (_, i) => `shopwide${i}@example.com`);
        await Promise.all(
          addresses.map((address, i) => completeOrder(discord, newUser(), address, validInputs(3100 + i))),
        );
        await smtp.waitForMessages(10 + 5);
        await new Promise((resolve) => setTimeout(resolve, 500)); // a sixth would have come by now
        const sent = smtp.received.filter((m) => addresses.some((a) => m.envelope.to.includes(a))).length;
        assert.equal(sent, 5, 'mail_hourly_limit');
      } finally {
        await shopWide.stop('SIGKILL');
      }
    });
  });

  for (const code of Object.keys(FATAL_CLOSE_CODES).map(Number)) {
    test(`gateway close ${code}: one line on stderr saying what to do, exit 1`, async (t) => {
      const { discord, launch } = await world(t);
      const bot = launch();
      await bot.waitForLog('bot.ready');
      discord.dropShard(0, code);
      const { code: exit } = await bot.exited;
      assert.equal(exit, 1);
      assert.equal(bot.stderr.join('\n').trim(), FATAL_CLOSE_CODES[code]);
    });
  }

  test('a 401 on a bot-token request after start-up: one line, exit 1', async (t) => {
    const { discord, launch } = await world(t);
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
      /^Discord answered POST \/channels\/\d+\/messages with 401 Unauthorized: DISCORD_BOT_TOKEN was rejected; reset the token/,
    );
  });

  test('a foreign server is refused everywhere (command, button, modal, diagnostics) and nothing is sent', async (t) => {
    const { discord, launch } = await world(t);
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

  test('without allowed_guild_ids the bot warns at start-up, naming the servers it is in', async (t) => {
    const { discord, launch } = await world(t);
    const bot = launch({ allowed_guild_ids: [] });
    try {
      const warning = await bot.waitForLog('config.allowed_guild_ids_unset');
      assert.deepEqual([...(warning.servers as string[])].sort(), [...discord.guildIds].sort());
      assert.match(String(warning.note), /untick Public Bot/);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a forged step-3 submit right after opening the form is refused; nothing is stored or sent', async (t) => {
    const { discord, smtp, launch } = await world(t);
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
      assert.equal((await countsIn(dataDir)).ordersTotal, 0);
      assert.equal(smtp.received.filter((m) => m.envelope.to.includes('forged@example.com')).length, 0);
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('hostile Unicode: control and format characters never reach the order, Discord or the email', async (t) => {
    const { discord, smtp, launch } = await world(t);
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
      const [order] = await readOrders(dataDir, (orders) => orders.list());
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
      assert.doesNotMatch(String(mail!.parsed.html), /[\p{Cf}]|\p{Cc}(?<![\n\r\t])/u);
    } finally {
      await bot.stop('SIGKILL');
    }
  });
});
