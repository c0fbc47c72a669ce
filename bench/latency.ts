/**
 * `npm run bench:latency`: /ping round trips of three bots on the same fake Discord, side by side:
 * this bot (the production bundle, started as `npm start` starts it), the discord.py bot the
 * product was first specified in (`bench/dpy-bot.py`: Debian's python3-discord 2.2, Python 3.11),
 * and a discord.js v14 bot (`bench/djs-bot.mjs`). Runs are interleaved (this bot, discord.py,
 * discord.js, then again), each in a fresh process against a fresh fake, 3 runs by default
 * (`-- --runs N`), and each figure is shown as the median with the range over the runs.
 *
 * The round trip is measured at the fake: INTERACTION_CREATE written to the socket until the
 * callback request reaches its REST server. Prints a Markdown table.
 */
import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EN } from '../src/i18n/translate.ts';
import { DEFAULT_FORM } from '../src/order/form.ts';
import { buildModal } from '../src/order/ui.ts';
import type { TraceFile } from '../src/trace.ts';
import { BUNDLE, ROOT, writeConfigDir } from '../test/support/bot-process.ts';
import { startFakeDiscord } from '../test/support/fake-discord.ts';
import { load, percentile, round } from './load.ts';
import { START_ENV, START_FLAGS, START_TEXT } from './start.ts';

const RATES = [100, 500, 1000];
/** Seconds of /ping per rate: 800 answers at 100/s, so a p99 is not decided by 4 samples. */
const PING_SECONDS = 8;

/**
 * Not measured, before the steps: 2,500 /pings at 500/s, the same for every bot. V8 was still
 * compiling Node's stream, timer and socket functions after the 400 of earlier runs (about 30
 * optimizations in the next 4 s, `--trace-opt`), and each compile on a helper thread takes CPU from
 * the bot while it answers; a bot that runs for days answers in its steady state.
 */
async function warmUp(discord: Awaited<ReturnType<typeof startFakeDiscord>>) {
  await load(discord, 500, 5);
}

/**
 * Where the processes run, with `BENCH_PIN=1` on a machine with 2 or more CPUs and `taskset`: the
 * bot under test alone on CPU 1 (every thread of it, as on a one-core VPS) and this process (the
 * fake Discord and the load) on CPU 0, so the load's timers and garbage collections cannot preempt
 * the bot being measured. Every bot is placed the same way. Off by default: on this 2-core VM it
 * did not make the comparison steadier, and a Node bot's compiler and GC then share its one core.
 */
const PIN =
  process.env.BENCH_PIN === '1' &&
  availableParallelism() >= 2 &&
  spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const PLACEMENT = PIN
  ? 'each bot alone on CPU 1 (taskset), the fake Discord and the load on CPU 0'
  : 'bot and load unpinned';

/** `command args` started on the bot's CPU. */
function onBotCpu(command: string, args: string[]): [string, string[]] {
  return PIN ? ['taskset', ['-c', '1', command, ...args]] : [command, args];
}

/** Runs `measure` with this process on CPU 0 (see {@link PIN}), then puts its affinity back. */
async function onLoadCpu<T>(measure: () => Promise<T>): Promise<T> {
  if (!PIN) return measure();
  const pid = String(process.pid);
  const mask = /: *([0-9a-f]+)\s*$/.exec(spawnSync('taskset', ['-p', pid], { encoding: 'utf8' }).stdout)?.[1];
  spawnSync('taskset', ['-a', '-p', '-c', '0', pid]);
  try {
    return await measure();
  } finally {
    if (mask) spawnSync('taskset', ['-a', '-p', mask, pid]);
  }
}
/** What each bot is measured on: /ping at each rate, then the first modal at 100/s. */
const STEPS = [
  ...RATES.map((rate) => ({ label: `/ping ${rate}/s`, rate, command: 'ping' })),
  { label: 'first modal 100/s', rate: 100, command: 'order_form' },
] as const;
type Step = (typeof STEPS)[number]['label'];
/** Debian's python3 (python3-discord is installed for it, not for other Pythons on PATH). */
const PYTHON = '/usr/bin/python3';

export type Subject = 'this bot' | 'discord.py' | 'discord.js';

function pythonReady(): boolean {
  const probe = spawnSync(PYTHON, [
    '-c',
    'import discord, sys; sys.exit(0 if discord.version_info >= (2, 2) else 1)',
  ]);
  return probe.status === 0;
}

/**
 * Starts a bot. Its output goes to a file that this process reads only until the bot says it is
 * ready: a pipe read here would wake the fake Discord's process once per log line of the bot, in
 * the middle of the round trips it is timing (this bot logs every interaction; the peers do not).
 */
function start(subject: Subject, env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', ...env };
  const output = join(mkdtempSync(join(tmpdir(), 'order-bot-bench-out-')), 'output.log');
  const out = openSync(output, 'w');
  const stdio: StdioOptions = ['ignore', out, out];
  const child =
    subject === 'this bot'
      ? spawn(...onBotCpu(process.execPath, [...START_FLAGS, BUNDLE]), {
          env: {
            ...START_ENV,
            ...base,
            CONFIG_DIR: writeConfigDir({ order_cooldown_seconds: 0, daily_order_limit: 10_000 }),
            // BENCH_LOG_LEVEL=warn measures the bot without its per-interaction info lines.
            LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
            DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-latency-')),
          },
          stdio,
        })
      : subject === 'discord.py'
        ? spawn(...onBotCpu(PYTHON, [join(ROOT, 'bench/dpy-bot.py')]), {
            env: base,
            stdio,
          })
        : spawn(...onBotCpu(process.execPath, [join(ROOT, 'bench/djs-bot.mjs')]), {
            env: {
              ...base,
              BENCH_PORT: '0',
              BENCH_MODAL: JSON.stringify(buildModal(EN, DEFAULT_FORM, 1, 'bench')),
            },
            stdio,
          });
  closeSync(out);
  const ready = new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (readFileSync(output, 'utf8').includes('"bot.ready"')) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(poll);
      reject(
        new Error(
          `${subject} exited with ${code} before ready:\n${readFileSync(output, 'utf8').slice(-2000)}`,
        ),
      );
    });
  });
  return { child, ready };
}

interface Run {
  subject: Subject;
  /** /ping at a rate, or the first modal (/order_form) at 100/s. */
  step: Step;
  p50: number;
  p99: number;
  max: number;
  unanswered: number;
}

async function measure(subject: Subject): Promise<Run[]> {
  const discord = await startFakeDiscord({ guilds: 1, openApi: false, heartbeatIntervalMs: 5000 });
  const bot = start(subject, {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GATEWAY_URL: discord.gatewayUrl,
  });
  try {
    await bot.ready;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await warmUp(discord);
    const runs: Run[] = [];
    for (const step of STEPS) {
      const result = await load(discord, step.rate, step.command === 'ping' ? PING_SECONDS : 2, step.command);
      runs.push({
        subject,
        step: step.label,
        p50: result.p50,
        p99: result.p99,
        max: result.max,
        unanswered: result.unanswered,
      });
    }
    return runs;
  } finally {
    bot.child.kill('SIGKILL');
    await discord.close();
  }
}

/** The shared clock of the trace (see src/trace.ts): this process's performance.now() on it. */
const shared = (hr: number) => performance.timeOrigin + hr;

const SEGMENTS = [
  ['written by the fake -> socket read', (t: number[], sent: number) => t[0]! - sent],
  ['read -> dispatched (ws framing, JSON.parse, @discordjs/ws)', (t: number[]) => t[1]! - t[0]!],
  ['dispatched -> handler starts', (t: number[]) => t[2]! - t[1]!],
  ['handler -> answer queued', (t: number[]) => t[3]! - t[2]!],
  ['queued -> request written', (t: number[]) => t[4]! - t[3]!],
  ['written -> fake REST has it', (t: number[], _sent: number, arrived: number) => arrived - t[4]!],
  ['round trip', (_t: number[], sent: number, arrived: number) => arrived - sent],
] as const;

interface BreakdownStep {
  rate: number;
  /** Per segment: every interaction's time in it (ms), same order as SEGMENTS. */
  segments: number[][];
  /** The round-trip rank order, to read the slowest 1%. */
  totals: number[];
  gc: { count: number; totalMs: number; maxMs: number };
  loopDelay: { p99: number; max: number } | undefined;
}

/**
 * The round trip of this bot, cut into stages (`ORDERBOT_TRACE`, src/trace.ts), at each rate: the
 * bot stamps each interaction at socket read, dispatch, handler start, answer queued and request
 * written; the fake stamps when it wrote the event and when the callback reached it.
 */
async function traced(): Promise<BreakdownStep[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'order-bot-trace-')), 'trace.json');
  const discord = await startFakeDiscord({ guilds: 1, openApi: false, heartbeatIntervalMs: 5000 });
  const bot = start('this bot', {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GATEWAY_URL: discord.gatewayUrl,
    ORDERBOT_TRACE: file,
  });
  const exited = new Promise((resolve) => bot.child.once('exit', resolve));
  const steps: {
    rate: number;
    from: number;
    to: number;
    entries: Awaited<ReturnType<typeof load>>['entries'];
  }[] = [];
  try {
    await bot.ready;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await warmUp(discord);
    for (const rate of RATES) {
      bot.child.kill('SIGUSR2'); // marks the event-loop delay (the trace resets it)
      await new Promise((resolve) => setTimeout(resolve, 100));
      const from = shared(performance.now());
      const result = await load(discord, rate, PING_SECONDS);
      const to = shared(performance.now());
      bot.child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 100));
      steps.push({ rate, from, to, entries: result.entries });
    }
  } finally {
    bot.child.kill('SIGTERM'); // a clean exit writes the trace
    const timer = setTimeout(() => bot.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    await discord.close();
  }
  if (!existsSync(file)) throw new Error('the bot wrote no trace (ORDERBOT_TRACE)');
  const trace = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
  return steps.map(({ rate, from, to, entries }) => {
    const segments: number[][] = SEGMENTS.map(() => []);
    const totals: number[] = [];
    for (const entry of entries) {
      const stamps = trace.interactions[String(entry.interaction.id)];
      if (!stamps || entry.callbackAtHr === undefined || stamps.some((t) => t === 0)) continue;
      const sent = shared(entry.sentAtHr);
      const arrived = shared(entry.callbackAtHr);
      SEGMENTS.forEach(([, of], i) => {
        segments[i]!.push(of(stamps, sent, arrived));
      });
      totals.push(arrived - sent);
    }
    const pauses = trace.gc.filter(([at]) => at >= from && at <= to).map(([, ms]) => ms);
    const mark = trace.loopDelay.find((m) => m.at >= to);
    return {
      rate,
      segments,
      totals,
      gc: {
        count: pauses.length,
        totalMs: pauses.reduce((a, b) => a + b, 0),
        maxMs: pauses.length ? Math.max(...pauses) : 0,
      },
      loopDelay: mark ? { p99: mark.p99, max: mark.max } : undefined,
    };
  });
}

function breakdownTable(runs: BreakdownStep[][]): string {
  const lines = [
    `Round trip of this bot cut into stages (ORDERBOT_TRACE; ${runs.length} run(s) pooled; ${PLACEMENT}): p50 / p99 ms, and the mean of each stage among the slowest 1% of answers.`,
    '',
    `| stage | ${RATES.map((r) => `${r}/s p50 / p99`).join(' | ')} | ${RATES.map((r) => `${r}/s slowest 1%`).join(' | ')} |`,
    `| --- | ${RATES.map(() => '---:').join(' | ')} | ${RATES.map(() => '---:').join(' | ')} |`,
  ];
  const pooled = RATES.map((rate) => {
    const steps = runs.flat().filter((s) => s.rate === rate);
    const segments = SEGMENTS.map((_, i) => steps.flatMap((s) => s.segments[i]!));
    const totals = steps.flatMap((s) => s.totals);
    const cut = percentile(totals, 99);
    const slow = totals.map((t, i) => (t >= cut ? i : -1)).filter((i) => i >= 0);
    return { steps, segments, slow };
  });
  SEGMENTS.forEach(([name], i) => {
    const cells = pooled.map(
      (p) => `${round(percentile(p.segments[i]!, 50), 3)} / ${round(percentile(p.segments[i]!, 99), 2)}`,
    );
    const slow = pooled.map((p) =>
      p.slow.length
        ? round(p.slow.reduce((sum, j) => sum + p.segments[i]![j]!, 0) / p.slow.length, 2)
        : 'n/a',
    );
    lines.push(`| ${name} | ${cells.join(' | ')} | ${slow.join(' | ')} |`);
  });
  const gc = pooled.map((p) =>
    p.steps
      .map((s) => `${s.gc.count} GCs, ${round(s.gc.totalMs, 1)} ms, longest ${round(s.gc.maxMs, 2)}`)
      .join('; '),
  );
  const delay = pooled.map((p) =>
    p.steps
      .map((s) =>
        s.loopDelay ? `p99 ${round(s.loopDelay.p99, 2)}, max ${round(s.loopDelay.max, 2)}` : 'n/a',
      )
      .join('; '),
  );
  lines.push(`| GC pauses during the step (${PING_SECONDS} s) | ${gc.join(' | ')} | | | |`);
  lines.push(`| event-loop delay during the step (ms) | ${delay.join(' | ')} | | | |`);
  return lines.join('\n');
}

/** Which bots can be measured here: this bot and discord.js always, discord.py when installed. */
export function peers(thisBotOnly = false): Subject[] {
  if (thisBotOnly) return ['this bot'];
  if (pythonReady()) return ['this bot', 'discord.py', 'discord.js'];
  process.stderr.write(
    'discord.py 2.2 is not installed for /usr/bin/python3, so it is left out. Install it with: sudo apt-get install python3-discord\n',
  );
  return ['this bot', 'discord.js'];
}

/** The bots side by side: `runs` interleaved runs, each in a fresh process against a fresh fake. */
export async function compareBots(runs: number, subjects: Subject[]) {
  const all: Run[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const subject of subjects) {
      process.stderr.write(`latency run ${run}/${runs}: ${subject}...\n`);
      all.push(...(await onLoadCpu(() => measure(subject))));
    }
  }
  const sorted = (subject: Subject, step: Step, key: 'p50' | 'p99' | 'max') =>
    all
      .filter((r) => r.subject === subject && r.step === step)
      .map((r) => r[key])
      .sort((a, b) => a - b);
  const median = (values: number[]) => values[Math.floor(values.length / 2)]!;
  const cell = (values: number[]) =>
    `${round(median(values))} (${round(values[0]!)}–${round(values.at(-1)!)})`;
  const peerHeads = subjects.filter((s) => s !== 'this bot');
  const rows = [
    `| step | bot | p50 ms | p99 ms | worst ms | unanswered | ${peerHeads.map((p) => `p99 ${p} / this bot`).join(' | ')} |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ${peerHeads.map(() => '---:').join(' | ')} |`,
  ];
  const summary: Record<
    string,
    Record<string, { p50: number; p99: number; max: number; p99_range: number[] }>
  > = {};
  for (const { label } of STEPS) {
    for (const subject of subjects) {
      const p99 = sorted(subject, label, 'p99');
      const ratios =
        subject === 'this bot'
          ? peerHeads.map((peer) => `${round(median(sorted(peer, label, 'p99')) / median(p99))}x`)
          : peerHeads.map(() => '');
      const unanswered = all
        .filter((r) => r.subject === subject && r.step === label)
        .reduce((n, r) => n + r.unanswered, 0);
      rows.push(
        `| ${label} | ${subject} | ${cell(sorted(subject, label, 'p50'))} | ${cell(p99)} | ${cell(sorted(subject, label, 'max'))} | ${unanswered} | ${ratios.join(' | ')} |`,
      );
      summary[label] ??= {};
      summary[label]![subject] = {
        p50: round(median(sorted(subject, label, 'p50'))),
        p99: round(median(p99)),
        max: round(median(sorted(subject, label, 'max'))),
        p99_range: [round(p99[0]!), round(p99.at(-1)!)],
      };
    }
  }
  const markdown = [
    `Round trip (INTERACTION_CREATE written to the socket until the callback reaches the fake REST), ${runs} interleaved runs per bot, one fresh process each, ${PLACEMENT}; /ping for ${PING_SECONDS} s per rate; median (min–max) over the runs. Node ${process.version}; this bot started with: ${START_TEXT}.`,
    '',
    ...rows,
  ].join('\n');
  return { markdown, summary };
}

/** The round-trip breakdown of this bot, `runs` runs pooled. */
export async function breakdown(runs: number) {
  const all: BreakdownStep[][] = [];
  for (let run = 1; run <= runs; run++) {
    process.stderr.write(`breakdown run ${run}/${runs}...\n`);
    all.push(await onLoadCpu(traced));
  }
  return breakdownTable(all);
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'this-bot-only': { type: 'boolean' },
      'breakdown-only': { type: 'boolean' },
    },
  });
  const runs = Number(values.runs);
  if (values['breakdown-only']) {
    console.log(await breakdown(runs));
    return;
  }
  const { markdown } = await compareBots(runs, peers(values['this-bot-only']));
  console.log(markdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
