/**
 * @module health
 * Optional HTTP endpoints for uptime monitors and Prometheus, on 127.0.0.1 by default:
 * `/healthz` (200 when healthy, else 503, with a small JSON body) and `/metrics` (text format
 * 0.0.4). {@link judgeHealth} decides what health means from the figures the composition reads;
 * the server only serves it, and an error while reading them is a 503, never a crash.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.ts';

/** One health answer. */
export interface HealthReport {
  ok: boolean;
  body: Readonly<Record<string, unknown>>;
}

/** The figures health is judged on. */
export interface HealthInputs {
  shardsReady: number;
  shardsTotal: number;
  guilds: number;
  /** The store's latest write: failing since when, and why. */
  storeWrites: { ok: true } | { ok: false; since: number; error: string };
  /** The outbox worker: paused while job outcomes cannot be written. */
  outbox: { paused: false } | { paused: true; since: number; error: string };
  smtp: string;
  jobsPending: number;
  jobsRetrying: number;
  jobsFailed: number;
  /** Age of the oldest pending job, ms (0 when none). */
  oldestPendingMs: number;
  uptimeMs: number;
}

/** A delivery job pending longer than this makes /healthz report "degraded". */
export const STUCK_JOB_MS = 10 * 60_000;

/**
 * 200 only while orders can be saved and delivered: every shard ready, writes succeeding, the
 * outbox not paused, the mail server not down while deliveries fail, and no job stuck. Every
 * reason that holds is listed (`problems`); ages are never negative.
 */
export function judgeHealth(input: HealthInputs): HealthReport {
  const connected = input.shardsTotal > 0 && input.shardsReady === input.shardsTotal;
  const problems: string[] = [];
  if (!input.storeWrites.ok) {
    problems.push(`orders cannot be saved: the database refuses writes (${input.storeWrites.error})`);
  }
  if (input.outbox.paused) {
    problems.push(`deliveries are paused: their outcomes cannot be written (${input.outbox.error})`);
  }
  if (input.smtp === 'down' && (input.jobsFailed > 0 || input.jobsRetrying > 0)) {
    problems.push('the mail server is down and deliveries have failed');
  }
  const oldest = Math.max(0, input.oldestPendingMs);
  if (oldest > STUCK_JOB_MS) problems.push('a delivery job has been pending for more than 10 minutes');
  return {
    ok: connected && problems.length === 0,
    body: {
      status: problems.length > 0 ? 'degraded' : connected ? 'ok' : 'starting',
      ...(problems.length > 0 ? { problem: problems[0], problems } : {}),
      shards_ready: input.shardsReady,
      shards_total: input.shardsTotal,
      guilds: input.guilds,
      smtp: input.smtp,
      store_writes: input.storeWrites.ok ? 'ok' : 'failing',
      outbox: input.outbox.paused ? 'paused' : 'running',
      outbox_pending: input.jobsPending,
      outbox_retrying: input.jobsRetrying,
      outbox_failed: input.jobsFailed,
      outbox_oldest_pending_seconds: Math.floor(oldest / 1000),
      uptime_seconds: Math.max(0, Math.floor(input.uptimeMs / 1000)),
    },
  };
}

/** What the endpoints serve. */
export interface HealthSources {
  health(): HealthReport;
  /** The Prometheus text. */
  metrics(): string;
  log: Logger;
}

/** Starts the health server; resolves once it listens. */
export async function startHealthServer(
  sources: HealthSources,
  host: string,
  port: number,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      let report: HealthReport;
      try {
        report = sources.health();
      } catch (error) {
        // A damaged database page, say: unhealthy, and the bot keeps running.
        sources.log.error('health.check_failed', { error });
        report = {
          ok: false,
          body: {
            status: 'degraded',
            problem: `the health figures cannot be read: ${error instanceof Error ? error.message : String(error)}`,
          },
        };
      }
      res
        .writeHead(report.ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(JSON.stringify(report.body));
      return;
    }
    if (path === '/metrics') {
      let text: string;
      try {
        text = sources.metrics();
      } catch (error) {
        sources.log.error('metrics.read_failed', { error });
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address() as AddressInfo;
  sources.log.info('health.listening', { host: address.address, port: address.port });
  return server;
}
