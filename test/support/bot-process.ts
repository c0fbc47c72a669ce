/**
 * @module test/support/bot-process
 * Runs the built bot (`dist/main.js`) as a child process, the way production does, and reads
 * its JSON log lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Options for {@link startBot}. */
export interface BotOptions {
  env: Record<string, string | undefined>;
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

/** Starts `node dist/main.js` with exactly the given environment (plus PATH). */
export function startBot(options: BotOptions): BotProcess {
  const npmStart = options.asNpmStart ? startCommand() : undefined;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...npmStart?.env };
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  const child = spawn(process.execPath, [...(npmStart?.flags ?? []), ...(options.nodeArgs ?? []), BUNDLE], {
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'order-bot-cwd-')),
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
    child.on('exit', (code, signal) => {
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
