/**
 * @module store/sessions
 * The in-process session store: forms in progress, keyed by user ID: one draft per user, idle
 * expiry, a cap, and a sweep timer that never keeps the process alive. Each session has a random
 * nonce that every button and modal of the form carries, so a stale one (older session, restart,
 * expiry) is recognized instead of acting on the wrong draft. Callers read sessions and change
 * them only through the store's methods. It knows nothing of what the steps hold.
 */
import { randomBytes } from 'node:crypto';

/** Values typed into one step of a form, by input name. */
export type StoredStepValues = Readonly<Partial<Record<string, string>>>;

/** One form in progress, as callers see it (read-only: change it through the store). */
export interface OrderSession {
  readonly userId: string;
  readonly nonce: string;
  readonly email: string;
  readonly guildId: string | undefined;
  /** Which form the session is filling in (opaque to the store): a form changed meanwhile is not mixed in. */
  readonly formId: string;
  readonly createdAt: number;
  readonly touchedAt: number;
  /** Whether starting this session discarded an unfinished one (the customer is told once). */
  readonly replacedEarlier: boolean;
  /** Accepted values of completed steps, by step number. */
  readonly accepted: Readonly<Partial<Record<number, StoredStepValues>>>;
  /** What the customer last typed into a step that failed validation, to prefill the retry. */
  readonly drafts: Readonly<Partial<Record<number, StoredStepValues>>>;
}

/** The stored record; only this module writes it. */
type MutableSession = { -readonly [K in keyof OrderSession]: OrderSession[K] };

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
  /** Told of every new session (for the counters). */
  onStart?: (session: OrderSession) => void;
  /** Told of every session that ends, and why (for the counters). */
  onEnd?: (session: OrderSession, reason: EndReason) => void;
}

/** The session map. */
export interface SessionStore {
  readonly size: number;
  /** Starts a new draft for the user, replacing any older one. */
  start(userId: string, email: string, guildId: string | undefined, formId?: string): StartResult;
  /** The user's live session when `nonce` matches it, refreshing its idle time. */
  get(userId: string, nonce: string): OrderSession | undefined;
  /** Keeps what was typed into `step` to prefill a retry; undefined when the session is gone. */
  saveDraft(userId: string, nonce: string, step: number, values: StoredStepValues): OrderSession | undefined;
  /**
   * Accepts the values of `step` and drops its draft; undefined when the session is gone. The
   * returned session still carries `replacedEarlier`; the store then clears it (told once).
   */
  accept(userId: string, nonce: string, step: number, values: StoredStepValues): OrderSession | undefined;
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

  const store: SessionStore = {
    get size() {
      return sessions.size;
    },
    start(userId, email, guildId, formId = '') {
      const previous = sessions.get(userId);
      const replaced = previous !== undefined && !expired(previous);
      if (previous) remove(previous, replaced ? 'replaced' : 'expired');
      if (sessions.size >= max) {
        store.sweep();
        if (sessions.size >= max) return { ok: false, reason: 'full' };
      }
      const at = now();
      const session: MutableSession = {
        userId,
        email,
        guildId,
        formId,
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
    get: live,
    saveDraft(userId, nonce, step, values) {
      const session = live(userId, nonce);
      if (session) session.drafts = { ...session.drafts, [step]: { ...values } };
      return session;
    },
    accept(userId, nonce, step, values) {
      const session = live(userId, nonce);
      if (!session) return undefined;
      const { [step]: _dropped, ...drafts } = session.drafts;
      session.accepted = { ...session.accepted, [step]: { ...values } };
      session.drafts = drafts;
      const seen = { ...session };
      session.replacedEarlier = false;
      return seen;
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
