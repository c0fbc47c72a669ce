/**
 * @module store/engine
 * The store as the rest of the bot sees it, whatever holds it: engine-neutral, asynchronous
 * interfaces split by job. The orders (an order commits with its delivery jobs, in one
 * transaction, before the customer is answered), the job queue (jobs are claimed under a lease, so
 * any number of workers in any number of processes deliver each once), the counts the caps read,
 * and the forms in progress. No interface names an engine: the embedded SQLite engine
 * (`store/sqlite.ts`) and PostgreSQL (`store/postgres.ts`) implement the first three, the
 * in-process map (`store/sessions.ts`) and Redis (`store/redis-sessions.ts`) the last. Backups and
 * checkpoints belong to the SQLite engine alone.
 */
import type {
  ChangeJobs,
  ChangeResult,
  Committed,
  JobKinds,
  JobRecord,
  NewOrder,
  OrderEvent,
  OrderFilter,
  OrderPlan,
  StatusChange,
  StoreCounts,
  StoredJob,
  StoredOrder,
  WriteStatus,
} from './orders.ts';

export type {
  ChangeJobs,
  ChangeResult,
  Committed,
  JobKinds,
  JobRecord,
  LifecycleStatus,
  NewJob,
  NewOrder,
  OrderEvent,
  OrderFilter,
  OrderPlan,
  OrderStatus,
  StatusChange,
  StoreCounts,
  StoredJob,
  StoredOrder,
  WriteStatus,
} from './orders.ts';
export { LIFECYCLE_STATUSES } from './orders.ts';

/** What the caps count: jobs of a kind since a time, optionally for one mailbox, server or user. */
export interface CapReader {
  /**
   * How many jobs of `kind` were created since `since`, only for orders to the mailbox of `email`
   * (see `mailboxKey`), else from server `guildId`, else by user `userId` (one filter at a time, in
   * that order), counting no further than `atMost`.
   */
  countJobs(
    kind: JobKinds,
    since: number,
    atMost: number,
    filter?: { email?: string; guildId?: string; userId?: string },
  ): Promise<number>;
  /** Creation times of a user's orders since `since`, newest first. */
  createdSince(userId: string, since: number): Promise<number[]>;
}

/** A cap checked inside an order's commit: at most `limit` jobs of `kind` since `since` (for one mailbox, server or user). */
export interface CapRule<R extends string = string> {
  readonly reason: R;
  /** The job kind counted, or two kinds counted together. */
  readonly kind: JobKinds;
  readonly since: number;
  readonly limit: number;
  readonly filter?: { email?: string; guildId?: string; userId?: string };
}

/** What to commit with an order: the caps to check, and the jobs for their outcome. */
export interface CommitPlan {
  readonly caps: readonly CapRule[];
  /** Called inside the transaction with the cap that refused (or undefined); returns the jobs and the refusal to record. */
  decide(refused: CapRule | undefined, orderId: number): OrderPlan;
}

/** The orders. */
export interface OrderRepository extends CapReader {
  /** A random ID of this store, made when it was created (stable Message-IDs use it). */
  readonly storeId: string;
  /**
   * Writes the order and its jobs in one transaction, durable before it resolves; rejects (and
   * writes nothing) on failure. Inside the transaction, after the order is written, the engine
   * checks `plan.caps` in order (the first one reached refuses) where no other commit, of this
   * process or another, can change the counts before this one ends, then writes the jobs that
   * `plan.decide` gives for the outcome: two orders committed at once cannot both slip under a cap.
   */
  commit(order: NewOrder, plan: CommitPlan): Promise<Committed>;
  /**
   * Moves an order's lifecycle status from `change.from` to `change.to`, and writes the change's
   * event and the jobs `jobs` gives for it (its notifications), in one durable transaction. It is
   * a compare-and-set: when the order is no longer in `from` (two staff pressed at once, in this
   * process or another), nothing is written and the result is `stale`, with the order as it is now
   * and the change that moved it. Which transitions are allowed is the caller's rule.
   */
  changeStatus(change: StatusChange, jobs: ChangeJobs): Promise<ChangeResult>;
  /** The order's lifecycle changes, oldest first. */
  history(orderId: number): Promise<OrderEvent[]>;
  get(id: number): Promise<StoredOrder | undefined>;
  /** The order that completed the form session `key` (`NewOrder.sessionKey`), if one did. */
  bySessionKey(key: string): Promise<StoredOrder | undefined>;
  jobsOf(orderId: number): Promise<StoredJob[]>;
  /** Newest first. */
  list(filter?: OrderFilter): Promise<StoredOrder[]>;
  /** Oldest first, a page at a time (for exports of any size). */
  each(filter?: OrderFilter): AsyncIterable<StoredOrder>;
  /** The definition (JSON) of a form orders were taken under, by its ID. */
  formDefinition(id: string): Promise<string | undefined>;
  /** Every form orders were taken under, oldest first. */
  forms(): Promise<{ id: string; definition: string }[]>;
  counts(since: number): Promise<StoreCounts>;
  /** Removes personal data of orders created before `before` so that no copy is left; returns how many. */
  purge(before: number, now: number): Promise<number>;
  /** Whether writes are succeeding (health reads it), as of the latest write. */
  writeStatus(): WriteStatus;
  /** Tries a small write when the last one failed, so a recovery is noticed; resolves to {@link writeStatus}. */
  probe(now: number): Promise<WriteStatus>;
}

/** The delivery jobs. */
export interface JobQueue {
  /**
   * Claims up to `limit` pending jobs due at `now` whose prerequisite has settled, oldest first,
   * for `worker` until `leaseUntil`: no other worker is given them until the lease runs out (a
   * worker that dies gives its jobs back that way). A row that cannot be read is marked `failed`
   * with reason `bad_row` on its own; the others are returned.
   */
  claim(now: number, limit: number, worker: string, leaseUntil: number): Promise<StoredJob[]>;
  /** Extends the lease of jobs `worker` holds (a long delivery renews before the lease runs out). */
  renew(jobIds: readonly number[], worker: string, leaseUntil: number): Promise<void>;
  /** Notes that a try of a job begins (kept in `startedAt`). */
  markStarted(jobId: number, at: number): Promise<void>;
  /** Records outcomes in one transaction and ends their claims (see `JobRecord`). */
  record(outcomes: readonly JobRecord[]): Promise<void>;
  /** Makes a pending job that waits for a later time due at `at` (no attempt is counted). */
  release(jobId: number, at: number): Promise<void>;
  /** The earliest time a pending, unclaimed job becomes due; undefined when none is pending. */
  nextDueAt(now: number): Promise<number | undefined>;
  /** Makes pending jobs scheduled after `latest` due at `at` (a clock set back); returns how many. */
  pullIn(latest: number, at: number): Promise<number>;
  job(id: number): Promise<StoredJob | undefined>;
  /** Makes the failed jobs of an order pending again; returns how many. */
  retryOrder(orderId: number, now: number): Promise<number>;
  /** Makes every failed job pending again; returns how many. */
  retryAllFailed(now: number): Promise<number>;
}

/** An engine: the orders and the job queue on one database. */
export interface OrderEngine {
  readonly orders: OrderRepository;
  readonly jobs: JobQueue;
  /** Which engine, for logs and diagnostics. */
  readonly name: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** Why a form in progress ended, for the counters. */
export type SessionEndReason = 'completed' | 'cancelled' | 'expired' | 'replaced';

/**
 * The forms in progress, one per user, expiring after the session TTL, at most `max` at once. Every
 * change checks the session's nonce and is atomic, so a step submitted to two processes at once
 * changes the session once, and a session leaves the store when its order is committed.
 */
/** A gateway shard's resumable session (the shape @discordjs/ws keeps as its `SessionInfo`). */
export interface GatewaySession {
  sessionId: string;
  sequence: number;
  resumeURL: string;
  shardId: number;
  shardCount: number;
}

/**
 * Where gateway sessions are kept between processes, so a gateway process started again resumes
 * its shards' sessions instead of identifying anew.
 */
export interface GatewaySessionStore {
  /** The shard's session, or null when there is none. */
  load(shardId: number): Promise<GatewaySession | null>;
  /** Keeps the shard's session (null: forget it). */
  save(shardId: number, session: GatewaySession | null): Promise<void>;
}

export interface SessionStore {
  /** Forms in progress, as last counted (the in-process store knows it exactly; Redis counts on a timer). */
  readonly size: number;
  /**
   * Starts a new form for the user, replacing any older one; `full` when `max` are in progress.
   * `language` (the customer's, opaque to the store) is kept for the form's later messages.
   */
  start(
    userId: string,
    email: string,
    guildId: string | undefined,
    formId: string,
    language?: string,
  ): Promise<StartResult>;
  /** The user's live session when `nonce` matches it, refreshing its idle time. */
  get(userId: string, nonce: string): Promise<OrderSession | undefined>;
  /** Keeps what was typed into `step` to prefill a retry; undefined when the session is gone. */
  saveDraft(
    userId: string,
    nonce: string,
    step: number,
    values: StoredStepValues,
  ): Promise<OrderSession | undefined>;
  /**
   * Accepts the values of `step` and drops its draft; undefined when the session is gone. The
   * returned session still carries `replacedEarlier`; the store then clears it (told once).
   */
  accept(
    userId: string,
    nonce: string,
    step: number,
    values: StoredStepValues,
  ): Promise<OrderSession | undefined>;
  /**
   * Accepts the final `step` and returns the session, which stays in the store until
   * {@link completed}: a process that dies before its commit leaves the form for the customer's
   * next submit. Two callers with the same nonce (the same submit delivered twice, or to two
   * processes) may both get it; the order's commit, keyed by the nonce
   * (`NewOrder.sessionKey`), makes one order.
   */
  finish(
    userId: string,
    nonce: string,
    step: number,
    values: StoredStepValues,
  ): Promise<OrderSession | undefined>;
  /** Puts a finished session back if it is gone (its order could not be committed), unless the user started another. */
  restore(session: OrderSession): Promise<void>;
  /**
   * Removes a finished session whose order was committed, if it is still the user's, and reports
   * it (`onEnd` with `completed`, for the counters) once.
   */
  completed(session: OrderSession): Promise<void>;
  /** Ends the user's session (a cancel, or a form replaced by a reload). */
  end(userId: string, reason: SessionEndReason): Promise<void>;
  /** Removes expired sessions now; resolves to how many. */
  sweep(): Promise<number>;
  /** Replaces the TTL and cap (configuration reload). */
  configure(ttlMs: number, maxSessions: number): void;
  close(): Promise<void>;
}

/** Values typed into one step of a form, by input name. */
export type StoredStepValues = Readonly<Partial<Record<string, string>>>;

/** One form in progress (read-only: change it through the store). */
export interface OrderSession {
  readonly userId: string;
  readonly nonce: string;
  readonly email: string;
  readonly guildId: string | undefined;
  /** Which form the session is filling in (opaque to the store). */
  readonly formId: string;
  /** The customer's language when the form started (opaque to the store); undefined when not given. */
  readonly language: string | undefined;
  readonly createdAt: number;
  readonly touchedAt: number;
  /** Whether starting this session discarded an unfinished one (the customer is told once). */
  readonly replacedEarlier: boolean;
  /** Accepted values of completed steps, by step number. */
  readonly accepted: Readonly<Partial<Record<number, StoredStepValues>>>;
  /** What the customer last typed into a step that failed validation, to prefill the retry. */
  readonly drafts: Readonly<Partial<Record<number, StoredStepValues>>>;
}

/** Whether a session could be started. */
export type StartResult =
  | { ok: true; session: OrderSession; replaced: boolean }
  | { ok: false; reason: 'full' };
