/**
 * @module test/support/postgres
 * A real, throw-away PostgreSQL server for tests: Debian's PostgreSQL 15 binaries run on a free
 * loopback port with trust authentication, the cluster and its unix socket in a temporary folder
 * that {@link RunningPostgres.stop} removes ({@link RunningPostgres.halt} and
 * {@link RunningPostgres.restart} stop and start the same server, its data kept: an outage). The server refuses to run as root, so under root the
 * folder belongs to the `postgres` user and the binaries run as that user (spawn's `uid`/`gid`,
 * which drops root's groups too). Durability is switched off (`fsync`, `synchronous_commit`):
 * the tests check behaviour, not flushes.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The newest PostgreSQL installed from Debian's packages (15 on bookworm). */
const BIN = (() => {
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    return `/usr/lib/postgresql/${versions[0] ?? '15'}/bin`;
  } catch {
    return '/usr/lib/postgresql/15/bin';
  }
})();

/** A server started by {@link startPostgres}. */
export interface RunningPostgres {
  /** A connection URL for the `postgres` superuser and database. */
  readonly url: string;
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
  /** Stops the server (fast shutdown) and keeps its folder: {@link restart} brings the same data back. */
  halt(): Promise<void>;
  /** Stops the server if it runs (keeping its folder) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Creates a new, empty database on this server; resolves to its URL. */
  freshDatabase(): Promise<string>;
  /**
   * Freezes the server and every backend (SIGSTOP): connections stay open and nothing answers, as
   * with a host that hangs or a network that drops packets. {@link thaw} lets it go on.
   */
  freeze(): void;
  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void;
}

/** Sends `signal` to `pid` and its children; one that ended meanwhile is skipped. */
function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const each of processTree(pid)) {
    try {
      process.kill(each, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** `pid` and its children (PostgreSQL's backends are children of the postmaster), from /proc. */
function processTree(pid: number): number[] {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // the process ended meanwhile
      }
    })
    .map(Number);
  return [pid, ...children];
}

/** Runs one query on `url` with a connection of its own (closed after, whatever happened). */
export async function query(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** The number in column `n` of the first row `text` returns on `url`. */
export async function count(url: string, text: string, params: unknown[] = []): Promise<number> {
  return Number((await query(url, text, params)).rows[0]?.n);
}

/** A free TCP port on 127.0.0.1 (free when asked; the server binds it right after). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** The uid and gid to run the binaries as: `postgres` under root, else the current user. */
function account(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Starts a fresh PostgreSQL 15 cluster; rejects with one line when the binaries are missing. */
export async function startPostgres(): Promise<RunningPostgres> {
  if (!existsSync(join(BIN, 'postgres'))) {
    throw new Error(`PostgreSQL is not installed (${BIN}/postgres): apt-get install postgresql`);
  }
  const user = account();
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-pg-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(socket, user.uid, user.gid);
  }
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', HOME: dir };
  try {
    execFileSync(
      join(BIN, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      { ...as, env, stdio: 'pipe' },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`initdb failed: ${stderr ?? String(error)}`);
  }

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let output = '';

  /** Stops the running server, if any (fast shutdown: clients are disconnected); keeps the folder. */
  const halt = async () => {
    const running = server;
    server = undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      // A frozen server (freeze()) must run again to shut down.
      if (running.pid) signalTree(running.pid, 'SIGCONT');
      running.kill('SIGINT');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };

  /** Starts the server on `port` and `data`; resolves once it answers, rejects (stopped) if it does not. */
  const launch = async () => {
    const child: ChildProcess = spawn(
      join(BIN, 'postgres'),
      [
        ['-D', data],
        ['-p', String(port)],
        ['-k', socket],
        ['-c', 'listen_addresses=127.0.0.1'],
        ['-c', 'fsync=off'],
        ['-c', 'synchronous_commit=off'],
        ['-c', 'full_page_writes=off'],
        ['-c', 'max_connections=200'],
      ].flat(),
      { ...as, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    server = child;
    exited = once(child, 'exit');

    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await halt();
        throw new Error(`postgres exited at start-up: ${output.trim()}`);
      }
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => {});
        if (Date.now() > deadline) {
          await halt();
          throw new Error(
            `postgres did not accept connections within 20 s (${String(error)}): ${output.trim()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let databases = 0;
  return {
    url,
    stop,
    halt,
    async restart() {
      await halt();
      await launch();
    },
    freeze() {
      if (!server?.pid) throw new Error('postgres is not running');
      signalTree(server.pid, 'SIGSTOP');
    },
    thaw() {
      if (!server?.pid) throw new Error('postgres is not running');
      signalTree(server.pid, 'SIGCONT');
    },
    async freshDatabase() {
      const name = `test_${++databases}`;
      await query(url, `CREATE DATABASE ${name}`);
      return url.replace(/\/postgres$/, `/${name}`);
    },
  };
}
