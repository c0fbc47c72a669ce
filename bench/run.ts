/**
 * `npm run bench`: this bot (the production bundle, started as `npm start` starts it) side by side
 * with a discord.js v14 bot, on the same fake Discord with realistic guilds (30 channels, 15 roles,
 * 25 members, 20 emojis each). The fake Discord, the load and the SMTP server run in this process;
 * each bot runs in its own, so they never share CPU time or heap with the load generator.
 *
 * Prints one Markdown table and writes bench/results.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { EN } from '../src/i18n/translate.ts';
import { DEFAULT_FORM, parseForm } from '../src/order/form.ts';
import { buildModal } from '../src/order/ui.ts';
import { openDatabase } from '../src/store/database.ts';
import { createOrderStore } from '../src/store/orders.ts';
import { BUNDLE, ROOT, writeConfigDir } from '../test/support/bot-process.ts';
import { completeOrder, validInputs } from '../test/support/customer.ts';
import { type FakeDiscord, REALISTIC_GUILD, startFakeDiscord } from '../test/support/fake-discord.ts';
import { longestAnswers } from '../test/support/form-values.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { startRedis } from '../test/support/redis.ts';
import { startSmtpServer } from '../test/support/smtp.ts';
import { breakdown, compareBots, peers } from './latency.ts';
import { load, percentile, round } from './load.ts';
import { START_ENV, START_FLAGS, START_TEXT } from './start.ts';

const QUICK = process.argv.includes('--quick');
const GUILD_COUNTS = QUICK ? [1, 500] : [1, 1000, 2500];
const LIMIT_BYTES = 128 * 1024 * 1024;
/** The order flow's customers start over this many milliseconds (BENCH_FLOW_RAMP_MS; 0, the default: all at once). */
const FLOW_RAMP_MS = Number(process.env.BENCH_FLOW_RAMP_MS ?? 0);
/**
 * A shop's form.json for the order flow (BENCH_FORM, e.g. bench/forms/longest.json), every field
 * answered at its limits; unset: the shipped form with the usual sample answers.
 */
const FLOW_FORM = process.env.BENCH_FORM
  ? parseForm(JSON.parse(readFileSync(process.env.BENCH_FORM, 'utf8')), process.env.BENCH_FORM)
  : undefined;

type Subject = 'lean' | 'discord.js';

interface RunningBot {
  child: ChildProcess;
  /** Starts or stops keeping `interaction.handled` log lines in `lines`. */
  collect(on: boolean): void;
  ready: Promise<number>;
  lines: Record<string, unknown>[];
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
/** User + system CPU time of a process in clock ticks (1/100 s). */
const cpuTicksOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
/** A rate step holds when everything was answered with a p99 under 100 ms at the rate asked for. */
const passes = (r: { unanswered: number; p99: number; achieved_per_s: number }, rate: number) =>
  r.unanswered === 0 && r.p99 < 100 && r.achieved_per_s >= rate * 0.95;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

let nextPort = 19_400 + Math.floor(Math.random() * 500);

function startSubject(
  subject: Subject,
  discord: FakeDiscord,
  extraEnv: Record<string, string> = {},
  collectLines = false,
): RunningBot {
  const port = nextPort++;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    ...(subject === 'lean' ? START_ENV : {}),
    ...JSON.parse(process.env.BENCH_BOT_ENV ?? '{}'),
    ...extraEnv,
  };
  const args = subject === 'lean' ? [...START_FLAGS, BUNDLE] : [join(ROOT, 'bench/djs-bot.mjs')];
  if (subject === 'lean') {
    env.CONFIG_DIR ??= writeConfigDir({ order_cooldown_seconds: 0, daily_order_limit: 10_000 });
    // Each run gets its own order database, so runs never see each other's orders.
    env.DATA_DIR ??= mkdtempSync(join(tmpdir(), 'order-bot-bench-data-'));
    env.HEALTH_PORT = String(port);
    env.LOG_LEVEL ??= process.env.BENCH_LOG_LEVEL ?? 'info';
  } else {
    env.BENCH_PORT = String(port);
    env.BENCH_MODAL = JSON.stringify(buildModal(EN, DEFAULT_FORM, 1, 'bench'));
  }
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let collecting = collectLines;
  let buffer = '';
  let onReady: (ms: number) => void = () => {};
  const ready = new Promise<number>((resolve, reject) => {
    onReady = resolve;
    child.on('exit', (code) => reject(new Error(`${subject} exited with ${code} before ready`)));
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    if (process.env.BENCH_DUMP_STDOUT) appendFileSync(process.env.BENCH_DUMP_STDOUT, chunk);
    buffer += chunk;
    let index = buffer.indexOf('\n');
    while (index >= 0) {
      const text = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      // Parse only what is needed: parsing every log line here would slow the load generator
      // (this process) for this bot and not for discord.js, which logs nothing.
      const wanted = text.includes('"bot.ready"') || (collecting && text.includes('"interaction.handled"'));
      if (wanted) {
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (line.event === 'bot.ready') onReady(performance.now() - started);
          lines.push(line);
        } catch {}
      }
      index = buffer.indexOf('\n');
    }
  });
  child
    .stderr!.setEncoding('utf8')
    .on('data', (chunk: string) => process.stderr.write(`[${subject}] ${chunk}`));
  return {
    child,
    collect(on) {
      collecting = on;
    },
    ready,
    lines,
    async heapUsed() {
      const response = await fetch(`http://127.0.0.1:${port}/${subject === 'lean' ? 'metrics' : 'memory'}`);
      const text = await response.text();
      return subject === 'lean'
        ? Number(/^nodejs_heap_used_bytes (\d+)/m.exec(text)?.[1])
        : (JSON.parse(text) as { heapUsed: number }).heapUsed;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(process.env.BENCH_STOP === 'TERM' ? 'SIGTERM' : 'SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function measureSubject(subject: Subject, guilds: number) {
  const discord = await startFakeDiscord({
    guilds,
    guildShape: REALISTIC_GUILD,
    heartbeatIntervalMs: 5000,
    openApi: false,
  });
  const bot = startSubject(subject, discord);
  try {
    const readyMs = await bot.ready;
    await sleep(3000); // settle: GC after the GUILD_CREATE burst
    const rss = rssOf(bot.child.pid!);
    const heap = await bot.heapUsed();
    const at100 = await load(discord, 100, 2);
    bot.collect(true);
    const at1000 = await load(discord, 1000, 2);
    bot.collect(false);
    const botSide = bot.lines
      .filter((l) => l.event === 'interaction.handled' && typeof l.first_response_ms === 'number')
      .map((l) => l.first_response_ms as number);
    const modal = await load(discord, 100, 1, 'order_form');
    const peakRss = rssOf(bot.child.pid!);
    let sustained = 0;
    let overload = 'none';
    // Warm-up, not measured: both bots get the same 4 s at 3,000/s so the JIT has settled before the
    // ladder (without it the first fast step caught either bot still compiling, and results swung).
    if (!QUICK) await load(discord, 3000, 4);
    /** CPU share (% of one core) of the bot and of this process (fake Discord + load) per step. */
    const cpu: Record<string, { bot: number; fake_and_load: number }> = {};
    for (const rate of QUICK ? [2000, 5000] : [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_000]) {
      // A step that fails is run once more: on 2 shared cores one stray pause can spoil a step.
      let result: Awaited<ReturnType<typeof load>> | undefined;
      for (let attempt = 0; attempt < 2 && !(result && passes(result, rate)); attempt++) {
        const botTicks = cpuTicksOf(bot.child.pid!);
        const own = process.cpuUsage();
        const started = performance.now();
        result = await load(discord, rate, 1.5);
        const seconds = (performance.now() - started) / 1000;
        const ownUsed = process.cpuUsage(own);
        cpu[rate] = {
          bot: Math.round((cpuTicksOf(bot.child.pid!) - botTicks) / seconds),
          fake_and_load: Math.round((ownUsed.user + ownUsed.system) / 1e4 / seconds),
        };
        if (process.env.BENCH_VERBOSE)
          process.stderr.write(
            `  ${subject} ${rate}/s: ${JSON.stringify({ ...result, entries: undefined, cpu: cpu[rate] })}\n`,
          );
        if (bot.child.exitCode !== null || bot.child.signalCode !== null) break;
      }
      if (!result) break;
      if (bot.child.exitCode !== null || bot.child.signalCode !== null) {
        overload = `crashed at ${rate}/s`;
        break;
      }
      if (result.achieved_per_s < rate * 0.95) {
        // The fake Discord shares one core with the load: past this point it, not the bot, is the limit.
        overload = `load generator reached only ${result.achieved_per_s}/s of ${rate}/s`;
        break;
      }
      if (passes(result, rate)) sustained = rate;
      else {
        overload = `p99 ${round(result.p99, 0)} ms, ${result.unanswered} unanswered at ${rate}/s (CPU: bot ${cpu[rate]?.bot}%, fake Discord + load ${cpu[rate]?.fake_and_load}%)`;
        break;
      }
    }
    return {
      subject,
      guilds,
      ready_ms: Math.round(readyMs),
      rss_mb: mb(rss),
      heap_mb: mb(heap),
      ping_100: { p50: round(at100.p50), p99: round(at100.p99), unanswered: at100.unanswered },
      ping_1000: { p50: round(at1000.p50), p99: round(at1000.p99), unanswered: at1000.unanswered },
      /** This bot only: interaction arrival at the dispatcher to its answer handed to the HTTP client. */
      bot_side_1000: botSide.length
        ? {
            p50: round(percentile(botSide, 50), 3),
            p99: round(percentile(botSide, 99), 3),
            count: botSide.length,
          }
        : undefined,
      modal_100: { p50: round(modal.p50), p99: round(modal.p99), unanswered: modal.unanswered },
      sustained_per_s: sustained,
      first_failing_step: overload,
      cpu_percent_by_rate: cpu,
      rss_after_load_mb: mb(peakRss),
    };
  } finally {
    await bot.stop();
    await discord.close();
  }
}

/** 1,000 customers completing all three steps at once, against this bot only. */
async function orderFlow(customers: number, memoryLimit = false, engineEnv: Record<string, string> = {}) {
  const discord = await startFakeDiscord({ guilds: 1, guildShape: REALISTIC_GUILD, openApi: false });
  const smtp = await startSmtpServer({ starttls: false, requireAuth: false });
  const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-bench-flow-'));
  const configDir = writeConfigDir({
    smtp_server: smtp.host,
    smtp_port: smtp.port,
    smtp_security: 'none',
    order_cooldown_seconds: 0,
    daily_order_limit: 10_000,
    recipient_daily_limit: 100,
    server_hourly_limit: 100_000,
    mail_hourly_limit: 100_000,
    mail_retry_initial_seconds: 0.5,
  });
  if (FLOW_FORM) writeFileSync(join(configDir, 'form.json'), FLOW_FORM.definition);
  const bot = startSubject(
    'lean',
    discord,
    { DATA_DIR: dataDir, CONFIG_DIR: configDir, SENDER_EMAIL: 'shop@example.test', ...engineEnv },
    true,
  );
  let peak = 0;
  let killed = false;
  const sampler = setInterval(() => {
    try {
      const rss = rssOf(bot.child.pid!);
      peak = Math.max(peak, rss);
      if (memoryLimit && rss > LIMIT_BYTES) {
        killed = true;
        bot.child.kill('SIGKILL');
      }
    } catch {}
  }, 20);
  try {
    await bot.ready;
    const started = performance.now();
    // All customers start at once, or spread over FLOW_RAMP_MS as a crowd arrives.
    let open = 0;
    let mostOpen = 0;
    const results = await Promise.allSettled(
      Array.from({ length: customers }, async (_, i) => {
        if (FLOW_RAMP_MS > 0)
          await new Promise((resolve) => setTimeout(resolve, (i * FLOW_RAMP_MS) / customers));
        open++;
        mostOpen = Math.max(mostOpen, open);
        try {
          return await completeOrder(
            discord,
            { id: String(700_000_000_000_000_000n + BigInt(i)), username: `c${i}` },
            `c${i}@example.com`,
            FLOW_FORM ? longestAnswers(FLOW_FORM, i) : validInputs(i),
          );
        } finally {
          open--;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.status === 'rejected').length;
    const reasons = new Map<string, number>();
    for (const r of results)
      if (r.status === 'rejected') {
        const k = String(r.reason).slice(0, 160);
        reasons.set(k, (reasons.get(k) ?? 0) + 1);
      }
    if (reasons.size > 0)
      process.stderr.write(`order flow failures: ${JSON.stringify([...reasons].slice(0, 5))}\n`);
    await smtp.waitForMessages(customers, 60_000).catch(() => undefined);
    // Bot-side time per step, from its own log lines: first answer leaving minus interaction arrival.
    const byRoute = new Map<string, number[]>();
    for (const line of bot.lines) {
      if (line.event !== 'interaction.handled' || typeof line.first_response_ms !== 'number') continue;
      const key = String(line.route);
      byRoute.set(key, [...(byRoute.get(key) ?? []), line.first_response_ms]);
    }
    const steps = Object.fromEntries(
      [...byRoute.entries()].map(([route, values]) => [
        route,
        {
          count: values.length,
          p50: round(percentile(values, 50), 3),
          p99: round(percentile(values, 99), 3),
        },
      ]),
    );
    return {
      customers,
      /** Most customers in the middle of the form at the same moment. */
      concurrent_flows: mostOpen,
      failed,
      killed_over_128mb: killed,
      completions_per_s: round(customers / seconds, 1),
      seconds: round(seconds, 2),
      peak_rss_mb: mb(peak),
      emails_delivered: smtp.received.length,
      /** Orders in the database that the customers completed, and addresses emailed more than once. */
      orders_stored: engineEnv.DATABASE_URL
        ? await postgresOrderCount(engineEnv.DATABASE_URL)
        : createOrderStore(openDatabase(dataDir)).counts(0).ordersTotal,
      emails_duplicated: smtp.received.length - new Set(smtp.received.flatMap((m) => m.envelope.to)).size,
      bot_side_ms_by_route: steps,
    };
  } finally {
    clearInterval(sampler);
    await bot.stop().catch(() => undefined);
    await smtp.close();
    await discord.close();
  }
}

/** Orders stored in a PostgreSQL database. */
async function postgresOrderCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM orders')).rows[0].n);
  } finally {
    await client.end();
  }
}

/**
 * The engines side by side: RSS after ready at 1 and 2,500 guilds as `npm start` runs the bot, and
 * the 1,000-customer order flow, on SQLite (the default) and on PostgreSQL + Redis (servers
 * started here on loopback, a new database for each run).
 */
async function compareEngines(customers: number) {
  const postgres = await startPostgres();
  const redis = await startRedis();
  let databases = 0;
  const fresh = async () => {
    const name = `bench_${++databases}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return { DATABASE_URL: postgres.url.replace(/\/postgres$/, `/${name}`), REDIS_URL: redis.url };
  };
  const rows: { engine: string; rss: Record<number, number>; flow: Awaited<ReturnType<typeof orderFlow>> }[] =
    [];
  try {
    // BENCH_ENGINES=postgres (or sqlite) runs one side alone, for tuning.
    const only = process.env.BENCH_ENGINES?.split(',');
    for (const engine of (['sqlite', 'postgres'] as const).filter((e) => !only || only.includes(e))) {
      const rss: Record<number, number> = {};
      for (const guilds of QUICK ? [1, 500] : [1, 2500]) {
        process.stderr.write(`engines: ${engine} at ${guilds} guilds...\n`);
        const discord = await startFakeDiscord({ guilds, guildShape: REALISTIC_GUILD, openApi: false });
        const bot = startSubject('lean', discord, engine === 'postgres' ? await fresh() : {});
        try {
          await bot.ready;
          await sleep(3000);
          rss[guilds] = mb(rssOf(bot.child.pid!));
        } finally {
          await bot.stop();
          await discord.close();
        }
      }
      process.stderr.write(`engines: ${engine} order flow, ${customers} customers...\n`);
      const flow = await orderFlow(customers, false, engine === 'postgres' ? await fresh() : {});
      rows.push({ engine, rss, flow });
    }
  } finally {
    await redis.stop();
    await postgres.stop();
  }
  const routes = [...new Set(rows.flatMap((row) => Object.keys(row.flow.bot_side_ms_by_route)))];
  return [
    '| engine | RSS after ready, 1 / 2,500 guilds (MB) | order flow: completions/s | failed | orders stored | emails (duplicates) | peak RSS (MB) | ' +
      routes.map((route) => `${route} p50 / p99 (ms)`).join(' | ') +
      ' |',
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ${routes.map(() => '---:').join(' | ')} |`,
    ...rows.map((row) => {
      const [few, many] = Object.values(row.rss);
      const steps = routes.map((route) => {
        const step = row.flow.bot_side_ms_by_route[route];
        return step ? `${step.p50} / ${step.p99}` : '';
      });
      return `| ${row.engine === 'sqlite' ? 'SQLite (default)' : 'PostgreSQL + Redis'} | ${few} / ${many} | ${row.flow.completions_per_s} | ${row.flow.failed} | ${row.flow.orders_stored} | ${row.flow.emails_delivered} (${row.flow.emails_duplicated}) | ${row.flow.peak_rss_mb} | ${steps.join(' | ')} |`;
    }),
  ].join('\n');
}

/** Fills a database with `count` delivered orders (three done jobs each), as a busy shop's would be. */
function seedOrders(dataDir: string, count: number): void {
  const db = openDatabase(dataDir);
  db.exec('PRAGMA synchronous = OFF');
  const order = db.prepare(
    'INSERT INTO orders (order_number, user_id, guild_id, email, fields, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const job = db.prepare(
    "INSERT INTO jobs (order_id, kind, status, attempts, next_at, created_at, updated_at) VALUES (?, ?, 'done', 1, ?, ?, ?)",
  );
  const fields = JSON.stringify({ ...validInputs(1)[1], ...validInputs(1)[2], ...validInputs(1)[3] });
  const start = Date.now() - 300 * 86_400_000;
  db.exec('BEGIN');
  for (let i = 0; i < count; i++) {
    const at = start + i * 200_000;
    const { lastInsertRowid: id } = order.run(
      `ORD-${i}`,
      String(700_000_000_000_000_000n + BigInt(i % 5000)),
      '1',
      `c${i}@example.com`,
      fields,
      'sent',
      at,
    );
    for (const kind of ['staff_post', 'email', 'customer_message']) job.run(id, kind, at, at, at);
  }
  db.exec('COMMIT');
  db.close();
}

/** Start to ready with an empty database and with `count` orders in it, 3 runs each (median). */
async function startupWithOrders(count: number) {
  const seeded = mkdtempSync(join(tmpdir(), 'order-bot-bench-seeded-'));
  const seededAt = performance.now();
  seedOrders(seeded, count);
  const seedSeconds = (performance.now() - seededAt) / 1000;
  const runs: { empty: number[]; full: number[] } = { empty: [], full: [] };
  for (let i = 0; i < 3; i++) {
    for (const which of ['empty', 'full'] as const) {
      const discord = await startFakeDiscord({ guilds: 1, openApi: false });
      const bot = startSubject('lean', discord, which === 'full' ? { DATA_DIR: seeded } : {});
      try {
        runs[which].push(Math.round(await bot.ready));
      } finally {
        await bot.stop();
        await discord.close();
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    orders: count,
    seed_seconds: round(seedSeconds, 1),
    empty_ms: runs.empty,
    full_ms: runs.full,
    median_extra_ms: median(runs.full) - median(runs.empty),
  };
}

async function main() {
  if (process.argv.includes('--startup-only')) {
    // Start-up time against the size of the database: npm run bench -- --startup-only
    console.log(JSON.stringify(await startupWithOrders(QUICK ? 10_000 : 100_000), null, 2));
    return;
  }
  if (process.argv.includes('--latency-only')) {
    // The three bots' reply latency and this bot's breakdown alone: npm run bench -- --latency-only
    const latency = await compareBots(QUICK ? 1 : 3, peers());
    console.log(`${latency.markdown}\n\n${await breakdown(1)}`);
    return;
  }
  if (process.argv.includes('--cluster')) {
    // The HTTP interactions endpoint and the cluster (opt-in): npm run bench -- --cluster
    const { clusterBench } = await import('./cluster.ts');
    console.log(await clusterBench());
    return;
  }
  if (process.argv.includes('--rest-budget')) {
    // One REST budget for one token, split or through a proxy (opt-in): npm run bench -- --rest-budget
    const { restBudgetBench } = await import('./rest-budget.ts');
    console.log(await restBudgetBench());
    return;
  }
  if (process.argv.includes('--engines-only')) {
    // The engines side by side alone: npm run bench -- --engines-only
    console.log(await compareEngines(QUICK ? 200 : 1000));
    return;
  }
  if (process.argv.includes('--flow-only')) {
    // For tuning the order flow alone: npm run bench -- --flow-only
    console.log(JSON.stringify(await orderFlow(QUICK ? 200 : 1000), null, 2));
    return;
  }
  const began = performance.now();
  const rows: Awaited<ReturnType<typeof measureSubject>>[] = [];
  for (const guilds of GUILD_COUNTS) {
    for (const subject of (process.env.BENCH_ONLY_LEAN ? ['lean'] : ['lean', 'discord.js']) as Subject[]) {
      process.stderr.write(`measuring ${subject} at ${guilds} guilds...\n`);
      rows.push(await measureSubject(subject, guilds));
    }
  }
  process.stderr.write('order flow: 1,000 concurrent customers...\n');
  const flow = await orderFlow(QUICK ? 200 : 1000);
  process.stderr.write('start-up with 100,000 orders in the database...\n');
  const startup = await startupWithOrders(QUICK ? 10_000 : 100_000);
  process.stderr.write('the 128 MB box: the same run under a 128 MB RSS limit...\n');
  const boxed = [];
  for (const guilds of GUILD_COUNTS) {
    const discord = await startFakeDiscord({ guilds, guildShape: REALISTIC_GUILD, openApi: false });
    const bot = startSubject('lean', discord);
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssOf(bot.child.pid!));
        if (peak > LIMIT_BYTES) bot.child.kill('SIGKILL');
      } catch {}
    }, 20);
    try {
      await bot.ready;
      await load(discord, 1000, 2);
      boxed.push({
        guilds,
        peak_rss_mb: mb(peak),
        within_128mb: peak <= LIMIT_BYTES && bot.child.exitCode === null,
      });
    } finally {
      clearInterval(sampler);
      await bot.stop();
      await discord.close();
    }
  }
  const boxedFlow = await orderFlow(QUICK ? 200 : 1000, true);
  process.stderr.write('reply latency: this bot, discord.py and discord.js, interleaved runs...\n');
  const latency = await compareBots(QUICK ? 1 : 3, peers());
  const stages = await breakdown(1);
  process.stderr.write('the engines side by side: SQLite, PostgreSQL + Redis...\n');
  const engines = await compareEngines(QUICK ? 200 : 1000);

  const lean = (g: number) => rows.find((r) => r.subject === 'lean' && r.guilds === g)!;
  const notRun = { p50: Number.NaN, p99: Number.NaN, unanswered: 0 };
  const djs = (g: number) =>
    rows.find((r) => r.subject === 'discord.js' && r.guilds === g) ?? {
      ...lean(g),
      ...{ rss_mb: Number.NaN, heap_mb: Number.NaN, ready_ms: Number.NaN, sustained_per_s: Number.NaN },
      ...{ ping_100: notRun, ping_1000: notRun, modal_100: notRun, first_failing_step: 'not run' },
    };
  const ratio = (a: number, b: number) => (b > 0 ? `${round(a / b, 2)}x` : 'n/a');
  const table = [
    `| guilds | metric | this bot | discord.js | discord.js / this bot |`,
    `| ---: | --- | ---: | ---: | ---: |`,
    ...GUILD_COUNTS.flatMap((g) => {
      const a = lean(g);
      const b = djs(g);
      return [
        `| ${g} | RSS after ready (MB) | ${a.rss_mb} | ${b.rss_mb} | ${ratio(b.rss_mb, a.rss_mb)} |`,
        `| ${g} | heap used (MB) | ${a.heap_mb} | ${b.heap_mb} | ${ratio(b.heap_mb, a.heap_mb)} |`,
        `| ${g} | start to ready (ms) | ${a.ready_ms} | ${b.ready_ms} | ${ratio(b.ready_ms, a.ready_ms)} |`,
        `| ${g} | /ping round trip at 100/s, p50 / p99 (ms) | ${a.ping_100.p50} / ${a.ping_100.p99} | ${b.ping_100.p50} / ${b.ping_100.p99} | ${ratio(b.ping_100.p99, a.ping_100.p99)} (p99) |`,
        `| ${g} | /ping round trip at 1,000/s, p50 / p99 (ms) | ${a.ping_1000.p50} / ${a.ping_1000.p99} | ${b.ping_1000.p50} / ${b.ping_1000.p99} | ${ratio(b.ping_1000.p99, a.ping_1000.p99)} (p99) |`,
        `| ${g} | bot-side at 1,000/s, p50 / p99 (ms): arrival to answer handed to HTTP | ${a.bot_side_1000?.p50} / ${a.bot_side_1000?.p99} | not measured | |`,
        `| ${g} | first modal at 100/s, p50 / p99 (ms) | ${a.modal_100.p50} / ${a.modal_100.p99} | ${b.modal_100.p50} / ${b.modal_100.p99} | ${ratio(b.modal_100.p99, a.modal_100.p99)} (p99) |`,
        `| ${g} | highest rate with p99 < 100 ms (/s) | ${a.sustained_per_s} | ${b.sustained_per_s} | ${ratio(b.sustained_per_s, a.sustained_per_s)} |`,
        `| ${g} | first failing rate step | ${a.first_failing_step} | ${b.first_failing_step} | |`,
      ];
    }),
  ].join('\n');
  const heapGrowth = round(lean(GUILD_COUNTS.at(-1)!).heap_mb - lean(1).heap_mb, 2);
  const flowTable = [
    '',
    `Order flow, ${flow.customers} customers at once (this bot, durable commits): ${flow.completions_per_s} completions/s, ${flow.failed} failed, ${flow.orders_stored} orders stored, peak RSS ${flow.peak_rss_mb} MB, ${flow.emails_delivered} emails delivered (${flow.emails_duplicated} duplicates).`,
    '',
    `Start to ready with ${startup.orders.toLocaleString('en-US')} orders in the database: ${startup.full_ms.join(' / ')} ms, empty database: ${startup.empty_ms.join(' / ')} ms (median difference ${startup.median_extra_ms} ms).`,
    '',
    '| step (route) | count | bot-side p50 (ms) | bot-side p99 (ms) |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(flow.bot_side_ms_by_route).map(
      ([route, s]) => `| ${route} | ${s.count} | ${s.p50} | ${s.p99} |`,
    ),
    '',
    `Heap growth from 1 to ${GUILD_COUNTS.at(-1)} guilds (this bot): ${heapGrowth} MB.`,
    `128 MB box (${START_TEXT}; killed if RSS > 128 MB): ${boxed.map((b) => `${b.guilds} guilds peak ${b.peak_rss_mb} MB ${b.within_128mb ? 'ok' : 'OVER'}`).join('; ')}; order flow peak ${boxedFlow.peak_rss_mb} MB ${boxedFlow.killed_over_128mb ? 'OVER' : 'ok'} (${boxedFlow.failed} failed).`,
    '',
    latency.markdown,
    '',
    stages,
    '',
    'The engines side by side (`npm run bench -- --engines-only` alone):',
    '',
    engines,
    '',
    `Total bench time: ${round((performance.now() - began) / 1000, 1)} s.`,
  ].join('\n');
  console.log(table + flowTable);
  writeFileSync(
    join(ROOT, 'bench/results.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, start_flags: START_FLAGS, rows, order_flow: flow, startup_with_orders: startup, heap_growth_mb: heapGrowth, box_128mb: { runs: boxed, order_flow: boxedFlow }, latency: latency.summary }, null, 2)}\n`,
  );
}

await main();
