/**
 * @module store/redis-sessions
 * The forms in progress in Redis, shared by any number of bot processes. One hash per user
 * (`<prefix>user:<id>`) holds the session, with a key TTL a minute past the session TTL, refreshed on each touch;
 * a sorted set (`<prefix>live`) holds every user with a session, scored by its expiry time, so the
 * cap counts live sessions in O(log n). Every change is one Lua script that checks the nonce and
 * the idle time and writes in the same step: two processes cannot both pass the cap, a step
 * submitted twice changes the session once; the session is removed once its order is committed
 * (`completed`), and the commit, keyed by the session's nonce, makes one order however many
 * processes the final submit reaches.
 *
 * The default prefix carries a hash tag (`{order-bot:sessions}`): every key of the store lives in
 * one slot, which the cap needs (one count of all sessions), and which keeps the scripts valid on a
 * cluster. The idle time is checked against the injected `now`, the keys expire on Redis's clock;
 * with `Date.now` on hosts with synchronized clocks the two agree.
 */
import { randomBytes } from 'node:crypto';
import { type CommandParser, createClient, defineScript } from '@redis/client';
import { StoreUnavailableError } from '../errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import type {
  GatewaySession,
  GatewaySessionStore,
  OrderSession,
  SessionEndReason,
  SessionStore,
  StoredStepValues,
} from './engine.ts';

/**
 * How long a gateway session is kept after its last save. Discord keeps a session resumable for a
 * short while only; an older one would be refused (and the shard identify) anyway.
 */
const GATEWAY_SESSION_TTL_MS = 10 * 60_000;

/** Options for {@link createRedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`. */
  url: string;
  /** Idle time after which a session expires (a new value applies from each session's next touch). */
  ttlMs: number;
  /** Most sessions in progress at once, over all processes. */
  maxSessions: number;
  /** @defaultValue `Date.now` */
  now?: () => number;
  /** @defaultValue {@link silentLogger} */
  log?: Logger;
  /** Told of every new session (for the counters). */
  onStart?: (session: OrderSession) => void;
  /**
   * Told of every session this process ends, and why. A session left idle past the TTL is
   * reported as expired once, by the process that finds it first (a step, a start or the sweep).
   */
  onEnd?: (session: OrderSession, reason: SessionEndReason) => void;
  /** Prefix of every key. @defaultValue `'{order-bot:sessions}:'` */
  keyPrefix?: string;
  /** How often {@link SessionStore.size} is recounted and expired entries pruned; 0 disables the timer. @defaultValue 10 s */
  refreshIntervalMs?: number;
  /** A command without an answer by then rejects (a Redis that hangs, a network that drops packets). @defaultValue 5 s */
  commandTimeoutMs?: number;
  /** How long the first connection may take before the factory rejects. @defaultValue 10 s */
  connectTimeoutMs?: number;
}

const DEFAULTS = {
  now: Date.now,
  log: silentLogger,
  onStart: () => {},
  onEnd: () => {},
  keyPrefix: '{order-bot:sessions}:',
  refreshIntervalMs: 10_000,
  commandTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
} as const satisfies Omit<Required<RedisSessionStoreOptions>, 'url' | 'ttlMs' | 'maxSessions'>;

/**
 * How long a session's hash outlives its idle time. The scripts judge expiry by `touchedAt`, so a
 * hash kept a little longer changes nothing for the customer; it lets the sweep (every 10 s, in
 * whichever process removes the user from the sorted set first) find the session and report it
 * expired exactly once, where a hash Redis had already dropped ended silently and went uncounted.
 * If no bot runs a sweep, Redis still drops the hash this much later.
 */
const KEY_GRACE_MS = 60_000;

/** Members of the sorted set a sweep removes per script call, so one call never blocks Redis long. */
const SWEEP_BATCH = 500;

/**
 * Shared by the per-user scripts. KEYS: the sorted set of live users, the user's hash.
 * ARGV: user ID, now, TTL, expiry time (now + TTL), then the script's own.
 */
const PRELUDE = `
local live, key = KEYS[1], KEYS[2]
local user, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local function count() return redis.call('ZCOUNT', live, '(' .. ARGV[2], '+inf') end
local function drop() redis.call('DEL', key); redis.call('ZREM', live, user) end
local function touch()
  redis.call('HSET', key, 'touchedAt', ARGV[2])
  redis.call('PEXPIRE', key, ttl + ${KEY_GRACE_MS})
  redis.call('ZADD', live, ARGV[4], user)
end
local function expired(touched) return tonumber(touched) + ttl <= now end
-- 'ok' when the user's session has this nonce and is live; 'expired' with its fields (removed) when
-- idle too long; 'gone' otherwise (no session, or another nonce: nothing is changed).
local function find(nonce)
  local head = redis.call('HMGET', key, 'nonce', 'touchedAt')
  if head[1] ~= nonce then return 'gone' end
  if expired(head[2]) then
    local fields = redis.call('HGETALL', key)
    drop()
    return 'expired', fields
  end
  return 'ok'
end
`;

/** A script of this store: keys first, then arguments, both as strings. */
function script(body: string, numberOfKeys: number) {
  return defineScript({
    SCRIPT: numberOfKeys === 2 ? PRELUDE + body : body,
    NUMBER_OF_KEYS: numberOfKeys,
    parseCommand(parser: CommandParser, keys: readonly string[], args: readonly string[]) {
      for (const key of keys) parser.pushKey(key);
      parser.push(...args);
    },
    transformReply: undefined as unknown as () => unknown,
  });
}

const SCRIPTS = {
  /** ARGV[5]: the cap; ARGV[6..]: the new session's fields. Replies state, count, previous fields, what became of them. */
  sessionStart: script(
    `
local previous = redis.call('HGETALL', key)
local ended = 'none'
if #previous > 0 then
  ended = expired(redis.call('HGET', key, 'touchedAt')) and 'expired' or 'replaced'
end
drop()
redis.call('ZREMRANGEBYSCORE', live, '-inf', ARGV[2])
if redis.call('ZCARD', live) >= tonumber(ARGV[5]) then return {'full', count(), previous, ended} end
redis.call('HSET', key, unpack(ARGV, 6))
redis.call('HSET', key, 'replacedEarlier', ended == 'replaced' and '1' or '0')
touch()
return {'ok', count(), previous, ended}
`,
    2,
  ),
  /** ARGV[5]: nonce. */
  sessionGet: script(
    `
local state, fields = find(ARGV[5])
if state == 'ok' then
  touch()
  fields = redis.call('HGETALL', key)
end
return {state, count(), fields or {}}
`,
    2,
  ),
  /** ARGV[5]: nonce, ARGV[6]: step, ARGV[7]: the values (JSON). */
  sessionSaveDraft: script(
    `
local state, fields = find(ARGV[5])
if state == 'ok' then
  touch()
  redis.call('HSET', key, 'd:' .. ARGV[6], ARGV[7])
  fields = redis.call('HGETALL', key)
end
return {state, count(), fields or {}}
`,
    2,
  ),
  /** ARGV[5]: nonce, ARGV[6]: step, ARGV[7]: the values (JSON). Replies with `replacedEarlier` as it was, then clears it. */
  sessionAccept: script(
    `
local state, fields = find(ARGV[5])
if state == 'ok' then
  touch()
  redis.call('HSET', key, 'a:' .. ARGV[6], ARGV[7])
  redis.call('HDEL', key, 'd:' .. ARGV[6])
  fields = redis.call('HGETALL', key)
  redis.call('HSET', key, 'replacedEarlier', '0')
end
return {state, count(), fields or {}}
`,
    2,
  ),
  /**
   * ARGV[5]: nonce. Removes the session whose order was committed, if it is still this one (a new
   * form the user started meanwhile stays), and replies its fields.
   */
  sessionComplete: script(
    `
if redis.call('HGET', key, 'nonce') ~= ARGV[5] then return {'gone', count(), {}} end
local fields = redis.call('HGETALL', key)
drop()
return {'ok', count(), fields}
`,
    2,
  ),
  /** ARGV[5..]: the session's fields. Writes them unless the user has a live session; an expired leftover is replied. */
  sessionRestore: script(
    `
local touched = redis.call('HGET', key, 'touchedAt')
if touched and not expired(touched) then return {'kept', count(), {}} end
local leftover = redis.call('HGETALL', key)
drop()
redis.call('HSET', key, unpack(ARGV, 5))
touch()
return {'ok', count(), leftover}
`,
    2,
  ),
  /** Removes the user's session, whatever its nonce. */
  sessionEnd: script(
    `
local fields = redis.call('HGETALL', key)
drop()
return {'ok', count(), fields}
`,
    2,
  ),
  /**
   * KEYS: the sorted set. ARGV: now, the prefix of users' hashes, the batch size. Removes members
   * expired by now, removes their hashes (kept {@link KEY_GRACE_MS} past the idle time for this)
   * and replies them, so each expiry is reported once, by whichever process sweeps first.
   */
  sessionSweep: script(
    `
local users = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local found = {}
for _, user in ipairs(users) do
  redis.call('ZREM', KEYS[1], user)
  local key = ARGV[2] .. user
  local fields = redis.call('HGETALL', key)
  if #fields > 0 then
    redis.call('DEL', key)
    found[#found + 1] = fields
  end
end
return {#users, redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf'), found}
`,
    1,
  ),
};

/** The per-user scripts by operation. */
const SCRIPT_NAMES = {
  start: 'sessionStart',
  get: 'sessionGet',
  saveDraft: 'sessionSaveDraft',
  accept: 'sessionAccept',
  complete: 'sessionComplete',
  restore: 'sessionRestore',
  end: 'sessionEnd',
} as const satisfies Record<string, keyof typeof SCRIPTS>;
type UserScript = keyof typeof SCRIPT_NAMES;

/** Creates the Redis session store and connects; rejects when Redis cannot be reached in time. */
export async function createRedisSessionStore(
  options: RedisSessionStoreOptions,
): Promise<SessionStore & { gatewaySessions: GatewaySessionStore }> {
  const settings = { ...DEFAULTS, ...options };
  const { now, log, onStart, onEnd, keyPrefix } = settings;
  let ttlMs = settings.ttlMs;
  let maxSessions = settings.maxSessions;
  let size = 0;
  const liveKey = `${keyPrefix}live`;
  const userPrefix = `${keyPrefix}user:`;

  const client = createClient({
    url: settings.url,
    scripts: SCRIPTS,
    // A call while disconnected rejects at once (the customer is asked to try again) instead of
    // waiting in a queue past Discord's answer window.
    disableOfflineQueue: true,
    commandOptions: { timeout: settings.commandTimeoutMs },
  });
  // Without a listener an 'error' event would end the process; node-redis emits one per failed
  // reconnect, so an outage is logged once, and its end once.
  let down = false;
  client.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    log.warn('sessions.redis_error', { error });
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('sessions.redis_ready');
  });

  let connectTimer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_resolve, reject) => {
        connectTimer = setTimeout(
          () =>
            reject(new Error(`Redis session store: no connection within ${settings.connectTimeoutMs} ms`)),
          settings.connectTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    client.destroy();
    throw error;
  } finally {
    clearTimeout(connectTimer);
  }

  /** Runs a per-user script; a failure rejects with what was attempted. */
  const run = async (name: UserScript, userId: string, args: readonly string[]): Promise<unknown[]> => {
    const at = now();
    try {
      const reply = await client[SCRIPT_NAMES[name]](
        [liveKey, userPrefix + userId],
        [userId, String(at), String(ttlMs), String(at + ttlMs), ...args],
      );
      const parts = list(reply);
      size = Number(parts[1]);
      return parts;
    } catch (error) {
      throw failure(name, error);
    }
  };

  /** Runs a script that reads or changes the session with `nonce`: the session, or undefined. */
  const change = async (
    name: 'get' | 'saveDraft' | 'accept',
    userId: string,
    nonce: string,
    args: readonly string[] = [],
  ): Promise<OrderSession | undefined> => {
    const [state, , fields] = await run(name, userId, [nonce, ...args]);
    if (state === 'expired') onEnd(toSession(fields), 'expired');
    return state === 'ok' ? toSession(fields) : undefined;
  };
  const step = (n: number, values: StoredStepValues) => [String(n), JSON.stringify(values)];

  const gatewayKey = (shardId: number) => `${keyPrefix}gateway:${shardId}`;
  const gatewaySessions: GatewaySessionStore = {
    async load(shardId) {
      const text = await client.get(gatewayKey(shardId));
      return text ? (JSON.parse(text) as GatewaySession) : null;
    },
    async save(shardId, session) {
      if (session)
        await client.set(gatewayKey(shardId), JSON.stringify(session), { PX: GATEWAY_SESSION_TTL_MS });
      else await client.del(gatewayKey(shardId));
    },
  };

  const store: SessionStore & { gatewaySessions: GatewaySessionStore } = {
    gatewaySessions,
    get size() {
      return size;
    },
    async start(userId, email, guildId, formId, language) {
      const at = now();
      const fresh: OrderSession = {
        userId,
        nonce: randomBytes(6).toString('base64url'),
        email,
        guildId,
        formId,
        language,
        createdAt: at,
        touchedAt: at,
        replacedEarlier: false,
        accepted: {},
        drafts: {},
      };
      const [state, , previous, ended] = await run('start', userId, [
        String(maxSessions),
        ...fromSession(fresh),
      ]);
      if (ended === 'replaced' || ended === 'expired') onEnd(toSession(previous), ended);
      if (state === 'full') return { ok: false, reason: 'full' };
      const replaced = ended === 'replaced';
      const session: OrderSession = { ...fresh, replacedEarlier: replaced };
      onStart(session);
      return { ok: true, session, replaced };
    },
    get: (userId, nonce) => change('get', userId, nonce),
    saveDraft: (userId, nonce, n, values) => change('saveDraft', userId, nonce, step(n, values)),
    accept: (userId, nonce, n, values) => change('accept', userId, nonce, step(n, values)),
    // The final step is accepted like any other and the session stays until its order is
    // committed: a process that dies in between leaves the form for the customer's next submit,
    // and the order's commit (keyed by the session's nonce) makes one order however many submit.
    finish: (userId, nonce, n, values) => change('accept', userId, nonce, step(n, values)),
    async completed(session) {
      const [state] = await run('complete', session.userId, [session.nonce]);
      if (state === 'ok') onEnd(session, 'completed');
    },
    async restore(session) {
      const [state, , leftover] = await run(
        'restore',
        session.userId,
        fromSession({ ...session, touchedAt: now() }),
      );
      if (state === 'ok' && list(leftover).length > 0) onEnd(toSession(leftover), 'expired');
    },
    async end(userId, reason) {
      const [, , fields] = await run('end', userId, []);
      if (list(fields).length > 0) onEnd(toSession(fields), reason);
    },
    async sweep() {
      let removed = 0;
      for (;;) {
        let parts: unknown[];
        try {
          parts = list(
            await client.sessionSweep([liveKey], [String(now()), userPrefix, String(SWEEP_BATCH)]),
          );
        } catch (error) {
          throw failure('sweep', error);
        }
        const [batch, live, found] = parts;
        size = Number(live);
        for (const fields of list(found)) onEnd(toSession(fields), 'expired');
        removed += Number(batch);
        if (Number(batch) < SWEEP_BATCH) return removed;
      }
    },
    configure(newTtlMs, newMaxSessions) {
      ttlMs = newTtlMs;
      maxSessions = newMaxSessions;
    },
    async close() {
      clearInterval(timer);
      if (!client.isOpen) return;
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };

  const timer =
    settings.refreshIntervalMs > 0
      ? setInterval(() => {
          // An outage is already logged once by the client's 'error' listener.
          store.sweep().catch((error: unknown) => log.debug('sessions.refresh_failed', { error }));
        }, settings.refreshIntervalMs)
      : undefined;
  timer?.unref();
  try {
    await store.sweep();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** The error a call rejects with: which operation, and the client's error as the cause. */
function failure(operation: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`Redis session store: ${operation} failed: ${message}`, { cause: error });
}

/** A reply that must be an array (Lua tables arrive as arrays; nil as null). */
function list(reply: unknown): unknown[] {
  if (Array.isArray(reply)) return reply;
  if (reply === null || reply === undefined) return [];
  throw new Error(`Redis session store: unexpected reply ${JSON.stringify(reply)}`);
}

/** A session from its hash's fields (HGETALL's flat list of names and values). */
function toSession(reply: unknown): OrderSession {
  const flat = list(reply).map(String);
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
  const accepted: Record<number, StoredStepValues> = {};
  const drafts: Record<number, StoredStepValues> = {};
  for (const [name, value] of fields) {
    if (name.startsWith('a:')) accepted[Number(name.slice(2))] = JSON.parse(value) as StoredStepValues;
    else if (name.startsWith('d:')) drafts[Number(name.slice(2))] = JSON.parse(value) as StoredStepValues;
  }
  return {
    userId: fields.get('userId') ?? '',
    nonce: fields.get('nonce') ?? '',
    email: fields.get('email') ?? '',
    guildId: fields.get('guildId'),
    formId: fields.get('formId') ?? '',
    language: fields.get('language'),
    createdAt: Number(fields.get('createdAt')),
    touchedAt: Number(fields.get('touchedAt')),
    replacedEarlier: fields.get('replacedEarlier') === '1',
    accepted,
    drafts,
  };
}

/** A session as its hash's fields (names and values in turn), the inverse of {@link toSession}. */
function fromSession(session: OrderSession): string[] {
  const flat = [
    'userId',
    session.userId,
    'nonce',
    session.nonce,
    'email',
    session.email,
    'formId',
    session.formId,
    'createdAt',
    String(session.createdAt),
    'touchedAt',
    String(session.touchedAt),
    'replacedEarlier',
    session.replacedEarlier ? '1' : '0',
  ];
  if (session.guildId !== undefined) flat.push('guildId', session.guildId);
  if (session.language !== undefined) flat.push('language', session.language);
  for (const [step, values] of Object.entries(session.accepted))
    flat.push(`a:${step}`, JSON.stringify(values));
  for (const [step, values] of Object.entries(session.drafts)) flat.push(`d:${step}`, JSON.stringify(values));
  return flat;
}
