/**
 * @module store/outbox
 * The outbox worker: delivers the jobs committed with each order, at least once. It claims due
 * jobs from the queue under a lease (renewed while they run, so a worker that dies gives them back
 * and any number of workers, in any number of processes, deliver each job once), runs each kind's handler (with that kind's concurrency), and records the
 * outcome in the database: `done`, a retry at a later time (exponential backoff with jitter), or
 * `failed` with its reason once a permanent error comes or the attempts run out. On start-up it
 * simply finds what is still pending; a job is never lost with the process. It knows no feature:
 * handlers are given by the composition, keyed by job kind.
 *
 * A delivery is never repeated because its record could not be written (a full disk): the job
 * stays claimed by this worker, only the write is tried again (with backoff), and no other job is
 * started until it succeeds; {@link OutboxWorker.status} says so meanwhile. Waits are measured on
 * the injected `now`, which the composition makes monotonic: a clock set back does not hold
 * deliveries up.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { JobQueue, JobRecord, StoredJob } from './engine.ts';

/** What one run of a job came to. */
export type JobOutcome =
  | { status: 'done'; result?: string }
  /** A temporary problem: try again later (after `afterMs` when the other side said so). */
  | { status: 'retry'; reason: string; detail: string; afterMs?: number }
  /** A permanent problem: retrying cannot help until someone fixes the cause. */
  | { status: 'failed'; reason: string; detail: string };

/** How one kind of job is delivered. */
export interface JobHandler {
  /** Jobs of this kind running at once. */
  concurrency: number;
  /** Attempts before a job that keeps failing temporarily is marked `failed`. */
  maxAttempts: number;
  /** Delay before the first retry; it doubles each time, with ±25% jitter. */
  initialDelayMs: number;
  /** Longest delay between attempts. @defaultValue 5 minutes */
  maxDelayMs?: number;
  /** Forget the payload (a credential, say) once the job is done or failed, in the same write. */
  clearPayload?: boolean;
  run(job: StoredJob): Promise<JobOutcome>;
}

/** What happened to a job, for the counters and the logs. */
export interface JobEvent {
  job: StoredJob;
  /** `gave_up`: temporary failures until the attempts ran out. */
  outcome: 'done' | 'retry' | 'failed' | 'gave_up';
  reason?: string;
}

/** Options for {@link createOutboxWorker}. */
export interface OutboxOptions {
  jobs: JobQueue;
  /** How many jobs are pending in all (what `drain` reports as left). */
  pending: () => Promise<number>;
  /** This worker's name in its claims. @defaultValue a random one */
  worker?: string;
  /**
   * How long a claim holds before another worker may take the job; renewed at a third of it. A
   * process that dies holds its jobs this long (a restarted bot on PostgreSQL waits it out before
   * delivering them; on SQLite claims die with the process). @defaultValue 30 s
   */
  leaseMs?: number;
  handlers: Readonly<Record<string, JobHandler>>;
  log: Logger;
  /** Told of every job outcome. */
  onEvent?: (event: JobEvent) => void;
  /** Longest sleep between looks at the database (picks up `npm run orders -- retry`). @defaultValue 5 s */
  pollMs?: number;
  /** The time, in ms since the epoch (monotonic in the bot: see `clock.ts`). @defaultValue `Date.now` */
  now?: () => number;
  random?: () => number;
}

/** Whether the worker is delivering, or paused because its outcomes cannot be written. */
export type OutboxStatus =
  | { paused: false }
  | { paused: true; since: number; error: string; unwritten: number };

/** No wait of the worker's is longer than this; a `next_at` further ahead comes from a clock set back. */
const LONGEST_WAIT_MS = 60 * 60_000;
/** First wait before writing failed outcomes again; it doubles up to {@link RECORD_RETRY_MAX_MS}. */
const RECORD_RETRY_MS = 250;
const RECORD_RETRY_MAX_MS = 30_000;

/** The running worker. */
export interface OutboxWorker {
  /** Looks for due jobs now (call after a commit). */
  notify(): void;
  /** Makes a job due now (e.g. a message edit that waited for the first answer). */
  release(jobId: number): void;
  /** Jobs running right now (or waiting for their outcome to be written). */
  readonly running: number;
  /** Delivering, or paused while outcomes cannot be written. */
  status(): OutboxStatus;
  /**
   * Keeps delivering until nothing is running or due now, or `timeoutMs` passed; then stops taking
   * jobs. What is left stays pending in the database for the next start. Resolves with how many
   * jobs are still pending.
   */
  drain(timeoutMs: number): Promise<number>;
}

/** Creates and starts the worker. */
export function createOutboxWorker(options: OutboxOptions): OutboxWorker {
  const { jobs, handlers, log } = options;
  const now = options.now ?? Date.now;
  const worker = options.worker ?? `worker-${randomBytes(6).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 5000;
  const busy = new Set<number>();
  const runningByKind = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** When the next look is set for, or undefined when none is. */
  let scheduledAt: number | undefined;
  let onSettled: (() => void) | undefined;

  const freeSlots = (kind: string) => (handlers[kind]?.concurrency ?? 0) - (runningByKind.get(kind) ?? 0);

  /** Outcomes waiting to be written, with what to do once they are. */
  let records: { record: JobRecord; written: () => void }[] = [];
  /** While outcomes cannot be written: since when, why, and the next wait. */
  let paused: { since: number; error: string; retryMs: number } | undefined;
  let recordTimer: NodeJS.Timeout | undefined;
  /**
   * Writes the waiting outcomes in one transaction. When the write fails (disk full?) the jobs stay
   * claimed (busy) so none runs again: the delivery happened, only its record is missing. The
   * write is tried again with backoff, and no new job starts until it succeeds.
   */
  let flushing = false;
  const flushRecords = async () => {
    recordTimer = undefined;
    if (records.length === 0 || flushing) return;
    flushing = true;
    const batch = records;
    records = [];
    try {
      await jobs.record(batch.map((item) => item.record));
    } catch (error) {
      records = [...batch, ...records];
      const message = error instanceof Error ? error.message : String(error);
      const retryMs = paused ? Math.min(RECORD_RETRY_MAX_MS, paused.retryMs * 2) : RECORD_RETRY_MS;
      if (!paused)
        log.error('outbox.record_failed', { jobs: records.length, error, note: 'deliveries paused' });
      paused = { since: paused?.since ?? now(), error: message, retryMs };
      recordTimer = setTimeout(() => void flushRecords(), retryMs);
      recordTimer.unref();
      return;
    } finally {
      flushing = false;
    }
    if (paused) {
      log.info('outbox.record_recovered', { jobs: batch.length, paused_ms: now() - paused.since });
      paused = undefined;
    }
    for (const item of batch) item.written();
    // Outcomes that arrived while this write was under way.
    if (records.length > 0) void flushRecords();
  };

  /** Turns an outcome into a record (and a log line and an event). */
  const toRecord = (job: StoredJob, outcome: JobOutcome, handler: JobHandler): JobRecord => {
    const at = now();
    const fields = { job_id: job.id, order_id: job.orderId, kind: job.kind, attempt: job.attempts + 1 };
    const forget = handler.clearPayload ? { clearPayload: true } : {};
    /** The job given up on: kept as `failed` with its reason. */
    const failedRecord = (reason: string, detail: string): JobRecord => ({
      jobId: job.id,
      status: 'failed',
      reason,
      detail,
      at,
      ...forget,
    });
    switch (outcome.status) {
      case 'done':
        log.info('outbox.done', fields);
        options.onEvent?.({ job, outcome: 'done' });
        return { jobId: job.id, status: 'done', result: outcome.result, at, ...forget };
      case 'retry': {
        if (job.attempts + 1 >= handler.maxAttempts) {
          log.error('outbox.gave_up', { ...fields, reason: outcome.reason, detail: outcome.detail });
          options.onEvent?.({ job, outcome: 'gave_up', reason: outcome.reason });
          return failedRecord(outcome.reason, outcome.detail);
        }
        const base = Math.min(handler.maxDelayMs ?? 300_000, handler.initialDelayMs * 2 ** job.attempts);
        const delay = Math.max(outcome.afterMs ?? 0, Math.round(base * (0.75 + random() * 0.5)));
        log.warn('outbox.retry', {
          ...fields,
          retry_in_ms: delay,
          reason: outcome.reason,
          detail: outcome.detail,
        });
        options.onEvent?.({ job, outcome: 'retry', reason: outcome.reason });
        return {
          jobId: job.id,
          status: 'retry',
          nextAt: at + delay,
          reason: outcome.reason,
          detail: outcome.detail,
          at,
        };
      }
      case 'failed':
        log.error('outbox.failed', { ...fields, reason: outcome.reason, detail: outcome.detail });
        options.onEvent?.({ job, outcome: 'failed', reason: outcome.reason });
        return failedRecord(outcome.reason, outcome.detail);
      default: {
        const unreachable: never = outcome;
        throw new Error(`unknown job outcome ${JSON.stringify(unreachable)}`);
      }
    }
  };

  const run = async (job: StoredJob, handler: JobHandler) => {
    busy.add(job.id);
    runningByKind.set(job.kind, (runningByKind.get(job.kind) ?? 0) + 1);
    let outcome: JobOutcome;
    try {
      outcome = await handler.run(job);
    } catch (error) {
      outcome = {
        status: 'retry',
        reason: 'unknown',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
    runningByKind.set(job.kind, (runningByKind.get(job.kind) ?? 1) - 1);
    if (records.length === 0 && !paused) setImmediate(() => void flushRecords());
    records.push({
      record: toRecord(job, outcome, handler),
      // The job stays busy until its outcome is written, so it is never picked up twice.
      written: () => {
        busy.delete(job.id);
        schedule(0);
        onSettled?.();
      },
    });
  };

  let pumping = false;
  const pump = async () => {
    scheduledAt = undefined;
    // While outcomes cannot be written, nothing new starts (flushRecords looks again once they are).
    if (stopped || paused || pumping) return;
    pumping = true;
    try {
      await look();
    } finally {
      pumping = false;
    }
  };

  /**
   * Jobs this worker claimed but did not start, whose give-back failed: the database went away
   * between the claim and the give-back (a PostgreSQL restart, test/e2e/outage.test.ts). Left so,
   * they stayed locked by this worker, which never ran them, and so undelivered by every worker
   * until the lease ran out (then 2 minutes after the database was back). The give-back is tried again
   * at each look; a job claimed again meanwhile is this worker's to run, so it leaves the set.
   */
  const unreturned = new Set<number>();
  const giveBack = async (jobIds: readonly number[]) => {
    for (const id of jobIds) unreturned.add(id);
    const ids = [...unreturned].filter((id) => !busy.has(id));
    if (ids.length === 0) return;
    try {
      await jobs.renew(ids, worker, 0);
      for (const id of ids) unreturned.delete(id);
    } catch (error) {
      log.warn('outbox.give_back_failed', { jobs: ids.length, error });
    }
  };

  /** Claims what this worker has room for, starts it, and sets the next look. */
  const look = async () => {
    if (unreturned.size > 0) await giveBack([]);
    let due: StoredJob[] = [];
    try {
      // Up to 64 due jobs of any kind: those whose kind has a free slot start, the others go back
      // at once, so one busy kind never holds another up (and a kind this version lacks is failed).
      due = await jobs.claim(now(), 64, worker, now() + leaseMs);
    } catch (error) {
      log.error('outbox.read_failed', { error });
      schedule(pollMs);
      return;
    }
    const notStarted: number[] = [];
    for (const job of due) {
      unreturned.delete(job.id);
      const handler = handlers[job.kind];
      if (!handler) {
        const detail = `this version has no handler for "${job.kind}" jobs`;
        try {
          await jobs.record([{ jobId: job.id, status: 'failed', reason: 'unknown_kind', detail, at: now() }]);
        } catch (error) {
          log.error('outbox.record_failed', { jobs: 1, error });
          schedule(pollMs);
          return;
        }
        log.error('outbox.failed', {
          job_id: job.id,
          order_id: job.orderId,
          kind: job.kind,
          reason: 'unknown_kind',
        });
        continue;
      }
      if (freeSlots(job.kind) > 0) void run(job, handler);
      // No room for this kind now: the claim ends at once, for this worker's next look or another's.
      else notStarted.push(job.id);
    }
    if (notStarted.length > 0) await giveBack(notStarted);
    if (due.length > 0) {
      // Work was started or is waiting for a slot: each job that settles looks again.
      schedule(pollMs);
      return;
    }
    // Nothing due but running jobs: sleep until the next one is due (a settling job looks again).
    let next: number | undefined;
    try {
      next = await jobs.nextDueAt(now());
    } catch (error) {
      log.error('outbox.read_failed', { error });
      schedule(pollMs);
      return;
    }
    schedule(next === undefined ? pollMs : Math.min(Math.max(0, next - now()), pollMs));
  };

  /** Sets the next look `delayMs` from now, unless one is already set sooner. */
  function schedule(delayMs: number) {
    if (stopped) return;
    const at = now() + delayMs;
    if (scheduledAt !== undefined && scheduledAt <= at) return;
    clearTimeout(timer);
    scheduledAt = at;
    timer = setTimeout(() => void pump(), delayMs);
    timer.unref();
  }

  /** The claims of running jobs (and of those whose outcome waits to be written) are renewed. */
  const renewer = setInterval(
    () => {
      if (busy.size === 0) return;
      jobs.renew([...busy], worker, now() + leaseMs).catch((error: unknown) => {
        log.warn('outbox.renew_failed', { jobs: busy.size, error });
      });
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  renewer.unref();

  // Times written before a clock was set back would hold their jobs up for as long as it moved.
  void jobs
    .pullIn(now() + LONGEST_WAIT_MS, now())
    .then((pulled) => {
      if (pulled > 0)
        log.warn('outbox.clock_moved', {
          jobs: pulled,
          note: 'jobs scheduled implausibly far ahead are due now',
        });
    })
    .catch((error: unknown) => log.error('outbox.read_failed', { error }))
    .finally(() => schedule(0));

  return {
    notify: () => schedule(0),
    release(jobId) {
      jobs
        .release(jobId, now())
        .catch((error: unknown) => log.error('outbox.release_failed', { job_id: jobId, error }))
        .finally(() => schedule(0));
    },
    get running() {
      return busy.size;
    },
    status() {
      return paused
        ? { paused: true, since: paused.since, error: paused.error, unwritten: records.length }
        : { paused: false };
    },
    async drain(timeoutMs) {
      const deadline = now() + timeoutMs;
      const idle = async () => {
        // A look in progress may hold jobs it claimed and has not started yet: to the database they
        // are locked (not due), to `busy` not yet running. Without this, a drain that began while a
        // PostgreSQL claim was on its way ended at once, and the pools closed under the jobs.
        if (busy.size > 0 || pumping) return false;
        const next = await jobs.nextDueAt(now()).catch(() => undefined);
        return next === undefined || next > now();
      };
      while (!(await idle()) && now() < deadline) {
        await new Promise<void>((resolve) => {
          const wait = setTimeout(resolve, Math.min(100, Math.max(1, deadline - now())));
          onSettled = () => {
            clearTimeout(wait);
            resolve();
          };
        });
        onSettled = undefined;
      }
      stopped = true;
      clearTimeout(timer);
      clearTimeout(recordTimer);
      clearInterval(renewer);
      return options.pending();
    },
  };
}
