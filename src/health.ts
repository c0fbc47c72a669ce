/**
 * @module health
 * Optional HTTP endpoints for uptime monitors and Prometheus, on 127.0.0.1 by default:
 * `/healthz` (200 when healthy, else 503, with a small JSON body) and `/metrics` (text format
 * 0.0.4). What they say comes from the composition (`ops/health.ts` judges health from the
 * operations snapshot); the server only serves it, and an error while reading is a 503, never a
 * crash.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.ts';

/** One health answer. */
export interface HealthReport {
  ok: boolean;
  body: Readonly<Record<string, unknown>>;
}

/** What the endpoints serve. */
export interface HealthSources {
  health(): Promise<HealthReport>;
  /** The Prometheus text. */
  metrics(): Promise<string>;
  log: Logger;
}

/** The request listener of `/healthz` and `/metrics` (also used by a port shared with the interactions endpoint). */
export function createHealthListener(sources: HealthSources): http.RequestListener {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      let report: HealthReport;
      try {
        report = await sources.health();
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
        text = await sources.metrics();
      } catch (error) {
        sources.log.error('metrics.read_failed', { error });
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  };
}

/** Starts the health server; resolves once it listens. */
export async function startHealthServer(
  sources: HealthSources,
  host: string,
  port: number,
): Promise<http.Server> {
  const server = http.createServer(createHealthListener(sources));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address() as AddressInfo;
  sources.log.info('health.listening', { host: address.address, port: address.port });
  return server;
}
