/**
 * @module mail/queue
 * A bounded in-memory queue of outgoing mail. Transient failures are retried with exponential
 * backoff and jitter, permanent ones are not; every job settles exactly once and the caller can
 * await that outcome. A full or closed queue is reported to the caller, never swallowed.
 */
import type { MailError, MailFailureReason } from '../errors.ts';
import type { Logger } from '../log.ts';

/**
 * How a job ended: delivered; `failed` (a permanent failure, not retried); `gave_up` (temporary
 * failures until the attempts ran out, or the queue shut down). `reason` is typed so callers
 * `switch` on it; `detail` is the readable message for logs.
 */
export type MailOutcome =
  | { status: 'delivered'; attempts: number }
  | {
      status: 'failed' | 'gave_up';
      attempts: number;
      reason: MailFailureReason | 'shutdown';
      detail: string;
    };

/** The answer to {@link MailQueue.enqueue}. */
export type EnqueueResult =
  | { accepted: true; done: Promise<MailOutcome> }
  | { accepted: false; reason: 'full' | 'closed' };

/** Options for {@link createMailQueue}. */
export interface MailQueueOptions<J> {
  /** Sends one job; throws on failure. */
  send: (job: J) => Promise<void>;
  /** Turns what `send` threw into a {@link MailError} with a reason (the transport's classifier). */
  classify: (error: unknown) => MailError;
  /** Told of every settled job (for the counters). */
  onOutcome?: (outcome: MailOutcome) => void;
  /** Told of every retry that is scheduled (for the counters). */
  onRetry?: () => void;
  /** Most unsettled jobs. @defaultValue `1000` */
  capacity?: number;
  /** Jobs sent at once (match the SMTP pool size). @defaultValue `2` */
  concurrency?: number;
  /** @defaultValue `5` */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time. @defaultValue 8 s (5 attempts span about 2 minutes) */
  initialDelayMs?: number;
  /** @defaultValue 5 minutes */
  maxDelayMs?: number;
  /** A label for log lines (never an address). */
  describe?: (job: J) => string;
  log?: Logger;
  random?: () => number;
}

/** The queue. */
export interface MailQueue<J> {
  enqueue(job: J): EnqueueResult;
  /** Jobs accepted and not yet settled (waiting, sending or waiting to retry). */
  readonly size: number;
  /** Stops taking jobs and waits up to `timeoutMs` for the rest; returns how many did not settle. */
  drain(timeoutMs: number): Promise<number>;
  /** Replaces retry settings (configuration reload). */
  configure(settings: { capacity?: number; maxAttempts?: number; initialDelayMs?: number }): void;
}

interface Entry<J> {
  job: J;
  attempts: number;
  settle: (outcome: MailOutcome) => void;
  timer?: NodeJS.Timeout;
}

/** Creates the queue. */
export function createMailQueue<J>(options: MailQueueOptions<J>): MailQueue<J> {
  let capacity = options.capacity ?? 1000;
  let maxAttempts = options.maxAttempts ?? 5;
  let initialDelayMs = options.initialDelayMs ?? 8000;
  const maxDelayMs = options.maxDelayMs ?? 300_000;
  const concurrency = options.concurrency ?? 2;
  const random = options.random ?? Math.random;
  const describe = options.describe ?? (() => 'message');
  let size = 0;
  const ready: Entry<J>[] = [];
  const waiting = new Set<Entry<J>>();
  let active = 0;
  let closed = false;
  let onIdle: (() => void) | undefined;

  const finish = (entry: Entry<J>, outcome: MailOutcome) => {
    size--;
    options.onOutcome?.(outcome);
    entry.settle(outcome);
    if (size === 0) onIdle?.();
  };

  const pump = () => {
    while (active < concurrency && ready.length > 0) {
      const entry = ready.shift()!;
      active++;
      void attempt(entry).finally(() => {
        active--;
        pump();
      });
    }
  };

  const attempt = async (entry: Entry<J>) => {
    entry.attempts++;
    try {
      await options.send(entry.job);
      finish(entry, { status: 'delivered', attempts: entry.attempts });
      options.log?.info('mail.delivered', { job: describe(entry.job), attempts: entry.attempts });
    } catch (error) {
      const mailError = options.classify(error);
      const failure = { attempts: entry.attempts, reason: mailError.reason, detail: mailError.message };
      if (mailError.kind === 'permanent') {
        options.log?.error('mail.failed', {
          job: describe(entry.job),
          attempts: entry.attempts,
          reason: mailError.message,
        });
        finish(entry, { status: 'failed', ...failure });
      } else if (entry.attempts >= maxAttempts) {
        options.log?.error('mail.gave_up', {
          job: describe(entry.job),
          attempts: entry.attempts,
          reason: mailError.message,
        });
        finish(entry, { status: 'gave_up', ...failure });
      } else {
        const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (entry.attempts - 1));
        const delay = Math.round(base * (0.75 + random() * 0.5));
        options.onRetry?.();
        options.log?.warn('mail.retry', {
          job: describe(entry.job),
          attempts: entry.attempts,
          retry_in_ms: delay,
          reason: mailError.message,
        });
        waiting.add(entry);
        entry.timer = setTimeout(() => {
          waiting.delete(entry);
          ready.push(entry);
          pump();
        }, delay);
      }
    }
  };

  return {
    get size() {
      return size;
    },
    enqueue(job) {
      if (closed) return { accepted: false, reason: 'closed' };
      if (size >= capacity) return { accepted: false, reason: 'full' };
      size++;
      const done = new Promise<MailOutcome>((resolve) => {
        ready.push({ job, attempts: 0, settle: resolve });
      });
      pump();
      return { accepted: true, done };
    },
    async drain(timeoutMs) {
      closed = true;
      if (size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const left = size;
      for (const entry of [...waiting, ...ready]) {
        clearTimeout(entry.timer);
        options.log?.error('mail.not_sent', { job: describe(entry.job), reason: 'shutting down' });
        finish(entry, {
          status: 'gave_up',
          attempts: entry.attempts,
          reason: 'shutdown',
          detail: 'the bot shut down before it could be sent',
        });
      }
      waiting.clear();
      ready.length = 0;
      return left;
    },
    configure(settings) {
      capacity = settings.capacity ?? capacity;
      maxAttempts = settings.maxAttempts ?? maxAttempts;
      initialDelayMs = settings.initialDelayMs ?? initialDelayMs;
    },
  };
}
