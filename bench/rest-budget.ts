/**
 * `npm run bench -- --rest-budget` (opt-in): one REST budget for one token, measured.
 *
 * Discord's global limit (50 requests a second) is per bot token, not per process. Two ways to
 * share it among three processes, on a fake Discord that enforces it (429, `X-RateLimit-Global`):
 *
 * - split: each process's @discordjs/rest limited to `rest_requests_per_second` = 16 (50 / 3);
 * - proxy: one @discordjs/proxy 2.x process on 127.0.0.1 holding the token's one queue, the three
 *   processes' `DISCORD_API_URL` pointing at it (and their own limit left at 50).
 *
 * For each: (a) all three burst 50 channel messages at once (one per channel, as customers' direct
 * messages are), (b) one bursts 50 while two idle, (c) one bursts 150 while two idle: time to drain,
 * messages per second, 429s Discord sent and 429s the processes saw. Then the hop's cost: p50/p99
 * of one `GET /users/@me` direct and through the proxy, the proxy's RSS, and what an interaction
 * answer does when `DISCORD_API_URL` sends it through the proxy during a burst.
 *
 * Each "process" is the bot's own transport (src/discord/rest.ts, as src/main.ts builds it) in a
 * child process (bench/rest-budget-client.ts), not a whole bot: what is measured is REST alone.
 * Everything runs on loopback and is started and stopped here.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type FakeDiscord, snowflake, startFakeDiscord } from '../test/support/fake-discord.ts';
import { percentile, round } from './load.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const QUICK = process.argv.includes('--quick');
/** Discord's global limit per bot token. */
const GLOBAL = 50;
const PROCESSES = 3;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rssOf = (pid: number | undefined) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};

/** One process's REST, driven over IPC. */
interface Client {
  child: ChildProcess;
  ask<T>(message: object): Promise<T>;
}

async function startClient(apiUrl: string, token: string, rps: number | undefined, appId: string) {
  const child = fork(join(HERE, 'rest-budget-client.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      API_URL: apiUrl,
      TOKEN: token,
      APPLICATION_ID: appId,
      ...(rps === undefined ? {} : { RPS: String(rps) }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return {
    child,
    ask: <T>(message: object) => {
      const answer = once(child, 'message').then(([reply]) => reply as T);
      child.send(message);
      return answer;
    },
  } satisfies Client;
}

async function startProxy(upstream: string, rejectOnRateLimit: boolean) {
  const child = spawn(process.execPath, [join(HERE, 'rest-proxy.mjs')], {
    env: { ...process.env, UPSTREAM: upstream, REJECT_ON_RATE_LIMIT: rejectOnRateLimit ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  for await (const chunk of child.stdout) {
    text += String(chunk);
    const port = /listening (\d+)/.exec(text)?.[1];
    if (port) return { child, url: `http://127.0.0.1:${port}/api` };
  }
  throw new Error('the proxy exited before listening');
}

interface BurstResult {
  ms: number;
  failed: number;
  tooMany: number;
}

/** Bursts `perProcess[i]` messages from client i at once; the figures of the whole. */
async function burst(discord: FakeDiscord, clients: Client[], perProcess: number[], sampled?: () => void) {
  await sleep(1100); // every window closed
  const limitedBefore = discord.globalLimited;
  const sampler = sampled ? setInterval(sampled, 20) : undefined;
  const started = performance.now();
  const results = await Promise.all(
    clients.map((client, i) =>
      perProcess[i]
        ? client.ask<BurstResult>({
            burst: perProcess[i],
            channelBase: String(BigInt(snowflake()) + BigInt(i) * 1000n),
          })
        : Promise.resolve({ ms: 0, failed: 0, tooMany: 0 }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const sent = perProcess.reduce((a, b) => a + b, 0);
  return {
    messages: sent,
    seconds: round(seconds, 2),
    per_s: round((sent - results.reduce((a, r) => a + r.failed, 0)) / seconds, 1),
    discord_429: discord.globalLimited - limitedBefore,
    seen_429: results.reduce((a, r) => a + r.tooMany, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
  };
}

const CASES: { name: string; perProcess: number[] }[] = [
  { name: '(a) three burst 50 each', perProcess: [50, 50, 50] },
  { name: '(b) one bursts 50, two idle', perProcess: [50, 0, 0] },
  { name: '(c) one bursts 150, two idle', perProcess: [150, 0, 0] },
];

type Row = { setup: string; case: string } & Awaited<ReturnType<typeof burst>>;

/** The three processes against `apiUrl`, every case. */
async function runSetup(
  discord: FakeDiscord,
  setup: string,
  apiUrl: string,
  rps: number | undefined,
  sampled?: () => void,
): Promise<Row[]> {
  const clients = await Promise.all(
    Array.from({ length: PROCESSES }, () => startClient(apiUrl, discord.token, rps, discord.applicationId)),
  );
  try {
    const rows: Row[] = [];
    for (const c of CASES) {
      process.stderr.write(`rest budget: ${setup}, ${c.name}...\n`);
      rows.push({ setup, case: c.name, ...(await burst(discord, clients, c.perProcess, sampled)) });
    }
    return rows;
  } finally {
    for (const client of clients) client.child.disconnect();
  }
}

/** p50/p99 of `n` sequential GETs from one process against `apiUrl`. */
async function hop(discord: FakeDiscord, apiUrl: string, n: number) {
  const client = await startClient(apiUrl, discord.token, undefined, discord.applicationId);
  try {
    await client.ask({ gets: 50 }); // warm-up: connections, JIT
    await sleep(1100);
    const all: number[] = [];
    // In slices under the global limit, so the hop is measured and not the queue.
    for (let done = 0; done < n; done += 40) {
      all.push(...(await client.ask<{ ms: number[] }>({ gets: Math.min(40, n - done) })).ms);
      await sleep(1000);
    }
    return { p50: round(percentile(all, 50), 2), p99: round(percentile(all, 99), 2) };
  } finally {
    client.child.disconnect();
  }
}

/**
 * An interaction answer (edit of the original response, a webhook route) sent 200 ms into burst
 * (a), by a fourth process whose `DISCORD_API_URL` is `apiUrl`: its milliseconds and status.
 */
async function answerDuringBurst(discord: FakeDiscord, apiUrl: string, rps: number | undefined) {
  const clients = await Promise.all(
    Array.from({ length: PROCESSES }, () => startClient(apiUrl, discord.token, rps, discord.applicationId)),
  );
  const answerer = await startClient(apiUrl, discord.token, rps, discord.applicationId);
  try {
    await sleep(1100);
    const bursts = Promise.all(
      clients.map((client, i) =>
        client.ask<BurstResult>({ burst: 50, channelBase: String(BigInt(snowflake()) + BigInt(i) * 1000n) }),
      ),
    );
    await sleep(200);
    const answer = await answerer.ask<{ ms: number; status: number }>({
      answer: 'unknown-interaction-token',
    });
    await bursts;
    return answer;
  } finally {
    for (const client of [...clients, answerer]) client.child.disconnect();
  }
}

/** The whole measurement, as markdown. */
export async function restBudgetBench(): Promise<string> {
  const discord = await startFakeDiscord({ globalRequestsPerSecond: GLOBAL });
  const split = Math.floor(GLOBAL / PROCESSES);
  const rows: Row[] = [];
  let proxyIdle = 0;
  let proxyPeak = 0;
  const extra: string[] = [];
  try {
    rows.push(...(await runSetup(discord, `split: ${PROCESSES} x ${split}/s direct`, discord.apiUrl, split)));
    rows.push(
      ...(await runSetup(discord, `no split: ${PROCESSES} x 50/s direct`, discord.apiUrl, undefined)),
    );
    for (const reject of [false, true]) {
      const proxy = await startProxy(discord.apiUrl, reject);
      try {
        await sleep(500);
        if (!reject) proxyIdle = rssOf(proxy.child.pid);
        const setup = reject
          ? 'proxy, rejectOnRateLimit (the container setting)'
          : `proxy: ${PROCESSES} x 50/s through one @discordjs/proxy`;
        rows.push(
          ...(await runSetup(discord, setup, proxy.url, undefined, () => {
            proxyPeak = Math.max(proxyPeak, rssOf(proxy.child.pid));
          })),
        );
        if (!reject) {
          process.stderr.write('rest budget: the hop...\n');
          const n = QUICK ? 200 : 1000;
          const direct = await hop(discord, discord.apiUrl, n);
          const through = await hop(discord, proxy.url, n);
          extra.push(
            `One \`GET /users/@me\` (${n}, sequential, idle): direct p50 ${direct.p50} ms / p99 ${direct.p99} ms; through the proxy p50 ${through.p50} ms / p99 ${through.p99} ms.`,
            `Proxy RSS: ${mb(proxyIdle)} MB idle, ${mb(proxyPeak)} MB peak during the bursts (node ${process.version}, @discordjs/proxy 2.1.1 with its own undici).`,
          );
          process.stderr.write('rest budget: an interaction answer during burst (a)...\n');
          const directAnswer = await answerDuringBurst(discord, discord.apiUrl, split);
          const proxiedAnswer = await answerDuringBurst(discord, proxy.url, undefined);
          extra.push(
            `An interaction answer (PATCH of @original) sent 200 ms into burst (a): direct (split) ${round(directAnswer.ms, 1)} ms (HTTP ${directAnswer.status}); with \`DISCORD_API_URL\` at the proxy it goes through the proxy's queue: ${round(proxiedAnswer.ms, 1)} ms (HTTP ${proxiedAnswer.status}; the fake answers 404 for the made-up token, the time is what counts).`,
          );
        }
      } finally {
        proxy.child.kill('SIGTERM');
        await once(proxy.child, 'exit');
      }
    }
  } finally {
    await discord.close().catch((error: unknown) => process.stderr.write(`fake Discord: ${String(error)}\n`));
  }
  return [
    `Fake Discord enforcing ${GLOBAL} requests/s per token (429, X-RateLimit-Global, Retry-After rounded up); ${PROCESSES} processes; loopback.`,
    '',
    '| setup | case | messages | drain (s) | delivered/s | 429s from Discord | 429s the processes saw | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.setup} | ${r.case} | ${r.messages} | ${r.seconds} | ${r.per_s} | ${r.discord_429} | ${r.seen_429} | ${r.failed} |`,
    ),
    '',
    ...extra,
  ].join('\n');
}
