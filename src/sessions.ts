/**
 * @module sessions
 * The TTL map of orders in progress, keyed by user ID: one draft per user, idle expiry, a cap,
 * and a sweep timer that never keeps the process alive. Each session has a random nonce that
 * every button and modal of the form carries, so a stale one (older session, restart,
 * expiry) is recognized instead of acting on the wrong draft.
 */
import { randomBytes } from 'node:crypto';
import { ALL_FIELDS, type Order, type OrderFieldKey, type StepNumber } from './order/fields.ts';

/** Values a customer typed into one step, by field key. */
export type StepValues = Partial<Record<OrderFieldKey, string>>;

/** One order in progress. */
export interface OrderSession {
  readonly userId: string;
  readonly nonce: string;
  readonly email: string;
  readonly guildId: string | undefined;
  readonly createdAt: number;
  touchedAt: number;
  /** Whether starting this session discarded an unfinished one (the customer is told once). */
  replacedEarlier: boolean;
  /** Accepted values of completed steps. */
  readonly accepted: Partial<Record<StepNumber, StepValues>>;
  /** What the customer last typed into a step that failed validation, to prefill the retry. */
  readonly drafts: Partial<Record<StepNumber, StepValues>>;
}

/** Why a session could not be started. */
export type StartResult =
  | { ok: true; session: OrderSession; replaced: boolean }
  | { ok: false; reason: 'full' };

/** Why a session ended, for the `onEnd` callback. */
export type EndReason = 'completed' | 'cancelled' | 'expired' | 'replaced';

/** Options for {@link createSessionStore}. */
export interface SessionStoreOptions {
  /** Idle time after which a session expires. @defaultValue 15 minutes */
  ttlMs?: number;
  /** Most sessions kept at once. @defaultValue `10_000` */
  maxSessions?: number;
  /** @defaultValue `Date.now` */
  now?: () => number;
  /** How often expired sessions are removed; 0 disables the timer. @defaultValue 60 s */
  sweepIntervalMs?: number;
  onEnd?: (session: OrderSession, reason: EndReason) => void;
}

/** The session map. */
export interface SessionStore {
  readonly size: number;
  /** Starts a new draft for the user, replacing any older one. */
  start(userId: string, email: string, guildId: string | undefined): StartResult;
  /** The user's live session when `nonce` matches it, refreshing its idle time. */
  get(userId: string, nonce: string): OrderSession | undefined;
  /** Ends a session (completion or cancel). */
  end(userId: string, reason: EndReason): void;
  /** Removes expired sessions now; returns how many. */
  sweep(): number;
  /** Stops the sweep timer. */
  close(): void;
  /** Replaces the TTL and cap (configuration reload). */
  configure(ttlMs: number, maxSessions: number): void;
}

/** Creates the session map. */
export function createSessionStore(options: SessionStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  let ttlMs = options.ttlMs ?? 15 * 60_000;
  let max = options.maxSessions ?? 10_000;
  const sessions = new Map<string, OrderSession>();

  const expired = (session: OrderSession) => now() - session.touchedAt >= ttlMs;
  const remove = (session: OrderSession, reason: EndReason) => {
    sessions.delete(session.userId);
    options.onEnd?.(session, reason);
  };

  const store: SessionStore = {
    get size() {
      return sessions.size;
    },
    start(userId, email, guildId) {
      const previous = sessions.get(userId);
      const replaced = previous !== undefined && !expired(previous);
      if (previous) remove(previous, replaced ? 'replaced' : 'expired');
      if (sessions.size >= max) {
        store.sweep();
        if (sessions.size >= max) return { ok: false, reason: 'full' };
      }
      const at = now();
      const session: OrderSession = {
        userId,
        email,
        guildId,
        nonce: randomBytes(6).toString('base64url'),
        createdAt: at,
        touchedAt: at,
        replacedEarlier: replaced,
        accepted: {},
        drafts: {},
      };
      sessions.set(userId, session);
      return { ok: true, session, replaced };
    },
    get(userId, nonce) {
      const session = sessions.get(userId);
      if (!session || session.nonce !== nonce) return undefined;
      if (expired(session)) {
        remove(session, 'expired');
        return undefined;
      }
      session.touchedAt = now();
      return session;
    },
    end(userId, reason) {
      const session = sessions.get(userId);
      if (session) remove(session, reason);
    },
    sweep() {
      let count = 0;
      for (const session of sessions.values()) {
        if (expired(session)) {
          remove(session, 'expired');
          count++;
        }
      }
      return count;
    },
    close() {
      clearInterval(timer);
    },
    configure(newTtl, newMax) {
      ttlMs = newTtl;
      max = newMax;
    },
  };

  const interval = options.sweepIntervalMs ?? 60_000;
  const timer = interval > 0 ? setInterval(() => store.sweep(), interval) : undefined;
  timer?.unref();
  return store;
}

/** Merges the accepted values of all three steps into an order; a missing field is empty. */
export function toOrder(session: OrderSession): Order {
  const merged: StepValues = { ...session.accepted[1], ...session.accepted[2], ...session.accepted[3] };
  const fields = Object.fromEntries(ALL_FIELDS.map((spec) => [spec.key, merged[spec.key] ?? '']));
  return { ...(fields as Record<OrderFieldKey, string>), email: session.email };
}
