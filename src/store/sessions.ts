/**
 * @module store/sessions
 * The in-process session store: forms in progress, keyed by user ID: one draft per user, idle
 * expiry, a cap, and a sweep timer that never keeps the process alive. Each session has a random
 * nonce that every button and modal of the form carries, so a stale one (older session, restart,
 * expiry) is recognized instead of acting on the wrong draft. Callers read sessions and change
 * them only through the store's methods. It knows nothing of what the steps hold.
 */
import { randomBytes } from 'node:crypto';

import type {
  OrderSession,
  SessionEndReason,
  SessionStore,
  StartResult,
  StoredStepValues,
} from './engine.ts';

export type { OrderSession, SessionStore, StartResult, StoredStepValues } from './engine.ts';
/** Why a session ended, for the `onEnd` callback. */
export type EndReason = SessionEndReason;

/** The stored record; only this module writes it. */
type MutableSession = { -readonly [K in keyof OrderSession]: OrderSession[K] };

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
  /** Told of every new session (for the counters). */
  onStart?: (session: OrderSession) => void;
  /** Told of every session that ends, and why (for the counters). */
  onEnd?: (session: OrderSession, reason: EndReason) => void;
}

/** Creates the session map. */
export function createSessionStore(options: SessionStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  let ttlMs = options.ttlMs ?? 15 * 60_000;
  let max = options.maxSessions ?? 10_000;
  const sessions = new Map<string, MutableSession>();

  const expired = (session: OrderSession) => now() - session.touchedAt >= ttlMs;
  const live = (userId: string, nonce: string): MutableSession | undefined => {
    const session = sessions.get(userId);
    if (!session || session.nonce !== nonce) return undefined;
    if (expired(session)) {
      remove(session, 'expired');
      return undefined;
    }
    session.touchedAt = now();
    return session;
  };
  const remove = (session: OrderSession, reason: EndReason) => {
    sessions.delete(session.userId);
    options.onEnd?.(session, reason);
  };
  const accept = (userId: string, nonce: string, step: number, values: StoredStepValues) => {
    const session = live(userId, nonce);
    if (!session) return undefined;
    const { [step]: _dropped, ...drafts } = session.drafts;
    session.accepted = { ...session.accepted, [step]: { ...values } };
    session.drafts = drafts;
    const seen = { ...session };
    session.replacedEarlier = false;
    return seen;
  };

  const sweep = () => {
    let count = 0;
    for (const session of sessions.values()) {
      if (expired(session)) {
        remove(session, 'expired');
        count++;
      }
    }
    return count;
  };
  const resolved = <T>(value: T) => Promise.resolve(value);

  const store: SessionStore = {
    get size() {
      return sessions.size;
    },
    async start(userId, email, guildId, formId, language) {
      const previous = sessions.get(userId);
      const replaced = previous !== undefined && !expired(previous);
      if (previous) remove(previous, replaced ? 'replaced' : 'expired');
      if (sessions.size >= max) {
        sweep();
        if (sessions.size >= max) return { ok: false, reason: 'full' } satisfies StartResult;
      }
      const at = now();
      const session: MutableSession = {
        userId,
        email,
        guildId,
        formId,
        language,
        nonce: randomBytes(6).toString('base64url'),
        createdAt: at,
        touchedAt: at,
        replacedEarlier: replaced,
        accepted: {},
        drafts: {},
      };
      sessions.set(userId, session);
      options.onStart?.(session);
      return { ok: true, session, replaced };
    },
    get: (userId, nonce) => resolved(live(userId, nonce)),
    saveDraft(userId, nonce, step, values) {
      const session = live(userId, nonce);
      if (session) session.drafts = { ...session.drafts, [step]: { ...values } };
      return resolved(session);
    },
    accept: (userId, nonce, step, values) => resolved(accept(userId, nonce, step, values)),
    // Kept until its order is committed (see SessionStore.finish).
    finish: (userId, nonce, step, values) => resolved(accept(userId, nonce, step, values)),
    completed(session) {
      const current = sessions.get(session.userId);
      if (current?.nonce === session.nonce) {
        sessions.delete(session.userId);
        options.onEnd?.(session, 'completed');
      }
      return resolved(undefined);
    },
    restore(session) {
      if (!sessions.has(session.userId)) {
        sessions.set(session.userId, { ...session, touchedAt: now() });
      }
      return resolved(undefined);
    },
    end(userId, reason) {
      const session = sessions.get(userId);
      if (session) remove(session, reason);
      return resolved(undefined);
    },
    sweep: () => resolved(sweep()),
    close() {
      clearInterval(timer);
      return resolved(undefined);
    },
    configure(newTtl, newMax) {
      ttlMs = newTtl;
      max = newMax;
    },
  };

  const interval = options.sweepIntervalMs ?? 60_000;
  const timer = interval > 0 ? setInterval(sweep, interval) : undefined;
  timer?.unref();
  return store;
}
