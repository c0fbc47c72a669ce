/**
 * End to end: the bot cannot be turned into a mail relay, refuses what it must refuse, and never
 * dies silently. The built bot runs as a process against the fake Discord and a real SMTP server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FATAL_CLOSE_CODES } from '../../src/gateway/gateway.ts';
import { type BotProcess, startBot, writeConfigDir } from '../support/bot-process.ts';
import { completeOrder, customer, validInputs } from '../support/customer.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const STAFF_CHANNEL = '300000000000000003';

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

  const launch = (config: Record<string, unknown> = {}, env: Record<string, string> = {}): BotProcess =>
    startBot({
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
});
