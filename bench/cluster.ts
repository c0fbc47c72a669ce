/**
 * `npm run bench -- --cluster` (opt-in): the HTTP interactions endpoint measured.
 *
 * 1. Signature verification: microseconds per request (`crypto.verify` on a realistic modal
 *    submit), for a genuine request, a forged one, and one whose signature is not even hex.
 * 2. `/ping` round trips through the gateway and through the HTTP endpoint, same run, same fake
 *    Discord, same rates (p50/p99 in ms, from the fake writing the interaction until it holds the
 *    answer), and the resident memory of a gateway process, an HTTP replica and a process with both.
 * 3. The soak: two HTTP replicas and one gateway process on one PostgreSQL + Redis, customers
 *    completing the form with every step sent to a random live replica; one replica SIGKILLed
 *    midway and started again on the same port. Completions per second, p99 per step, RSS of every
 *    process (bots, PostgreSQL, Redis), and orders, emails and staff posts lost or duplicated.
 *
 * Everything runs on loopback and is started and stopped here.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createSignatureVerifier } from '../src/discord/signature.ts';
import { EXPIRED } from '../src/order/texts.ts';
import { type BotProcess, startBot, writeConfigDir } from '../test/support/bot-process.ts';
import { findButton, validInputs } from '../test/support/customer.ts';
import {
  type FakeDiscord,
  type FakeUser,
  type InteractionRecord,
  REALISTIC_GUILD,
  startFakeDiscord,
} from '../test/support/fake-discord.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { startRedis } from '../test/support/redis.ts';
import { startSmtpServer } from '../test/support/smtp.ts';
import { load, percentile, round } from './load.ts';

type Json = Record<string, unknown>;
const QUICK = process.argv.includes('--quick');
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rssOf = (pid: number | undefined) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};
/** Proportional set size: shared pages divided among the processes that map them. */
const pssOf = (pid: number) => {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};
/**
 * Memory of a server and every process it forked (PostgreSQL: one per connection), by the pid of
 * its parent: the sum of their PSS, so the shared buffers every backend maps count once.
 */
const treePss = (pid: number | undefined) => {
  if (pid === undefined) return 0;
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((n) => n > 0);
  return pssOf(pid) + children.reduce((sum, child) => sum + pssOf(child), 0);
};
/** The pid of the process whose command line matches `pattern` (the servers' helpers keep theirs to themselves). */
const pidOf = (pattern: RegExp): number | undefined => {
  const line = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .find((text) => pattern.test(text));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
};
let nextPort = 20_400 + Math.floor(Math.random() * 500);

/** 1. Microseconds per verification. */
export function signatureCost() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const hex = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url').toString('hex');
  const made = performance.now();
  const verifier = createSignatureVerifier(hex);
  const keyMs = performance.now() - made;
  // A step-3 modal submit as Discord sends it, with the message it came from: about 3 KB.
  const body = Buffer.from(
    JSON.stringify({
      id: '1300000000000000000',
      application_id: '1200000000000000000',
      type: 5,
      token: 'x'.repeat(180),
      data: { custom_id: 'order:3:abc', components: [{ type: 18, component: { value: 'y'.repeat(600) } }] },
      message: { content: 'z'.repeat(1500), components: [] },
      member: { user: { id: '1', username: 'customer' }, permissions: '0', roles: [] },
    }),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  const good = sign(null, Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('hex');
  const forged = `${good.slice(0, 127)}${good[127] === '0' ? '1' : '0'}`;
  const n = QUICK ? 5000 : 20_000;
  const time = (signature: string) => {
    for (let i = 0; i < 500; i++) verifier.check(signature, timestamp, body); // warm-up
    const started = performance.now();
    let ok = 0;
    for (let i = 0; i < n; i++) if (verifier.check(signature, timestamp, body).ok) ok++;
    return { us: round(((performance.now() - started) * 1000) / n, 1), ok };
  };
  const genuine = time(good);
  const bad = time(forged);
  const malformed = time('not-hex');
  if (genuine.ok !== n || bad.ok !== 0 || malformed.ok !== 0)
    throw new Error('the verifier disagreed with itself');
  return {
    body_bytes: body.length,
    requests: n,
    key_setup_ms: round(keyMs, 3),
    genuine_us: genuine.us,
    forged_us: bad.us,
    non_hex_us: malformed.us,
  };
}

/** Starts the bot as `npm start` does, on the fake; `mode` picks how interactions reach it. */
async function startMode(
  discord: FakeDiscord,
  mode: 'gateway' | 'http' | 'both',
  extra: Record<string, string> = {},
): Promise<{ bot: BotProcess; endpoint: string }> {
  const port = extra.INTERACTIONS_PORT ?? String(nextPort++);
  const bot = startBot({
    asNpmStart: true,
    engine: 'sqlite',
    env: {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      CONFIG_DIR: writeConfigDir({ order_cooldown_seconds: 0, daily_order_limit: 10_000 }),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-bench-cluster-')),
      ...(mode === 'gateway' ? {} : { INTERACTIONS_PORT: port, DISCORD_PUBLIC_KEY: discord.publicKeyHex }),
      ...(mode === 'http' ? { DISCORD_GATEWAY: 'off' } : {}),
      ...extra,
    },
  });
  await bot.waitForLog('bot.ready', undefined, 30_000);
  return { bot, endpoint: mode === 'gateway' ? '' : `http://127.0.0.1:${port}/interactions` };
}

/** 2. `/ping` over the gateway and over HTTP, and the memory of each kind of process. */
export async function pingModes() {
  const discord = await startFakeDiscord({ guilds: 1, guildShape: REALISTIC_GUILD, openApi: false });
  const rows: Json[] = [];
  try {
    for (const mode of ['gateway', 'http', 'both'] as const) {
      process.stderr.write(`cluster: /ping over ${mode}...\n`);
      const { bot, endpoint } = await startMode(discord, mode);
      try {
        await sleep(3000); // settle, as the main benchmark does
        const idle = rssOf(bot.child.pid);
        discord.deliverOverHttp(mode === 'gateway' ? [] : [endpoint]);
        const rates: Json = {};
        for (const rate of QUICK ? [100, 1000] : [100, 1000, 2000]) {
          const result = await load(discord, rate, QUICK ? 2 : 3);
          rates[`${rate}/s`] = {
            p50: round(result.p50),
            p99: round(result.p99),
            unanswered: result.unanswered,
          };
        }
        rows.push({ mode, rss_idle_mb: mb(idle), rss_after_load_mb: mb(rssOf(bot.child.pid)), ping: rates });
      } finally {
        discord.deliverOverHttp([]);
        await bot.stop('SIGKILL');
      }
    }
  } finally {
    await discord.close();
  }
  return rows;
}

/** One customer's way through the form, each interaction sent to a random live replica. */
async function soakCustomer(
  discord: FakeDiscord,
  user: FakeUser,
  email: string,
  n: number,
  stepTimes: Map<string, number[]>,
) {
  const inputs = validInputs(n);
  let retries = 0;
  /** Final submits sent again after a defer whose answer never came. */
  let lostAnswers = 0;
  /** Where the customer found the form gone after a retry (an earlier try went through on the replica that died). */
  const expiredAt: string[] = [];
  /** Sends `make()` until it is answered (a replica killed mid-request is retried, as a person would). */
  const attempt = async (step: string, make: () => InteractionRecord) => {
    for (let i = 0; ; i++) {
      const entry = make();
      const answered = await discord.waitForCallback(entry, 5000).catch(() => undefined);
      if (answered) {
        const times = stepTimes.get(step) ?? [];
        times.push(entry.callbackAtHr! - entry.sentAtHr);
        stepTimes.set(step, times);
        return { entry, callback: answered };
      }
      retries++;
      if (i >= 5) throw new Error(`${step}: no answer after ${i + 1} tries`);
    }
  };
  for (let restart = 0; restart < 3; restart++) {
    const opened = await attempt('/order_form', () => discord.command(user, 'order_form', { email }));
    if (opened.callback.type !== 9)
      throw new Error(`/order_form: ${JSON.stringify(opened.callback).slice(0, 200)}`);
    let modal = opened.callback.data as Json;
    let from: Json | undefined;
    let expired = false;
    for (const [index, values] of [inputs[1], inputs[2], inputs[3]].entries()) {
      const submitted = await attempt(`step ${index + 1}`, () =>
        discord.submitModal(user, modal, values, from),
      );
      const content = String(submitted.callback.data?.content ?? '');
      if (content.startsWith(EXPIRED)) {
        expiredAt.push(`step ${index + 1}`);
        expired = true; // an earlier try of this step went through on the replica that died
        break;
      }
      if (index === 2) {
        // The summary, as the answer or (after a defer at 2 s) as the edit that follows it.
        const isSummary = (message: Json | undefined) =>
          (message?.embeds as Json[] | undefined)?.[0]?.title === '📦 Order Submitted!';
        let sent = submitted;
        // Deferred, and the replica died before the answer: the customer submits again, as a
        // person would (a lost answer shows the order the first submit made, if it made one).
        for (let again = 0; again < 3; again++) {
          if (again > 0) {
            lostAnswers++;
            sent = await attempt('step 3', () => discord.submitModal(user, modal, values, from));
          }
          const summary = isSummary(sent.callback.data)
            ? true
            : await discord
                .waitFor(() => (sent.entry.edits.some(isSummary) ? true : undefined), 10_000)
                .catch(() => false);
          if (summary) return { retries, lostAnswers, restarts: restart, expiredAt, final: sent.entry };
          if (String(sent.callback.data?.content ?? '').startsWith(EXPIRED)) break;
        }
        const last = sent.entry.edits.at(-1) ?? sent.callback.data ?? {};
        expiredAt.push(
          `step 3: ${sent.callback.type === 5 ? 'deferred, ' : ''}${String(last.content ?? '').slice(0, 60) || 'no answer after the defer'}`,
        );
        expired = true;
        break;
      }
      from = submitted.entry.original!;
      const label = index === 1 ? 'Continue to Final Step' : 'Continue to Step 2';
      const button = String(findButton(from, label).custom_id);
      const opened2 = await attempt(`button ${index + 1}`, () => discord.click(user, from!, button));
      if (opened2.callback.type !== 9) {
        expiredAt.push(`button ${index + 1}`);
        expired = true;
        break;
      }
      modal = opened2.callback.data as Json;
    }
    if (!expired) break;
  }
  throw new Error('gave up after three restarts');
}

/** 3. The soak. */
export async function soak(customers: number) {
  const postgres = await startPostgres();
  const redis = await startRedis();
  const smtp = await startSmtpServer({ starttls: false, requireAuth: false });
  const discord = await startFakeDiscord({ guilds: 1, guildShape: REALISTIC_GUILD, openApi: false });
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_soak');
  await admin.end();
  const databaseUrl = postgres.url.replace(/\/postgres$/, '/bench_soak');
  const configDir = writeConfigDir({
    smtp_server: smtp.host,
    smtp_port: smtp.port,
    smtp_security: 'none',
    orders_channel_id: '300000000000000002',
    order_cooldown_seconds: 0,
    daily_order_limit: 10_000,
    recipient_daily_limit: 100,
    server_hourly_limit: 100_000,
    mail_hourly_limit: 100_000,
    mail_retry_initial_seconds: 0.5,
    max_sessions: 5000,
  });
  const shared = {
    CONFIG_DIR: configDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SENDER_EMAIL: 'shop@example.test',
    LOG_LEVEL: 'warn',
  };
  const ports = [String(nextPort++), String(nextPort++)];
  const replicas: { bot: BotProcess; endpoint: string; live: boolean }[] = [];
  const bots: BotProcess[] = [];
  const peak = new Map<string, number>();
  const sample = (name: string, rss: number) => peak.set(name, Math.max(peak.get(name) ?? 0, rss));
  let sampler: NodeJS.Timeout | undefined;
  try {
    // LOG_LEVEL=warn: no bot.ready line; ready is the endpoint answering.
    const startReplica = async (port: string) => {
      const bot = startBot({
        asNpmStart: true,
        env: {
          ...shared,
          DISCORD_BOT_TOKEN: discord.token,
          DISCORD_API_URL: discord.apiUrl,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-bench-soak-')),
          DISCORD_GATEWAY: 'off',
          INTERACTIONS_PORT: port,
          DISCORD_PUBLIC_KEY: discord.publicKeyHex,
        },
      });
      bots.push(bot);
      for (;;) {
        const up = await fetchStatus(`http://127.0.0.1:${port}/interactions`);
        if (up === 405) break;
        if (bot.child.exitCode !== null) throw new Error(`replica exited: ${bot.stderr.join('\n')}`);
        await sleep(50);
      }
      return bot;
    };
    for (const port of ports) {
      replicas.push({
        bot: await startReplica(port),
        endpoint: `http://127.0.0.1:${port}/interactions`,
        live: true,
      });
    }
    const gateway = startBot({
      asNpmStart: true,
      env: {
        ...shared,
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-bench-soak-')),
      },
    });
    bots.push(gateway);
    await discord.waitForShards(1, 30_000);
    const live = () => replicas.filter((r) => r.live).map((r) => r.endpoint);
    discord.deliverOverHttp(live(), (urls) => {
      const up = live();
      const list = up.length > 0 ? up : urls;
      return list[Math.floor(Math.random() * list.length)]!;
    });
    const postgresPid = pidOf(new RegExp(`postgres .*-p ${new URL(postgres.url).port}\\b`));
    const redisPid = pidOf(new RegExp(`redis-server .*:${new URL(redis.url).port}\\b`));
    sampler = setInterval(() => {
      for (const [i, r] of replicas.entries()) sample(`replica ${i + 1}`, rssOf(r.bot.child.pid));
      sample('gateway process', rssOf(gateway.child.pid));
      sample('PostgreSQL (PSS of all its processes)', treePss(postgresPid));
      sample('Redis', rssOf(redisPid));
    }, 200);

    const stepTimes = new Map<string, number[]>();
    let done = 0;
    let killedAt = -1;
    const started = performance.now();
    const killer = (async () => {
      while (done < customers / 2) await sleep(20);
      killedAt = done;
      const victim = replicas[1]!;
      victim.live = false;
      await victim.bot.stop('SIGKILL');
      await sleep(1000);
      victim.bot = await startReplica(ports[1]!);
      victim.live = true;
    })();
    const results = await Promise.allSettled(
      Array.from({ length: customers }, async (_, i) => {
        // A crowd arriving over a few seconds, not one burst.
        await sleep((i * (QUICK ? 3000 : 10_000)) / customers);
        const user = { id: String(750_000_000_000_000_000n + BigInt(i)), username: `soak${i}` };
        try {
          return await soakCustomer(discord, user, `soak-${i}@example.com`, i, stepTimes);
        } finally {
          done++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await killer;
    const completed = results.filter((r) => r.status === 'fulfilled');
    const failures = results
      .filter((r) => r.status === 'rejected')
      .map((r) => String(r.reason).slice(0, 120));
    // Every delivery settled, then count.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const deadline = Date.now() + 60_000;
    while (
      Number((await client.query(`SELECT count(*) AS n FROM jobs WHERE status = 'pending'`)).rows[0].n) > 0 &&
      Date.now() < deadline
    )
      await sleep(250);
    const orders = (await client.query('SELECT id, email FROM orders')).rows as {
      id: number;
      email: string;
    }[];
    await client.end();
    await sleep(1000);
    const perAddress = new Map<string, number>();
    for (const order of orders) perAddress.set(order.email, (perAddress.get(order.email) ?? 0) + 1);
    const mails = new Map<string, number>();
    const messageIds = new Map<string, Set<string>>();
    for (const mail of smtp.received)
      for (const to of mail.envelope.to) {
        mails.set(to, (mails.get(to) ?? 0) + 1);
        messageIds.set(to, (messageIds.get(to) ?? new Set()).add(String(mail.parsed.messageId)));
      }
    const posts = new Map<string, number>();
    for (const message of discord.channelMessages) {
      const key = String(message.body.nonce ?? message.body.content);
      posts.set(key, (posts.get(key) ?? 0) + 1);
    }
    const summaries = completed.length;
    return {
      customers,
      completed: summaries,
      failed: failures.length,
      failures: [...new Set(failures)].slice(0, 3),
      killed_after_completions: killedAt,
      customers_who_retried_a_step: completed.filter((r) => r.status === 'fulfilled' && r.value.retries > 0)
        .length,
      customers_who_submitted_again_after_a_lost_answer: completed.filter(
        (r) => r.status === 'fulfilled' && r.value.lostAnswers > 0,
      ).length,
      customers_who_started_again: completed.filter((r) => r.status === 'fulfilled' && r.value.restarts > 0)
        .length,
      form_found_gone_at: Object.fromEntries(
        completed
          .flatMap((r) => (r.status === 'fulfilled' ? r.value.expiredAt : []))
          .reduce((counts, step) => counts.set(step, (counts.get(step) ?? 0) + 1), new Map<string, number>()),
      ),
      completions_per_s: round(summaries / seconds, 1),
      seconds: round(seconds, 1),
      p99_ms_by_step: Object.fromEntries(
        [...stepTimes].map(([step, times]) => [
          step,
          { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), n: times.length },
        ]),
      ),
      orders_stored: orders.length,
      orders_lost: Math.max(0, summaries - perAddress.size),
      customers_with_two_orders: [...perAddress.values()].filter((n) => n > 1).length,
      emails: smtp.received.length,
      emails_lost: orders.length - [...mails.keys()].length,
      addresses_emailed_twice: [...mails.values()].filter((n) => n > 1).length,
      /** A resend after a worker died keeps its Message-ID, so a mail client shows one message. */
      addresses_with_two_different_emails: [...messageIds.values()].filter((ids) => ids.size > 1).length,
      staff_posts: discord.channelMessages.length,
      staff_posts_duplicated: [...posts.values()].filter((n) => n > 1).length,
      peak_rss_mb: Object.fromEntries([...peak].map(([name, bytes]) => [name, mb(bytes)])),
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await Promise.all(bots.map((bot) => bot.stop('SIGKILL')));
    await discord.close().catch(() => undefined);
    await smtp.close();
    await redis.stop();
    await postgres.stop();
  }
}

/** The status of a GET to `url` (405 from the endpoint once it listens), or 0 when nothing answers. */
function fetchStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

/** The whole `--cluster` run, as Markdown. */
export async function clusterBench(): Promise<string> {
  process.stderr.write('cluster: signature verification...\n');
  const signature = signatureCost();
  const modes = await pingModes();
  let soaked: Awaited<ReturnType<typeof soak>> | undefined;
  if (!process.argv.includes('--no-soak')) {
    process.stderr.write(`cluster: soak, ${QUICK ? 200 : 1000} customers...\n`);
    soaked = await soak(QUICK ? 200 : 1000);
  }
  const rates = Object.keys((modes[0]?.ping as Json | undefined) ?? {});
  return [
    `Signature verification (Ed25519, node:crypto, ${signature.body_bytes}-byte modal submit, ${signature.requests} requests each): genuine ${signature.genuine_us} µs, forged ${signature.forged_us} µs, non-hex ${signature.non_hex_us} µs per request; the key made once at start-up in ${signature.key_setup_ms} ms.`,
    '',
    `| process | RSS idle (MB) | RSS after load (MB) | ${rates.map((rate) => `/ping ${rate} p50 / p99 (ms)`).join(' | ')} |`,
    `| --- | ---: | ---: | ${rates.map(() => '---:').join(' | ')} |`,
    ...modes.map((row) => {
      const ping = row.ping as Record<string, { p50: number; p99: number; unanswered: number }>;
      const label = {
        gateway: 'gateway only (default)',
        http: 'HTTP replica (DISCORD_GATEWAY=off)',
        both: 'gateway + HTTP endpoint',
      }[String(row.mode) as 'gateway' | 'http' | 'both'];
      return `| ${label} | ${row.rss_idle_mb} | ${row.rss_after_load_mb} | ${rates
        .map(
          (rate) =>
            `${ping[rate]!.p50} / ${ping[rate]!.p99}${ping[rate]!.unanswered ? ` (${ping[rate]!.unanswered} unanswered)` : ''}`,
        )
        .join(' | ')} |`;
    }),
    '',
    soaked ? `Soak: ${JSON.stringify(soaked, null, 2)}` : 'Soak: not run (--no-soak)',
  ].join('\n');
}
