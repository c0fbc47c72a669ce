/**
 * End to end: the built bot (`dist/main.js`) as a child process against the fake Discord.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SERVER_ERROR_ATTEMPTS } from '../../src/discord/interactions.ts';
import { APOLOGY } from '../../src/handlers/context.ts';
import { EXPIRED } from '../../src/order/texts.ts';
import { type BotProcess, ROOT, startBot, writeConfigDir } from '../support/bot-process.ts';
import {
  ADMIN_PERMISSIONS,
  type FakeDiscord,
  MEMBER_PERMISSIONS,
  startFakeDiscord,
} from '../support/fake-discord.ts';

const admin = { id: '200000000000000001', username: 'owner', permissions: ADMIN_PERMISSIONS };
const member = { id: '200000000000000002', username: 'customer', permissions: MEMBER_PERMISSIONS };

function botEnv(discord: FakeDiscord, extra: Record<string, string> = {}) {
  return {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    CONFIG_DIR: writeConfigDir(),
    ...extra,
  };
}

describe('a running bot', () => {
  let discord: FakeDiscord;
  let bot: BotProcess;
  const GUILDS = 25;

  before(async () => {
    discord = await startFakeDiscord({
      guilds: GUILDS,
      heartbeatIntervalMs: 300,
      memberCount: (i) => 1000 + i,
    });
    bot = startBot({ env: botEnv(discord) });
    await bot.waitForLog('bot.ready');
  });
  after(async () => {
    await bot.stop('SIGKILL');
    await discord.close();
  });

  test('logs ready once with user, application id, shard count and every guild from GUILD_CREATE', async () => {
    const ready = bot.logs.filter((l) => l.event === 'bot.ready');
    assert.equal(ready.length, 1);
    assert.equal(ready[0]!.user, discord.botUser.username);
    assert.equal(ready[0]!.application_id, discord.applicationId);
    assert.equal(ready[0]!.shards, 1);
    assert.equal(ready[0]!.guilds, GUILDS);
    assert.equal(discord.identifyCount, 1);
    const gatewayBot = discord.requests.filter((r) => r.path === '/gateway/bot');
    assert.ok(gatewayBot.length >= 1, 'the gateway URL comes from GET /gateway/bot');
  });

  test('/ping answers publicly with the heartbeat latency', async () => {
    await discord.waitFor(() => (bot.logs.length && discord.requests.length ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 700)); // at least one heartbeat round trip
    const ping = discord.command(member, 'ping');
    const callback = await discord.waitForCallback(ping);
    assert.equal(callback.type, 4);
    assert.match(String(callback.data?.content), /^Pong! Latency: \d+ms$/);
    assert.equal(callback.data?.flags, undefined, 'public, not ephemeral');
  });

  test('/run_diagnostics reports servers, users, shards, memory and counters to an administrator', async () => {
    const entry = discord.command(admin, 'run_diagnostics');
    const callback = await discord.waitForCallback(entry);
    assert.equal(callback.type, 4);
    assert.equal(callback.data?.flags, 64, 'ephemeral');
    const content = String(callback.data?.content);
    const expectedUsers = Array.from({ length: GUILDS }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0);
    assert.match(content, /\*\*Ping:\*\* \d+ms/);
    assert.match(content, /\*\*Uptime:\*\* 0d 0h 0m \d+s/);
    assert.match(content, new RegExp(`\\*\\*Servers:\\*\\* ${GUILDS}\\b`));
    assert.ok(content.includes(`**Users (approximate):** ${expectedUsers.toLocaleString('en-US')}`), content);
    assert.match(content, /\*\*Shards:\*\* 1\/1 ready/);
    assert.match(content, /\*\*Memory:\*\* RSS \d+\.\d MB, heap \d+\.\d MB of \d+\.\d MB/);
    assert.match(content, /\*\*Active order sessions:\*\* 0/);
    assert.match(content, /\*\*Orders:\*\* 0 today, 0 total/);
    assert.match(content, /\*\*Outbox:\*\* 0 pending, 0 failed/);
    assert.match(content, /\*\*Emails since start:\*\* 0 sent, 0 failed, 0 retried/);
    assert.match(content, /\*\*SMTP:\*\* .*switched off/);
  });

  test('/run_diagnostics denies a member without Manage Server', async () => {
    const entry = discord.command(member, 'run_diagnostics');
    const callback = await discord.waitForCallback(entry);
    assert.equal(callback.data?.flags, 64);
    assert.match(String(callback.data?.content), /Access denied/);
    assert.doesNotMatch(String(callback.data?.content), /Servers/);
  });

  test('an unknown command gets an ephemeral answer and a warning', async () => {
    const entry = discord.command(member, 'refund_everything');
    const callback = await discord.waitForCallback(entry);
    assert.equal(callback.data?.flags, 64);
    assert.match(String(callback.data?.content), /don't know the command \/refund_everything/);
    await bot.waitForLog('interaction.unknown_command', (l) => l.command === 'refund_everything');
  });

  test('an unknown button gets the expired-form answer', async () => {
    const entry = discord.click(member, { id: '1', content: 'old' }, 'something_old:1:abc');
    const callback = await discord.waitForCallback(entry);
    assert.equal(callback.data?.content, EXPIRED);
    assert.equal(callback.data?.flags, 64);
  });

  test('a handler that throws gets a generic ephemeral apology and an error log with stack and interaction id', async () => {
    // Discord fails the first answer with 500s until the interaction API gives up: the handler throws.
    discord.failNext(
      (method, path) => method === 'POST' && path.includes('/callback'),
      500,
      SERVER_ERROR_ATTEMPTS,
    );
    const entry = discord.command(member, 'ping');
    const callback = await discord.waitForCallback(entry, 10_000);
    assert.equal(callback.data?.content, APOLOGY);
    assert.equal(callback.data?.flags, 64);
    const line = await bot.waitForLog('interaction.failed', (l) => l.interaction_id === entry.interaction.id);
    const error = line.error as { stack?: string };
    assert.match(String(error.stack), /\n\s+at /, 'the stack is logged');
  });

  test('every answer was accepted by Discord (no 400s), conformed to its OpenAPI description, and no log line leaks the token', () => {
    const rejected = discord.requests.filter((r) => r.status === 400);
    assert.deepEqual(rejected, []);
    assert.deepEqual(discord.specViolations, []);
    assert.equal(discord.specChecked, discord.requests.length, 'every request was checked');
    const all = bot.stdout.join('\n') + bot.stderr.join('\n');
    assert.ok(!all.includes(discord.token));
  });
});

describe('start-up and shutdown', { concurrency: 2 }, () => {
  test('a missing token prints the exact message and exits 1', async () => {
    const bot = startBot({ env: { CONFIG_DIR: writeConfigDir() } });
    const { code } = await bot.exited;
    assert.equal(code, 1);
    assert.equal(bot.stderr.join('\n').trim(), 'CRITICAL ERROR: DISCORD_BOT_TOKEN not found');
  });

  test('an older Node gets one line and exit 1, before anything else loads; --version prints the version', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const preload = join(mkdtempSync(join(tmpdir(), 'order-bot-node18-')), 'as-node-18.cjs');
    writeFileSync(
      preload,
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.19.0' } });\nObject.defineProperty(process, 'version', { value: 'v18.19.0' });\n",
    );
    const old = startBot({ env: {}, nodeArgs: ['--require', preload] });
    assert.equal((await old.exited).code, 1);
    assert.equal(
      old.stderr.join('\n').trim(),
      "This bot needs Node.js 20.12 or newer; this is v18.19.0. Install a newer Node (https://nodejs.org, or your distribution's nodejs 20+ package) and try again.",
    );
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { spawnSync } = await import('node:child_process');
    const printed = spawnSync(process.execPath, [join(ROOT, 'dist/main.js'), '--version'], {
      encoding: 'utf8',
    });
    assert.equal(printed.stdout.trim(), pkg.version);
  });

  test('a wrong DISCORD_API_URL: one line naming the URL and what came back', async () => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
    try {
      const bot = startBot({
        env: { DISCORD_BOT_TOKEN: 'x', DISCORD_API_URL: url, CONFIG_DIR: writeConfigDir() },
      });
      assert.equal((await bot.exited).code, 1);
      assert.equal(
        bot.stderr.join('\n').trim(),
        `Discord answered GET /gateway/bot with 404 Not Found: check DISCORD_API_URL (${url}; Discord's is https://discord.com/api): it does not point at Discord's API`,
      );
    } finally {
      server.close();
    }
    const refused = startBot({
      env: {
        DISCORD_BOT_TOKEN: 'x',
        DISCORD_API_URL: 'http://127.0.0.1:9/api',
        CONFIG_DIR: writeConfigDir(),
      },
    });
    assert.equal((await refused.exited).code, 1);
    assert.match(
      refused.stderr.join('\n').trim(),
      /^Cannot reach Discord at http:\/\/127\.0\.0\.1:9\/api \(GET \/gateway\/bot\): .*ECONNREFUSED.*check DISCORD_API_URL$/,
    );
  });

  test('an invalid config exits 1 naming the file and the field', async () => {
    const dir = writeConfigDir({ smtp_port: 'abc' });
    const bot = startBot({ env: { DISCORD_BOT_TOKEN: 'x', CONFIG_DIR: dir } });
    const { code } = await bot.exited;
    assert.equal(code, 1);
    assert.equal(
      bot.stderr.join('\n').trim(),
      `${dir}/config.json: smtp_port: expected an integer 1-65535, got "abc"`,
    );
  });

  test('the token is read from .env in the working directory', async () => {
    const discord = await startFakeDiscord();
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-dotenv-'));
    writeFileSync(
      join(cwd, '.env'),
      `DISCORD_BOT_TOKEN=${discord.token}\nDISCORD_API_URL=${discord.apiUrl}\n`,
      {
        mode: 0o600,
      },
    );
    const bot = startBot({ env: { CONFIG_DIR: writeConfigDir() }, cwd });
    try {
      await bot.waitForLog('bot.ready');
    } finally {
      await bot.stop('SIGKILL');
      await discord.close();
    }
  });

  test('a .env other users can read is refused with the one-line fix', async () => {
    const { chmodSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-dotenv-'));
    writeFileSync(join(cwd, '.env'), 'DISCORD_BOT_TOKEN=x\n');
    chmodSync(join(cwd, '.env'), 0o644);
    const bot = startBot({ env: { CONFIG_DIR: writeConfigDir() }, cwd });
    const { code } = await bot.exited;
    assert.equal(code, 1);
    assert.equal(
      bot.stderr.join('\n').trim(),
      `${join(cwd, '.env')} can be read by other users of this machine (mode 644) and holds the bot token: run chmod 600 ${join(cwd, '.env')}`,
    );
  });

  test('a .env the bot cannot read says "permission denied", not "not found"', async () => {
    const { chmodSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-dotenv-'));
    chmodSync(cwd, 0o755);
    writeFileSync(join(cwd, '.env'), 'DISCORD_BOT_TOKEN=x\n', { mode: 0o600 });
    // As root (CI), the bot runs as "nobody", who may not read root's 0600 file; otherwise the
    // file is made unreadable for its owner.
    const root = process.getuid?.() === 0;
    if (!root) chmodSync(join(cwd, '.env'), 0o000);
    const configDir = writeConfigDir();
    chmodSync(configDir, 0o755);
    const bot = startBot({
      env: { CONFIG_DIR: configDir },
      cwd,
      ...(root ? { uid: 65534, gid: 65534 } : {}),
    });
    const { code } = await bot.exited;
    assert.equal(code, 1);
    assert.match(bot.stderr.join('\n').trim(), /\.env: permission denied: the bot's user cannot read it/);
  });

  test('SIGTERM closes the gateway and exits 0 within 2 seconds', async () => {
    const discord = await startFakeDiscord();
    const bot = startBot({ env: botEnv(discord) });
    await bot.waitForLog('bot.ready');
    const started = Date.now();
    const { code } = await bot.stop('SIGTERM');
    const elapsed = Date.now() - started;
    assert.equal(code, 0);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    await bot.waitForLog('gateway.shard_closed', (l) => l.code === 1000);
    await bot.waitForLog('bot.stopped');
    await discord.close();
  });

  test('several shards: each identifies and diagnostics counts them', async () => {
    const discord = await startFakeDiscord({ guilds: 12, shards: 3 });
    const bot = startBot({ env: botEnv(discord) });
    try {
      const ready = await bot.waitForLog('bot.ready');
      assert.equal(ready.shards, 3);
      assert.equal(ready.guilds, 12);
      assert.equal(discord.identifyCount, 3);
      const entry = discord.command(admin, 'run_diagnostics');
      const callback = await discord.waitForCallback(entry);
      assert.match(String(callback.data?.content), /\*\*Shards:\*\* 3\/3 ready/);
    } finally {
      await bot.stop('SIGKILL');
      await discord.close();
    }
  });

  test('a dropped connection resumes on resume_gateway_url and keeps answering', async () => {
    const discord = await startFakeDiscord({ guilds: 3 });
    const bot = startBot({ env: botEnv(discord) });
    try {
      await bot.waitForLog('bot.ready');
      discord.dropShard(0, 4000);
      await bot.waitForLog('gateway.shard_resumed');
      assert.equal(discord.resumeCount, 1);
      assert.equal(discord.identifyCount, 1, 'resumed, not re-identified');
      const entry = discord.command(member, 'ping');
      const callback = await discord.waitForCallback(entry);
      assert.match(String(callback.data?.content), /^Pong!/);
    } finally {
      await bot.stop('SIGKILL');
      await discord.close();
    }
  });
});
