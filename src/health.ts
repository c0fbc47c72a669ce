/**
 * @module health
 * Optional HTTP endpoints for uptime monitors and Prometheus, on 127.0.0.1 by default:
 * `/healthz` (200 when every shard is ready, else 503) and `/metrics` (text format 0.0.4).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.ts';
import type { Mailer } from './mail/mailer.ts';
import type { BotStats } from './metrics.ts';
import type { SessionStore } from './sessions.ts';

/** What the endpoints read. */
export interface HealthDeps {
  stats: BotStats;
  sessions: SessionStore;
  mailer: Mailer;
  log: Logger;
  now?: () => number;
}

/** Renders the Prometheus text exposition. */
export function renderMetrics(deps: HealthDeps): string {
  const { stats, sessions, mailer } = deps;
  const now = deps.now ?? Date.now;
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples)
      out.push(`${name}${labels} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  const { gateway, counters } = stats;
  const mail = mailer.status();
  metric('orderbot_uptime_seconds', 'gauge', 'Seconds since the bot started.', [
    ['', (now() - stats.startedAt) / 1000],
  ]);
  metric('orderbot_shards_ready', 'gauge', 'Gateway shards that are ready.', [['', gateway.shardsReady()]]);
  metric('orderbot_shards_total', 'gauge', 'Gateway shards this process runs.', [['', gateway.shardTotal()]]);
  metric('orderbot_guilds', 'gauge', 'Servers the bot is in.', [['', gateway.guilds()]]);
  metric('orderbot_users_approximate', 'gauge', 'Sum of member counts.', [['', gateway.users()]]);
  metric('orderbot_gateway_latency_ms', 'gauge', 'Average heartbeat round trip over shards.', [
    ['', gateway.latencyMs() ?? Number.NaN],
  ]);
  metric('orderbot_active_sessions', 'gauge', 'Order forms in progress.', [['', sessions.size]]);
  metric('orderbot_orders_total', 'counter', 'Order forms by outcome.', [
    ['{outcome="started"}', counters.orders_started],
    ['{outcome="completed"}', counters.orders_completed],
    ['{outcome="cancelled"}', counters.orders_cancelled],
    ['{outcome="expired"}', counters.orders_expired],
  ]);
  metric('orderbot_emails_total', 'counter', 'Confirmation emails by outcome.', [
    ['{outcome="sent"}', mail.sent],
    ['{outcome="failed"}', mail.failed],
    ['{outcome="gave_up"}', mail.gave_up],
    ['{outcome="retried"}', mail.retried],
  ]);
  metric('orderbot_email_queue', 'gauge', 'Emails accepted and not yet settled.', [['', mail.queued]]);
  metric('orderbot_smtp_up', 'gauge', '1 when the last SMTP contact worked.', [
    ['', mail.smtp === 'ok' ? 1 : 0],
  ]);
  metric('orderbot_interactions_total', 'counter', 'Interactions handled.', [['', counters.interactions]]);
  metric('orderbot_interaction_errors_total', 'counter', 'Interactions whose handler failed.', [
    ['', counters.interaction_errors],
  ]);
  metric('orderbot_answers_total', 'counter', 'Interaction answers that did not simply go out.', [
    ['{outcome="expired"}', stats.answers.expired],
    ['{outcome="rate_limited"}', stats.answers.rateLimited],
    ['{outcome="retried"}', stats.answers.retried],
  ]);
  metric('orderbot_answers_queued', 'gauge', 'Interaction answers waiting for a free connection.', [
    ['', stats.answers.queued],
  ]);
  const h = stats.interactionMs;
  out.push(
    '# HELP orderbot_interaction_duration_ms Time from an interaction arriving to its first answer leaving.',
    '# TYPE orderbot_interaction_duration_ms histogram',
  );
  for (const [i, bound] of h.bounds.entries()) {
    out.push(`orderbot_interaction_duration_ms_bucket{le="${bound}"} ${h.counts[i]}`);
  }
  out.push(`orderbot_interaction_duration_ms_bucket{le="+Inf"} ${h.count}`);
  out.push(
    `orderbot_interaction_duration_ms_sum ${h.sum}`,
    `orderbot_interaction_duration_ms_count ${h.count}`,
  );
  const memory = process.memoryUsage();
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', [['', memory.rss]]);
  metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', memory.heapUsed]]);
  return `${out.join('\n')}\n`;
}

/** Starts the health server; resolves once it listens. */
export async function startHealthServer(deps: HealthDeps, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const { gateway } = deps.stats;
      const ready = gateway.shardsReady();
      const total = gateway.shardTotal();
      const ok = total > 0 && ready === total;
      const body = JSON.stringify({
        status: ok ? 'ok' : 'starting',
        shards_ready: ready,
        shards_total: total,
        guilds: gateway.guilds(),
        smtp: deps.mailer.status().smtp,
        uptime_seconds: Math.floor(((deps.now ?? Date.now)() - deps.stats.startedAt) / 1000),
      });
      res
        .writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(body);
      return;
    }
    if (path === '/metrics') {
      res
        .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
        .end(renderMetrics(deps));
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
  deps.log.info('health.listening', { host: address.address, port: address.port });
  return server;
}
