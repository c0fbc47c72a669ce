/**
 * @module test/support/redis
 * A real `redis-server` on 127.0.0.1 for tests: a free port, no persistence, a temporary working
 * directory, and switches to stop it and start it again on the same port (an empty Redis, as
 * after a restart without persistence).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running test Redis. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its directory; calls on it then fail. */
  stop(): Promise<void>;
  /** Stops the server if it runs and starts an empty one on the same port. */
  restart(): Promise<void>;
}

const SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** Starts `redis-server` on a free port and resolves once it answers PING. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let dir: string | undefined;

  const start = async () => {
    dir = mkdtempSync(join(tmpdir(), 'order-bot-redis-'));
    const server = spawn(
      SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    const exited = new Promise<never>((_resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT' ? new Error(`${SERVER} not found: apt-get install redis-server`) : error,
        ),
      );
      server.once('exit', (code, signal) =>
        reject(new Error(`redis-server exited (${signal ?? code}) before answering PING:\n${output}`)),
      );
    });
    exited.catch(() => {});
    child = server;
    await Promise.race([waitForPing(port), exited]);
  };

  const stop = async () => {
    const server = child;
    child = undefined;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exit = once(server, 'exit');
      server.kill('SIGTERM');
      const killer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };

  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}

/** A port that was free a moment ago. */
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

/** Resolves once the server answers PING with PONG; rejects after 10 s. */
async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
    await sleep(20);
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
