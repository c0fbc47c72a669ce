/**
 * @module test/support/bot-process
 * Runs the built bot (`dist/main.js`) as a child process, the way production does, and reads
 * its JSON log lines. In a PostgreSQL run (`npm test -- --engine=postgres`, which sets
 * `ORDERBOT_TEST_ENGINE=postgres` and the URLs of the one PostgreSQL and Redis it started), every
 * bot keeps its orders on PostgreSQL and its forms in progress on Redis, in a database of its own
 * named after its data folder, so a bot started again on the same folder finds its orders again.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrderEngine, OrderRepository, StoredOrder } from '../../src/store/engine.ts';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The production bundle. */
export const BUNDLE = join(ROOT, 'dist/main.js');

/**
 * How `npm start` runs the bot, read from package.json: the environment it sets (glibc's malloc
 * settings) and the Node flags. Benchmarks and the capacity test run the bot exactly so.
 */
export function startCommand(): { env: Record<string, string>; flags: string[]; script: string } {
  const script = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const parts = script.split(/\s+/);
  const env = Object.fromEntries(
    parts
      .filter((part) => /^[A-Z_][A-Z0-9_]*=/.test(part))
      .map((part) => part.split('=', 2) as [string, string]),
  );
  return { env, flags: parts.filter((part) => part.startsWith('--')), script };
}

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { event: string; level: string };

/** Writes a config folder: the shipped files with `overrides` applied to config.json. */
export function writeConfigDir(
  overrides: Record<string, unknown> = {},
  template?: Record<string, unknown>,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-config-'));
  const base = JSON.parse(readFileSync(join(ROOT, 'config/defaults/config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base, ...overrides }, null, 2));
  if (template) writeFileSync(join(dir, 'email_template.json'), JSON.stringify(template, null, 2));
  else copyFileSync(join(ROOT, 'config/defaults/email_template.json'), join(dir, 'email_template.json'));
  return dir;
}

/**
 * The environment of a bot wired to a fake Discord and a test SMTP server (whose certificate it
 * trusts), with the shop's login and a fresh config folder: the shipped config plus `config`.
 */
export function shopEnv(
  discord: { token: string; apiUrl: string },
  smtp: { host: string; port: number; certPath: string },
  config: Record<string, unknown> = {},
): Record<string, string> {
  return {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    CONFIG_DIR: writeConfigDir({ smtp_server: smtp.host, smtp_port: smtp.port, ...config }),
    SENDER_EMAIL: 'shop@example.test',
    SENDER_PASSWORD: 'app-password',
    NODE_EXTRA_CA_CERTS: smtp.certPath,
  };
}

/** Which engine the bots of this run keep their orders on (`ORDERBOT_TEST_ENGINE`, set by scripts/test.mjs). */
export const TEST_ENGINE: 'sqlite' | 'postgres' =
  process.env.ORDERBOT_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** The URL of the run's PostgreSQL for `database` (the admin URL with its database replaced). */
function postgresUrl(database: string): string {
  const admin = process.env.ORDERBOT_TEST_DATABASE_ADMIN_URL;
  if (!admin) {
    throw new Error(
      'ORDERBOT_TEST_ENGINE=postgres needs the PostgreSQL that scripts/test.mjs starts: run npm test -- --engine=postgres',
    );
  }
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The newest psql of Debian's PostgreSQL packages (the one the run's server comes from). */
function psql(): string {
  try {
    const [newest] = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    if (newest) return `/usr/lib/postgresql/${newest}/bin/psql`;
  } catch {
    // not Debian's layout: psql on PATH
  }
  return 'psql';
}

/** Databases this process has made, by name. */
const created = new Set<string>();

/**
 * The PostgreSQL database of the bots on `dataDir`, made on first use (synchronously, with psql):
 * named after a hash of the folder's path, so bots started again on the same folder share it.
 */
export function databaseFor(dataDir: string): string {
  const name = `orderbot_${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 24)}`;
  if (created.has(name)) return postgresUrl(name);
  const admin = postgresUrl('postgres');
  const exists = spawnSync(
    psql(),
    ['-X', '-q', '-t', '-A', '-d', admin, '-c', `SELECT 1 FROM pg_database WHERE datname = '${name}'`],
    { encoding: 'utf8' },
  );
  if (exists.status !== 0) throw new Error(`psql failed: ${exists.stderr || String(exists.error)}`);
  if (exists.stdout.trim() !== '1') {
    const made = spawnSync(psql(), ['-X', '-q', '-d', admin, '-c', `CREATE DATABASE ${name}`], {
      encoding: 'utf8',
    });
    if (made.status !== 0 && !/already exists/.test(made.stderr)) {
      throw new Error(`psql could not create database ${name}: ${made.stderr || String(made.error)}`);
    }
  }
  created.add(name);
  return postgresUrl(name);
}

/**
 * The orders of the bots on `dataDir`, read through the engine they used: the SQLite file in the
 * folder, or in a PostgreSQL run their database. Close it when done.
 */
export async function ordersAt(
  dataDir: string,
  engine: 'sqlite' | 'postgres' = TEST_ENGINE,
): Promise<OrderEngine> {
  if (engine === 'sqlite') {
    const { openDatabase } = await import('../../src/store/database.ts');
    const { createSqliteEngine } = await import('../../src/store/sqlite.ts');
    return createSqliteEngine(openDatabase(dataDir));
  }
  const { createPostgresEngine } = await import('../../src/store/postgres.ts');
  return createPostgresEngine({ url: databaseFor(dataDir), poolSize: 2 });
}

/**
 * The environment that points a CLI (`npm run orders`) at the store of the bots on `dataDir`:
 * `DATA_DIR`, and in a PostgreSQL run their `DATABASE_URL`.
 */
export function storeEnv(
  dataDir: string,
  engine: 'sqlite' | 'postgres' = TEST_ENGINE,
): Record<string, string> {
  return engine === 'postgres'
    ? { DATA_DIR: dataDir, DATABASE_URL: databaseFor(dataDir) }
    : { DATA_DIR: dataDir };
}

/**
 * Makes a restart after a SIGKILL find the same on both engines: SQLite keeps job claims in the
 * process (they end with it), PostgreSQL in the jobs table until their lease runs out (2 minutes),
 * so that no process takes a job a live one holds. In a PostgreSQL run this ends the claims in the
 * database of the bots on `dataDir`, as their lease running out would; call it only when no bot
 * on that folder runs.
 */
export function endClaimsOfKilledBot(dataDir: string, engine: 'sqlite' | 'postgres' = TEST_ENGINE): void {
  if (engine !== 'postgres') return;
  const sql = `UPDATE jobs SET locked_until = 0 WHERE status = 'pending' AND locked_until > ${Date.now()}`;
  const ended = spawnSync(psql(), ['-X', '-q', '-d', databaseFor(dataDir), '-c', sql], { encoding: 'utf8' });
  if (ended.status !== 0) throw new Error(`psql failed: ${ended.stderr || String(ended.error)}`);
}

/** Reads the orders of the bots on `dataDir` (see {@link ordersAt}) with `read`, then closes the store. */
export async function readOrders<T>(
  dataDir: string,
  read: (orders: OrderRepository) => Promise<T>,
  engine: 'sqlite' | 'postgres' = TEST_ENGINE,
): Promise<T> {
  const store = await ordersAt(dataDir, engine);
  try {
    return await read(store.orders);
  } finally {
    await store.close();
  }
}

/** Resolves with the orders of the bots on `dataDir`, newest first, once `check` holds for them. */
export async function waitForOrders(
  dataDir: string,
  check: (orders: StoredOrder[]) => boolean,
  timeoutMs = 5000,
): Promise<StoredOrder[]> {
  const store = await ordersAt(dataDir);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const orders = await store.orders.list();
      if (check(orders)) return orders;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the orders in ${dataDir}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await store.close();
  }
}

/** Options for {@link startBot}. */
export interface BotOptions {
  env: Record<string, string | undefined>;
  /**
   * The engine for a test about one of them: `'sqlite'` keeps the bot on SQLite in a PostgreSQL
   * run too. @defaultValue the run's ({@link TEST_ENGINE}); a bot whose `env` names
   * `DATABASE_URL` or `REDIS_URL` (even as undefined) gets exactly that.
   */
  engine?: 'sqlite' | 'postgres';
  /** Extra node flags. */
  nodeArgs?: string[];
  /** Start it as `npm start` does: its malloc settings and Node flags (before `env` and `nodeArgs`). */
  asNpmStart?: boolean;
  cwd?: string;
  /** Run as this user and group (needs root). */
  uid?: number;
  gid?: number;
}

/** A running bot. */
export interface BotProcess {
  child: ChildProcess;
  logs: LogLine[];
  stdout: string[];
  stderr: string[];
  /** Resolves with the first log line with `event` (and matching `where`). */
  waitForLog(event: string, where?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node dist/main.js` with exactly the given environment (plus PATH), and in a PostgreSQL
 * run the `DATABASE_URL` of its data folder and the run's `REDIS_URL` (see {@link BotOptions.engine}).
 */
export function startBot(options: BotOptions): BotProcess {
  const npmStart = options.asNpmStart ? startCommand() : undefined;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...npmStart?.env };
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'order-bot-cwd-'));
  const engine = options.engine ?? TEST_ENGINE;
  if (engine === 'postgres' && !('DATABASE_URL' in options.env) && !('REDIS_URL' in options.env)) {
    // The bot's DATA_DIR as it resolves it (./data by default), so a restart finds the same database.
    env.DATABASE_URL = databaseFor(resolve(cwd, env.DATA_DIR ?? 'data'));
    const redis = process.env.ORDERBOT_TEST_REDIS_URL;
    if (!redis)
      throw new Error(
        'ORDERBOT_TEST_ENGINE=postgres needs ORDERBOT_TEST_REDIS_URL (npm test -- --engine=postgres)',
      );
    env.REDIS_URL = redis;
  }
  const child = spawn(process.execPath, [...(npmStart?.flags ?? []), ...(options.nodeArgs ?? []), BUNDLE], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  const logs: LogLine[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const lines = (stream: NodeJS.ReadableStream, into: string[], parse: boolean) => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let index = buffer.indexOf('\n');
      while (index >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 1);
        into.push(line);
        if (parse) {
          try {
            logs.push(JSON.parse(line) as LogLine);
          } catch {
            // not a log line
          }
        }
        for (const waiter of waiters) waiter();
        index = buffer.indexOf('\n');
      }
    });
    stream.on('end', () => {
      if (buffer) into.push(buffer);
      for (const waiter of waiters) waiter();
    });
  };
  lines(child.stdout!, stdout, true);
  lines(child.stderr!, stderr, false);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    // 'close', not 'exit': 'exit' may come before the last of stderr is read, and a test that
    // reads the bot's one-line error right after it exits then found it empty (seen in the
    // PostgreSQL pass: ".env the bot cannot read…").
    child.on('close', (code, signal) => {
      setImmediate(() => {
        for (const waiter of waiters) waiter();
      });
      done({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  return {
    child,
    logs,
    stdout,
    stderr,
    exited,
    waitForLog(event, where = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = logs.find((l) => l.event === event && where(l));
          if (line) {
            cleanup();
            resolve(line);
          } else if (hasExited) {
            cleanup();
            reject(
              new Error(
                `bot exited before logging ${event}\nstderr: ${stderr.join('\n')}\nstdout tail: ${stdout.slice(-5).join('\n')}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `timed out waiting for log ${event}\nstderr: ${stderr.join('\n')}\nstdout tail: ${stdout.slice(-5).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!hasExited) child.kill(signal);
      return exited;
    },
  };
}
