/**
 * `npm run bench:alloc`: how much this bot allocates per interaction, the figure behind its
 * garbage collections (each scavenge lands in some answer's round trip). The production bundle,
 * started as `npm start` starts it plus `--trace-gc`, answers /ping (or `CMD=order_form`) at
 * `RATE` per second (500) for 4 s after a warm-up; allocation is summed between collections from
 * V8's own trace (heap size before each GC minus after the one before). `LOG_LEVEL=warn` leaves
 * out the per-interaction log line. `-- --http-only` measures node:http's client alone instead:
 * keep-alive POSTs of an interaction callback's size to a server that answers 204, in a process of
 * their own (node:http's own share of what the bot allocates per answer).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, writeConfigDir } from '../test/support/bot-process.ts';
import { startFakeDiscord } from '../test/support/fake-discord.ts';
import { load, round } from './load.ts';
import { START_ENV, START_FLAGS } from './start.ts';

/**
 * Sums what was allocated between collections in `--trace-gc` output, and what scavenges moved to
 * the old generation (the heap after one scavenge minus after the one before, when no full
 * collection came between): what survives long enough to be promoted only leaves at a full
 * mark-compact, the long pause.
 */
function gcTotals(trace: string): {
  collections: number;
  fullCollections: number;
  mb: number;
  promotedMb: number;
} {
  const collections = [...trace.matchAll(/: (Scavenge|Mark-Compact)\D*([\d.]+) \([\d.]+\) -> ([\d.]+)/g)].map(
    (m) => ({ full: m[1] === 'Mark-Compact', before: Number(m[2]), after: Number(m[3]) }),
  );
  let mb = 0;
  let promotedMb = 0;
  for (let i = 1; i < collections.length; i++) {
    const [previous, current] = [collections[i - 1]!, collections[i]!];
    mb += Math.max(0, current.before - previous.after);
    if (!current.full && !previous.full) promotedMb += Math.max(0, current.after - previous.after);
  }
  return {
    collections: collections.length,
    fullCollections: collections.filter((c) => c.full).length,
    mb,
    promotedMb,
  };
}

if (process.argv.includes('--http-only')) {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 128, scheduling: 'lifo' });
    const body = JSON.stringify({ type: 4, data: { content: 'Pong! Latency: 41ms', allowed_mentions: { parse: [] } } });
    const path = '/api/v10/interactions/1234567890123456789/' + 'x'.repeat(160) + '/callback';
    const one = () => new Promise((resolve, reject) => {
      const request = http.request({ hostname: '127.0.0.1', port: ${port}, path, method: 'POST', agent,
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'DiscordBot (x, 0.1.0)', 'Content-Length': String(Buffer.byteLength(body)) } },
        (response) => { response.on('data', () => {}); response.on('end', resolve); response.on('error', reject); });
      request.on('error', reject);
      request.end(body);
    });
    (async () => { for (let i = 0; i < 500; i++) await one(); console.log('MARK'); for (let i = 0; i < 3000; i++) await one(); })();
  `;
  const run = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [...START_FLAGS, '--trace-gc', '-e', client], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    child.on('exit', () => resolve(text));
  });
  server.close();
  const { collections, mb } = gcTotals(run.slice(run.indexOf('MARK')));
  console.log(
    `node:http client alone: 3000 requests, ${collections} collections, ${round(mb, 1)} MB allocated, ${round((mb * 1024) / 3000, 1)} KB per request`,
  );
  process.exit(0);
}

const rate = Number(process.env.RATE ?? 500);
const command = process.env.CMD ?? 'ping';
const discord = await startFakeDiscord({ guilds: 1, openApi: false, heartbeatIntervalMs: 5000 });
const child = spawn(process.execPath, [...START_FLAGS, '--trace-gc', BUNDLE], {
  env: {
    ...START_ENV,
    PATH: process.env.PATH ?? '',
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    CONFIG_DIR: writeConfigDir({ order_cooldown_seconds: 0, daily_order_limit: 10_000 }),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-alloc-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
  output += chunk;
});
try {
  // Ready is an info line; at LOG_LEVEL=warn there is none, so wait for the gateway's first answer.
  await discord.waitFor(() => (discord.requests.length > 0 ? true : undefined), 15_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await load(discord, 200, 2, command);
  const mark = output.length;
  const result = await load(discord, rate, 4, command);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { collections, fullCollections, mb, promotedMb } = gcTotals(output.slice(mark));
  console.log(
    `${command} at ${rate}/s, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}: ${result.sent} interactions, ${collections} collections (${fullCollections} full), ${round(mb, 1)} MB allocated, ${round((mb * 1024) / result.sent, 1)} KB per interaction, ${round((promotedMb * 1024) / result.sent, 2)} KB per interaction promoted to the old generation`,
  );
} finally {
  child.kill('SIGKILL');
  await discord.close();
}
