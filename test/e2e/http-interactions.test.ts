/**
 * End to end: the built bot as an HTTP-only replica (`DISCORD_GATEWAY=off`, `INTERACTIONS_PORT`,
 * `DISCORD_PUBLIC_KEY`) against the fake Discord, which signs each interaction with its own
 * Ed25519 key and POSTs it to the bot, takes the HTTP response as the interaction callback and
 * checks it against Discord's OpenAPI description, and takes follow-ups over REST. Runs on the
 * run's engine (SQLite, or PostgreSQL and Redis with `--engine=postgres`).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BotProcess, readOrders, shopEnv, startBot, writeConfigDir } from '../support/bot-process.ts';
import { completeOrder, customer, messageOf, userMaker, validInputs } from '../support/customer.ts';
import {
  ADMIN_PERMISSIONS,
  type FakeDiscord,
  type FakeUser,
  startFakeDiscord,
} from '../support/fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000002';
const newUser = userMaker(730_000_000_000_000_000n, 'http');
const admin: FakeUser = { id: '730000000000000999', username: 'owner', permissions: ADMIN_PERMISSIONS };

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request; a request the bot cut short resolves with status 0. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; path?: string },
): Promise<Reply> {
  const target = new URL(options.path ?? '', url);
  return new Promise((resolve) => {
    const req = http.request(
      target,
      { method: options.method ?? 'POST', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(options.body);
  });
}

describe('an HTTP interactions replica without a gateway', () => {
  let discord: FakeDiscord;
  let smtp: TestSmtpServer;
  let bot: BotProcess;
  let endpoint: string;
  let dataDir: string;

  /** Headers of `body` signed by the fake's key (or `privateKey`) at `timestamp` (now). */
  const signed = (
    body: string,
    timestamp = String(Math.floor(Date.now() / 1000)),
    privateKey?: Parameters<FakeDiscord['sign']>[2],
  ) => ({
    'Content-Type': 'application/json',
    'X-Signature-Timestamp': timestamp,
    'X-Signature-Ed25519': discord.sign(timestamp, body, privateKey),
  });
  const handledLines = (id: unknown) =>
    bot.logs.filter((l) => l.event === 'interaction.handled' && l.interaction_id === id);

  before(async () => {
    [discord, smtp] = await Promise.all([startFakeDiscord(), startSmtpServer()]);
    dataDir = mkdtempSync(join(tmpdir(), 'order-bot-data-'));
    bot = startBot({
      env: {
        ...shopEnv(discord, smtp, {
          shop_name: 'Acme Sneakers',
          orders_channel_id: STAFF_CHANNEL,
          order_cooldown_seconds: 0,
        }),
        DATA_DIR: dataDir,
        DISCORD_GATEWAY: 'off',
        DISCORD_PUBLIC_KEY: discord.publicKeyHex,
        INTERACTIONS_PORT: '0',
        // The same port: one server serves /interactions, /healthz and /metrics.
        HEALTH_PORT: '0',
      },
    });
    const listening = await bot.waitForLog('interactions.listening');
    endpoint = `http://127.0.0.1:${String(listening.port)}/interactions`;
    await bot.waitForLog('bot.ready');
    discord.deliverOverHttp([endpoint]);
  });
  after(async () => {
    const stopped = await bot.stop('SIGTERM');
    await discord.close();
    await smtp.close();
    assert.equal(stopped.code, 0, 'SIGTERM drains and exits 0');
  });

  test('a whole order through HTTP: modal, three steps, summary; one order, one email, one staff post; never a gateway connection', async () => {
    const user = newUser();
    const email = 'http-order@example.com';
    const { final } = await completeOrder(discord, user, email, validInputs(1));
    const summary = await discord.waitForCallback(final);
    assert.equal(summary.type, 7, 'the summary replaces the step message');
    assert.equal((summary.data?.embeds as Json[] | undefined)?.[0]?.title, '📦 Order Submitted!');
    await smtp.waitForRecipients([email], 10_000);
    await customer(discord, user).waitForEdit(final, /Confirmation sent/);
    await discord.waitFor(
      () => discord.channelMessages.some((m) => String(m.body.content).includes(user.id)),
      10_000,
      'the staff post',
    );
    const orders = await readOrders(dataDir, (repo) => repo.list());
    assert.equal(orders.length, 1);
    assert.equal(smtp.received.filter((m) => m.envelope.to.includes(email)).length, 1);
    assert.equal(discord.identifyCount, 0, 'never identified on the gateway');
    assert.ok(!discord.requests.some((r) => r.path === '/gateway/bot'), 'never asked for the gateway URL');
    assert.ok(
      !discord.requests.some((r) => r.path.endsWith('/callback')),
      'every first answer was an HTTP response, none a REST callback',
    );
  });

  test('forged, wrongly signed, truncated, non-hex, unsigned, stale and empty final submits get 401 and reach no handler: no order, no REST call, no handled interaction; the genuine one then makes the order', async () => {
    const user = newUser();
    const email = 'http-matrix@example.com';
    const c = customer(discord, user);
    const inputs = validInputs(2);
    const opened = await c.command('order_form', { email });
    const one = await c.submit(opened.callback.data as Json, inputs[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(open2.callback.data as Json, inputs[2], messageOf(one.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
    const final = discord.modalSubmit(user, open3.callback.data as Json, inputs[3], messageOf(two.entry));
    const body = JSON.stringify(final);
    const forged = JSON.stringify({
      ...final,
      member: { ...(final.member as Json), permissions: ADMIN_PERMISSIONS },
    });
    const good = signed(body);
    const impostor = generateKeyPairSync('ed25519').privateKey;
    const now = Math.floor(Date.now() / 1000);
    const ordersBefore = (await readOrders(dataDir, (repo) => repo.list())).length;
    const requestsBefore = discord.requests.length;

    const cases: [string, Record<string, string>, string][] = [
      ['forged body', good, forged],
      ['wrong key', signed(body, undefined, impostor), body],
      [
        'truncated signature',
        { ...good, 'X-Signature-Ed25519': good['X-Signature-Ed25519'].slice(0, 64) },
        body,
      ],
      [
        'non-hex signature',
        { ...good, 'X-Signature-Ed25519': `${good['X-Signature-Ed25519'].slice(0, 126)}zz` },
        body,
      ],
      [
        'missing signature header',
        { 'Content-Type': 'application/json', 'X-Signature-Timestamp': good['X-Signature-Timestamp'] },
        body,
      ],
      [
        'missing timestamp header',
        { 'Content-Type': 'application/json', 'X-Signature-Ed25519': good['X-Signature-Ed25519'] },
        body,
      ],
      ['stale timestamp (6 minutes old, correctly signed)', signed(body, String(now - 360)), body],
      ['timestamp 6 minutes ahead (correctly signed)', signed(body, String(now + 360)), body],
      ['empty body', signed(''), ''],
    ];
    const statuses: [string, number][] = [];
    for (const [name, headers, payload] of cases) {
      const reply = await send(endpoint, { headers, body: payload });
      statuses.push([name, reply.status]);
    }
    assert.deepEqual(
      statuses,
      cases.map(([name]) => [name, 401]),
    );
    assert.deepEqual(discord.requests.slice(requestsBefore), [], 'no REST call');
    assert.deepEqual(handledLines(final.id), [], 'no handler ran');
    assert.equal((await readOrders(dataDir, (repo) => repo.list())).length, ordersBefore, 'no order');
    assert.equal(bot.child.exitCode, null, 'still running');

    // The same interaction, delivered by the fake as Discord delivers it (signed with its key).
    const entry = discord.inject(final);
    const answer = await discord.waitForCallback(entry);
    assert.equal(answer.type, 7);
    assert.equal((answer.data?.embeds as Json[] | undefined)?.[0]?.title, '📦 Order Submitted!');
    await bot.waitForLog('interaction.handled', (l) => l.interaction_id === final.id);
    assert.equal(handledLines(final.id).length, 1);
    assert.equal((await readOrders(dataDir, (repo) => repo.list())).length, ordersBefore + 1, 'one order');
    await smtp.waitForRecipients([email], 10_000);
    await c.waitForEdit(entry, /Confirmation sent/);
  });

  test('PING is answered {"type":1}', async () => {
    const body = JSON.stringify({
      id: '1',
      application_id: discord.applicationId,
      type: 1,
      token: 'x',
      version: 1,
    });
    const reply = await send(endpoint, { headers: signed(body), body });
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(reply.body), { type: 1 });
  });

  test("/ping times the interaction's arrival and says there is no gateway; /run_diagnostics names what only the gateway knows and counts the orders", async () => {
    const ping = await discord.waitForCallback(discord.command(newUser(), 'ping'));
    assert.match(
      String(ping.data?.content),
      /^Pong! Latency: \d+ms \(the time this interaction took to arrive; this process has no gateway connection/,
    );
    const diagnostics = await discord.waitForCallback(discord.command(admin, 'run_diagnostics'));
    const content = String(diagnostics.data?.content);
    assert.match(content, /\*\*Gateway:\*\* none on this process \(DISCORD_GATEWAY=off/);
    assert.doesNotMatch(content, /\*\*Servers:\*\*/);
    assert.match(content, /\*\*Orders:\*\* \d+ today, \d+ total/);
  });

  test('bad HTTP gets the right 4xx, never a crash: method, path, content type, a 2 MB body, garbage JSON, a request cut short; /healthz on the shared port', async () => {
    const base = { 'Content-Type': 'application/json' };
    const garbage = '{"type": 2, "id": ';
    const replies = {
      get: (await send(endpoint, { method: 'GET' })).status,
      delete: (await send(endpoint, { method: 'DELETE' })).status,
      unknownPath: (await send(endpoint, { method: 'GET', path: '/interaction' })).status,
      form: (
        await send(endpoint, {
          headers: { ...signed('a=1'), 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'a=1',
        })
      ).status,
      huge: (
        await send(endpoint, {
          headers: { ...base, ...signed('x') },
          body: Buffer.alloc(2 * 1024 * 1024, 0x20),
        })
      ).status,
      garbageSigned: (await send(endpoint, { headers: signed(garbage), body: garbage })).status,
      notAnInteraction: (await send(endpoint, { headers: signed('"text"'), body: '"text"' })).status,
      healthz: (await send(endpoint, { method: 'GET', path: '/healthz' })).status,
    };
    // A request whose body never finishes: the client goes away after half of it.
    await new Promise<void>((resolve) => {
      const req = http.request(endpoint, { method: 'POST', headers: { ...base, 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"type":2,', () => setImmediate(() => req.destroy()));
      req.on('close', () => resolve());
    });
    assert.deepEqual(replies, {
      get: 405,
      delete: 405,
      unknownPath: 404,
      form: 415,
      huge: 401,
      garbageSigned: 400,
      notAnInteraction: 400,
      healthz: 200,
    });
    const ping = await discord.waitForCallback(discord.command(newUser(), 'ping'));
    assert.match(String(ping.data?.content), /^Pong!/, 'still answering');
    assert.equal(bot.child.exitCode, null, 'still running');
    assert.equal(bot.logs.filter((l) => l.level === 'error').length, 0, 'no error logged');
  });
});

/** Resolves once no delivery job of the bots on `dataDir` is pending. */
async function readOrdersSettled(dataDir: string): Promise<void> {
  for (;;) {
    const pending = await readOrders(dataDir, async (repo) => (await repo.counts(0)).jobsPending);
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('an HTTP replica told to stop', () => {
  test('SIGTERM: it stops listening at once (a load balancer sends new requests elsewhere), delivers the email it holds, and exits 0', async () => {
    const [discord, smtp] = await Promise.all([startFakeDiscord(), startSmtpServer()]);
    const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-data-'));
    const bot = startBot({
      env: {
        ...shopEnv(discord, smtp, {
          orders_channel_id: STAFF_CHANNEL,
          order_cooldown_seconds: 0,
          mail_retry_initial_seconds: 0.2,
        }),
        DATA_DIR: dataDir,
        DISCORD_GATEWAY: 'off',
        DISCORD_PUBLIC_KEY: discord.publicKeyHex,
        INTERACTIONS_PORT: '0',
      },
    });
    try {
      const listening = await bot.waitForLog('interactions.listening');
      const endpoint = `http://127.0.0.1:${String(listening.port)}/interactions`;
      discord.deliverOverHttp([endpoint]);
      // The mail server takes 1.5 s per message, so the email is still on its way at SIGTERM.
      smtp.slow(1500);
      const email = 'http-drain@example.com';
      const { final } = await completeOrder(discord, newUser(), email, validInputs(3));
      await discord.waitForCallback(final);
      bot.child.kill('SIGTERM');
      await bot.waitForLog('bot.stopping');
      const refused = await send(endpoint, { method: 'GET' });
      assert.equal(refused.status, 0, 'no longer accepting connections');
      assert.equal(bot.child.exitCode, null, 'still draining');
      const { code } = await bot.exited;
      assert.equal(code, 0);
      // What it could not deliver in time stays in the store for the next replica, never lost:
      // the replica that takes its place delivers it, once.
      const next = startBot({
        env: {
          ...shopEnv(discord, smtp, { orders_channel_id: STAFF_CHANNEL, mail_retry_initial_seconds: 0.2 }),
          DATA_DIR: dataDir,
          DISCORD_GATEWAY: 'off',
          DISCORD_PUBLIC_KEY: discord.publicKeyHex,
          INTERACTIONS_PORT: '0',
        },
      });
      try {
        await next.waitForLog('bot.ready');
        smtp.slow(0);
        await smtp.waitForRecipients([email], 15_000).catch((error: unknown) => {
          throw new Error(
            `${String(error)}\nfirst replica: ${bot.stdout.filter((l) => /outbox|stopp|smtp/.test(l)).join('\n')}\nnext: ${next.stdout.filter((l) => /outbox|smtp/.test(l)).join('\n')}`,
          );
        });
        await readOrdersSettled(dataDir);
        assert.equal(smtp.received.filter((m) => m.envelope.to.includes(email)).length, 1, 'one email');
      } finally {
        await next.stop('SIGKILL');
      }
    } finally {
      smtp.slow(0);
      await bot.stop('SIGKILL');
      await discord.close();
      await smtp.close();
    }
  });
});

describe('HTTP interactions configuration', () => {
  const run = async (env: Record<string, string>) => {
    const bot = startBot({
      env: {
        DISCORD_BOT_TOKEN: 'unused',
        CONFIG_DIR: writeConfigDir(),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-data-')),
        ...env,
      },
      engine: 'sqlite',
    });
    const { code } = await bot.exited;
    return { code, stderr: bot.stderr.filter((line) => line.trim() !== '') };
  };

  test('INTERACTIONS_PORT without DISCORD_PUBLIC_KEY, or with a key that is not 64 hex characters: exit 1 with one line', async () => {
    const missing = await run({ INTERACTIONS_PORT: '0' });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.length, 1);
    assert.match(missing.stderr[0]!, /^INTERACTIONS_PORT needs DISCORD_PUBLIC_KEY/);
    const short = await run({ INTERACTIONS_PORT: '0', DISCORD_PUBLIC_KEY: 'ab'.repeat(31) });
    assert.equal(short.code, 1);
    assert.deepEqual(short.stderr.length, 1);
    assert.match(
      short.stderr[0]!,
      /^DISCORD_PUBLIC_KEY: expected the application's public key: 64 hexadecimal characters/,
    );
    const gateway = await run({ DISCORD_GATEWAY: 'maybe' });
    assert.equal(gateway.code, 1);
    assert.match(gateway.stderr[0]!, /^DISCORD_GATEWAY: expected "on" or "off"/);
  });
});
