/**
 * End to end: `npm run setup` (the built CLI) against the fake Discord and a real SMTP server,
 * without questions (flags) and with answers typed in (a failed step asked again), and then the
 * bot started from exactly what setup wrote, taking an order.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { parseEnv } from 'node:util';
import { cleanEnv } from '../../src/config.ts';
import { ROOT, startBot } from '../support/bot-process.ts';
import { completeOrder, validInputs } from '../support/customer.ts';
import { startFakeServices } from '../support/services.ts';
import { startSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;

describe('npm run setup', { concurrency: 2 }, () => {
  /**
   * The test's own fake Discord (two servers) and SMTP server, and a runner for the setup CLI
   * against them: each test starts its own, so two can run side by side.
   */
  async function world(t: TestContext) {
    const { discord, smtp } = await startFakeServices(t, { guilds: 2 });
    const setup = (args: string[], cwd: string, input?: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist/cli/setup.js'), ...args], {
          cwd,
          env: {
            PATH: process.env.PATH ?? '',
            DISCORD_API_URL: discord.apiUrl,
            NODE_EXTRA_CA_CERTS: smtp.certPath,
            ...(input === undefined ? {} : { SETUP_PROMPTS: '1' }),
          },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          err += chunk;
        });
        child.stdin.end(input ?? '');
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    const staffChannel = () => String(BigInt(discord.guildIds[0]!) + 2n);
    return { discord, smtp, setup, staffChannel };
  }

  test('without questions: checks every step, writes .env (0600) and config/local/config.json, and the bot then takes an order', async (t) => {
    const { discord, smtp, setup, staffChannel } = await world(t);
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    const result = await setup(
      [
        '--token',
        `Bot ${discord.token}`,
        '--guild',
        discord.guildIds[0]!,
        '--channel',
        staffChannel(),
        '--shop-name',
        'Acme Sneakers',
        '--smtp',
        'custom-587',
        '--smtp-host',
        smtp.host,
        '--smtp-port',
        String(smtp.port),
        '--sender-email',
        'shop@example.test',
        '--sender-password',
        'app-password',
        '--test-email',
        'owner@example.com',
      ],
      cwd,
    );
    assert.equal(result.code, 0, result.err + result.out);
    assert.match(result.out, /✓ Discord knows this token: the bot is Lean Order Bot/);
    assert.match(result.out, /⚠ Public Bot is on/);
    assert.match(
      result.out,
      /https:\/\/discord\.com\/oauth2\/authorize\?client_id=\d+&scope=bot\+applications\.commands&permissions=19456/,
    );
    assert.match(result.out, /✓ The bot posted a test message in #channel-1/);
    assert.match(result.out, /✓ Logged in to 127\.0\.0\.1 as shop@example\.test/);
    assert.match(result.out, /npm start/);
    const [sample] = await smtp.waitForRecipients(['owner@example.com']);
    assert.equal(sample!.parsed.subject, 'Your Acme Sneakers order #1 is confirmed');
    assert.ok(discord.channelMessages.some((m) => m.channelId === staffChannel()));
    const registered = discord.requests.find(
      (r) =>
        r.method === 'PUT' &&
        r.path === `/applications/${discord.applicationId}/guilds/${discord.guildIds[0]}/commands`,
    );
    assert.equal(registered?.status, 200);

    const envFile = join(cwd, '.env');
    assert.equal(statSync(envFile).mode & 0o777, 0o600);
    const env = readFileSync(envFile, 'utf8');
    assert.ok(env.includes(`DISCORD_BOT_TOKEN=${discord.token}\n`), 'the "Bot " prefix was dropped');
    assert.ok(
      env.includes('SENDER_EMAIL=shop@example.test\n') && env.includes('SENDER_PASSWORD=app-password\n'),
    );
    const config = JSON.parse(readFileSync(join(cwd, 'config/local/config.json'), 'utf8')) as Json;
    assert.deepEqual(config, {
      shop_name: 'Acme Sneakers',
      allowed_guild_ids: [discord.guildIds[0]],
      orders_channel_id: staffChannel(),
      smtp_server: smtp.host,
      smtp_port: smtp.port,
      smtp_security: 'starttls',
    });

    // The bot, started in that folder with nothing else, takes an order.
    const bot = startBot({ env: { NODE_EXTRA_CA_CERTS: smtp.certPath }, cwd });
    try {
      await bot.waitForLog('bot.ready');
      await completeOrder(
        discord,
        { id: '650000000000000001', username: 'first' },
        'first@example.com',
        validInputs(1),
      );
      const [mail] = await smtp.waitForRecipients(['first@example.com']);
      assert.match(String(mail!.parsed.subject), /^Your Acme Sneakers order #1 is confirmed$/);
      await discord.waitFor(() =>
        discord.channelMessages.find(
          (m) => m.channelId === staffChannel() && String(m.body.content).includes('650000000000000001'),
        ),
      );
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  test('a password with # and spaces: .env quotes it, the bot reads it back exactly and logs in with it', async (t) => {
    const { discord, smtp, setup, staffChannel } = await world(t);
    const password = 'pa ss#word x';
    const strict = await startSmtpServer({ users: { 'shop@example.test': password } });
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    try {
      const result = await setup(
        [
          ...['--token', discord.token, '--guild', discord.guildIds[0]!, '--channel', staffChannel()],
          ...['--shop-name', 'Hash Shop', '--smtp', 'custom-587', '--smtp-host', strict.host],
          ...['--smtp-port', String(strict.port), '--sender-email', 'shop@example.test'],
          ...['--sender-password', password, '--test-email', 'hash@example.com'],
        ],
        cwd,
      );
      assert.equal(result.code, 0, result.err + result.out);
      assert.match(result.out, /✓ Logged in to 127\.0\.0\.1 as shop@example\.test/);
      await strict.waitForRecipients(['hash@example.com']);

      // Read back as the bot reads it: Node's .env reader (process.loadEnvFile), then cleanEnv().
      const text = readFileSync(join(cwd, '.env'), 'utf8');
      assert.equal(cleanEnv(parseEnv(text)).env.SENDER_PASSWORD, password);
      assert.ok(text.includes(`SENDER_PASSWORD='${password}'\n`), text.replace(/TOKEN=.*/, 'TOKEN=…'));
      // ...and as docker --env-file does (every character kept), then cleanEnv().
      const dockerLine = text.split('\n').find((line) => line.startsWith('SENDER_PASSWORD='))!;
      const docker = cleanEnv({ SENDER_PASSWORD: dockerLine.slice('SENDER_PASSWORD='.length) });
      assert.equal(docker.env.SENDER_PASSWORD, password);

      // The bot, started in that folder, logs in to a server that takes only the exact password.
      const bot = startBot({ env: { NODE_EXTRA_CA_CERTS: smtp.certPath }, cwd });
      try {
        await bot.waitForLog('smtp.ready');
        assert.ok(!bot.logs.some((line) => line.event === 'smtp.unavailable'));
      } finally {
        await bot.stop('SIGKILL');
      }

      // The control: the line as setup used to write it (bare) gives the bot "pa ss", refused.
      const bare = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
      cpSync(join(cwd, 'config'), join(bare, 'config'), { recursive: true });
      writeFileSync(join(bare, '.env'), text.replace(dockerLine, `SENDER_PASSWORD=${password}`), {
        mode: 0o600,
      });
      const old = startBot({ env: { NODE_EXTRA_CA_CERTS: smtp.certPath }, cwd: bare });
      try {
        const down = await old.waitForLog('smtp.unavailable');
        assert.match(String(down.reason), /auth|password|535/i);
      } finally {
        await old.stop('SIGKILL');
      }
    } finally {
      await strict.close();
    }
  });

  test('a password no .env line can carry (a line break) is refused in one line, and nothing is written', async (t) => {
    const { discord, smtp, setup, staffChannel } = await world(t);
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    const result = await setup(
      [
        ...['--token', discord.token, '--guild', discord.guildIds[0]!, '--channel', staffChannel()],
        ...['--shop-name', 'Acme', '--smtp', 'custom-587', '--smtp-host', smtp.host],
        ...['--smtp-port', String(smtp.port), '--sender-email', 'shop@example.test'],
        ...['--sender-password', 'two\nlines'],
      ],
      cwd,
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.err.trim(),
      'Setup stopped: 5. Email (the confirmation customers receive): this password cannot be written to .env: it contains a line break, which a .env line cannot hold',
    );
    assert.ok(!existsSync(join(cwd, '.env')) && !existsSync(join(cwd, 'config')));
  });

  test('answers typed in: a wrong token is refused and asked again; a channel the bot may not post in is refused and asked again', async (t) => {
    const { discord, smtp, setup, staffChannel } = await world(t);
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    discord.deniedChannels.add(staffChannel());
    try {
      const answers = [
        'not-the-token',
        discord.token,
        '1',
        staffChannel(),
        String(BigInt(discord.guildIds[0]!) + 1n),
        'Typed Shop',
        'custom-587',
        smtp.host,
        String(smtp.port),
        'shop@example.test',
        'app-password',
      ];
      const result = await setup(['--test-email', 'typed@example.com'], cwd, `${answers.join('\n')}\n`);
      assert.equal(result.code, 0, result.err + result.out);
      // Worded as the bot words every Discord failure (discord/failure.ts).
      assert.match(
        result.out,
        /✗ Discord answered GET \/users\/(@|%40)me with 401 Unauthorized: DISCORD_BOT_TOKEN was rejected; reset the token/,
      );
      assert.match(
        result.out,
        /✗ posting in #channel-1 failed: Discord answered POST \/channels\/\d+\/messages with 403 Forbidden .*: the bot lacks a permission in that channel: give it/,
      );
      assert.doesNotMatch(result.out, new RegExp(discord.token), 'the typed token is not echoed');
      assert.equal(result.out.match(/Let us try that step again/g)?.length, 2);
      const config = JSON.parse(readFileSync(join(cwd, 'config/local/config.json'), 'utf8')) as Json;
      assert.equal(config.shop_name, 'Typed Shop');
      assert.equal(config.orders_channel_id, String(BigInt(discord.guildIds[0]!) + 1n));
    } finally {
      discord.deniedChannels.delete(staffChannel());
    }
  });

  test('without questions, a step that cannot work stops with one line saying which and why', async (t) => {
    const { setup } = await world(t);
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    const result = await setup(['--token', 'wrong'], cwd);
    assert.equal(result.code, 1);
    // One line, worded by describeDiscordFailure() (discord/failure.ts).
    assert.match(
      result.err,
      /^Setup stopped: 1\. The bot token: Discord answered GET \/users\/(@|%40)me with 401 Unauthorized: DISCORD_BOT_TOKEN was rejected; reset the token in the developer portal \(Bot -> Reset Token\) and update DISCORD_BOT_TOKEN\n$/,
    );
  });

  test('a bad command line (an unknown flag, a value off its list) is one line and exit 2, before anything is sent', async (t) => {
    const { discord, setup } = await world(t);
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    const before = discord.requests.length;
    const cases: [string[], string][] = [
      [['--smtp-security', 'foo'], '--smtp-security: expected one of starttls, tls, none, got "foo"'],
      [
        ['--smtp', 'yahoo'],
        '--smtp: expected one of gmail, outlook, custom-465, custom-587, custom, local, got "yahoo"',
      ],
      [['--smtp-port', '99999'], '--smtp-port: expected a port number 1-65535, got "99999"'],
      [['--tokn', 'x'], 'unknown flag --tokn'],
      [['--token'], '--token: expected a value after it (one starting with - is written --token=-value)'],
      [['extra'], 'unexpected argument extra (every value follows its flag)'],
    ];
    for (const [args, line] of cases) {
      const result = await setup(args, cwd);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.err, `Setup: ${line} (npm run setup -- --help lists the flags)\n`);
      assert.equal(result.out, '');
    }
    assert.equal(discord.requests.length, before);
    assert.ok(!existsSync(join(cwd, '.env')) && !existsSync(join(cwd, 'config')));
    const help = await setup(['--help'], cwd);
    assert.equal(help.code, 0);
    assert.match(help.out, /--smtp-security <mode> +starttls, tls, none/);
  });

  test('--smtp local with a host on another machine is refused before any login, and nothing is written', async (t) => {
    const { discord, setup, staffChannel } = await world(t);
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-'));
    const result = await setup(
      [
        ...['--token', discord.token, '--guild', discord.guildIds[0]!, '--channel', staffChannel()],
        ...['--shop-name', 'Acme', '--smtp', 'local', '--smtp-host', 'mail.example.com'],
        ...['--sender-email', 'shop@example.com', '--sender-password', 'secret'],
      ],
      cwd,
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.err.trim(),
      'Setup stopped: 5. Email (the confirmation customers receive): mail.example.com is not on this machine, and the bot sends without encryption only to a server on this machine (smtp_security "none" needs a loopback host): pick custom-587 (STARTTLS) or custom-465 (TLS)',
    );
    assert.doesNotMatch(result.out, /Logged in|Connected to/);
    assert.ok(!existsSync(join(cwd, '.env')) && !existsSync(join(cwd, 'config')));
  });
});
