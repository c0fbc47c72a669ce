/**
 * @module ops/health
 * What `/healthz` says, judged from the operations snapshot: 200 only while orders can be saved
 * and delivered.
 */
import type { HealthReport } from '../health.ts';
import type { OpsSnapshot } from '../metrics.ts';

/** A delivery job pending longer than this makes /healthz report "degraded". */
export const STUCK_JOB_MS = 10 * 60_000;

/**
 * 200 only while every shard is ready (when the process has a gateway), the database can be read and written, the outbox is not
 * paused, the mail server is not down while deliveries fail, and no job is stuck. Every reason
 * that holds is listed (`problems`, the first also as `problem`).
 */
export function judgeHealth(snapshot: OpsSnapshot): HealthReport {
  const { gateway, outbox } = snapshot;
  // A process without a gateway (an HTTP interactions replica) has no shards to wait for.
  const connected =
    !gateway.enabled || (gateway.shardsTotal > 0 && gateway.shardsReady === gateway.shardsTotal);
  const problems: string[] = [];
  if (snapshot.storeReadError !== undefined) {
    problems.push(`the order database cannot be read (${snapshot.storeReadError})`);
  }
  if (!snapshot.storeWrites.ok) {
    problems.push(`orders cannot be saved: the database refuses writes (${snapshot.storeWrites.error})`);
  }
  if (outbox.paused) {
    problems.push(`deliveries are paused: their outcomes cannot be written (${outbox.paused.error})`);
  }
  if (snapshot.mail.smtp === 'down' && (outbox.failed > 0 || outbox.retrying > 0)) {
    problems.push('the mail server is down and deliveries have failed');
  }
  if (outbox.oldestPendingMs > STUCK_JOB_MS) {
    problems.push('a delivery job has been pending for more than 10 minutes');
  }
  return {
    ok: connected && problems.length === 0,
    body: {
      status: problems.length > 0 ? 'degraded' : connected ? 'ok' : 'starting',
      ...(problems.length > 0 ? { problem: problems[0], problems } : {}),
      ...(gateway.enabled ? {} : { gateway: 'off' }),
      shards_ready: gateway.shardsReady,
      shards_total: gateway.shardsTotal,
      guilds: gateway.guilds,
      smtp: snapshot.mail.smtp,
      store_writes: snapshot.storeWrites.ok ? 'ok' : 'failing',
      outbox: outbox.paused ? 'paused' : 'running',
      outbox_pending: outbox.pending,
      outbox_retrying: outbox.retrying,
      outbox_failed: outbox.failed,
      outbox_oldest_pending_seconds: Math.floor(outbox.oldestPendingMs / 1000),
      uptime_seconds: Math.floor(snapshot.uptimeMs / 1000),
    },
  };
}
