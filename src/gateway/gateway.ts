/**
 * @module gateway/gateway
 * The websocket, and only that: @discordjs/ws with the Guilds intent, automatic or configured
 * shards, every dispatch to one callback. Keeps per-shard readiness and heartbeat latency, and
 * per-guild member counts. REST is built by the composition and injected, as @discordjs/ws itself
 * takes it (`new WebSocketManager({ rest })`).
 */
import type { REST } from '@discordjs/rest';
import { type SessionInfo, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import {
  type APIUser,
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  GatewayIntentBits,
  type RESTGetAPICurrentUserGuildsResult,
  Routes,
} from 'discord-api-types/v10';
import type { Logger } from '../log.ts';
import type { GatewayState } from './status.ts';

/**
 * Close codes after which Discord will not take the connection back: @discordjs/ws stops the shard
 * and nothing reconnects, so the process must end with a reason (exit 1) rather than idle.
 * Each message says what the owner should do.
 */
export const FATAL_CLOSE_CODES: Readonly<Record<number, string>> = {
  4004: 'Discord rejected the token (4004): reset it in the developer portal (Bot -> Reset Token) and update DISCORD_BOT_TOKEN',
  4010: 'Discord rejected the shard settings (4010 invalid shard): check shard_count and shard_ids in config.json',
  4011: 'Discord requires more shards (4011 sharding required): set shard_count to "auto" in config.json',
  4012: 'Discord refused the gateway version (4012): update the bot (git pull, npm ci, npm run build)',
  4013: 'Discord refused the gateway intents (4013 invalid intents): update the bot',
  4014: 'Discord refused a privileged intent (4014 disallowed intents): the bot needs none; update the bot',
};

/**
 * Where shard sessions are kept between processes (Redis), so a gateway process started again
 * resumes its shards instead of identifying anew.
 */
export interface ShardSessionKeeper {
  load(shardId: number): Promise<SessionInfo | null>;
  save(shardId: number, session: SessionInfo | null): Promise<void>;
}

/** A shard's sequence number is saved at most this often (READY and a forgotten session at once). */
const SEQUENCE_SAVE_MS = 1000;
/** Guilds per page of GET /users/@me/guilds (Discord's maximum). */
const GUILDS_PAGE = 200;

/** Options for {@link createGateway}. */
export interface GatewayOptions {
  /** The REST client (GET /gateway/bot gives the URL and the shard count). */
  rest: REST;
  /** Where readiness, latency and member counts are recorded (see `gateway/status.ts`). */
  state: GatewayState;
  token: string;
  /** `'auto'` asks Discord (GET /gateway/bot). */
  shardCount: number | 'auto';
  shardIds?: readonly number[] | undefined;
  log: Logger;
  onDispatch: (payload: GatewayDispatchPayload, shardId: number) => void;
  /** Called when Discord closes a shard for good (see {@link FATAL_CLOSE_CODES}), with what to do. */
  onFatal?: (code: number, message: string) => void;
  /**
   * Keeps shard sessions across processes: a process started again resumes them (its server counts
   * then come from REST, as a resumed session sends no GUILD_CREATE), and stopping keeps them
   * resumable. Unset: sessions live and die with the process.
   */
  sessions?: ShardSessionKeeper | undefined;
  /** Called once, when every shard is ready for the first time. */
  onAllReady?: (info: { user: string; applicationId: string; shards: number; guilds: number }) => void;
}

/** The gateway connection. */
export interface Gateway {
  connect(): Promise<void>;
  destroy(): Promise<void>;
}

/** Creates the gateway connection (not yet connected). */
export function createGateway(options: GatewayOptions): Gateway {
  const { log } = options;
  const keeper = options.sessions ? keepSessions(options.sessions, log) : undefined;
  const manager = new WebSocketManager({
    token: options.token,
    intents: GatewayIntentBits.Guilds,
    rest: options.rest,
    shardCount: options.shardCount === 'auto' ? null : options.shardCount,
    shardIds: options.shardIds ? [...options.shardIds] : null,
    ...(keeper ? { retrieveSessionInfo: keeper.retrieve, updateSessionInfo: keeper.update } : {}),
  });
  const { state } = options;
  const { guilds, readyShards: ready, latency } = state;
  let announced = false;
  let readyInfo: { user: string; applicationId: string } | undefined;

  /** Guilds named in READY whose GUILD_CREATE has not arrived yet. */
  const pending = new Set<string>();
  const announce = () => {
    if (
      announced ||
      !readyInfo ||
      state.shardTotal === 0 ||
      ready.size < state.shardTotal ||
      pending.size > 0
    )
      return;
    announced = true;
    options.onAllReady?.({ ...readyInfo, shards: state.shardTotal, guilds: guilds.size });
  };

  manager.on(WebSocketShardEvents.Dispatch, (payload, shardId) => {
    switch (payload.t) {
      case GatewayDispatchEvents.GuildCreate:
        guilds.set(payload.d.id, payload.d.member_count ?? 0);
        if (pending.delete(payload.d.id)) announce();
        break;
      case GatewayDispatchEvents.GuildDelete:
        // unavailable: true is an outage; the bot is still in the guild.
        if (payload.d.unavailable !== true) guilds.delete(payload.d.id);
        break;
      default:
        break;
    }
    options.onDispatch(payload, shardId);
  });
  manager.on(WebSocketShardEvents.Ready, (data, shardId) => {
    ready.add(shardId);
    identified.add(shardId);
    if (!announced) for (const guild of data.guilds) pending.add(guild.id);
    readyInfo ??= { user: data.user.username, applicationId: data.application.id };
    log.info('gateway.shard_ready', { shard: shardId, guilds_in_ready: data.guilds.length });
    announce();
    // A guild in an outage may never send GUILD_CREATE: do not wait for it forever.
    setTimeout(() => {
      pending.clear();
      announce();
    }, 30_000).unref();
  });
  /**
   * A session resumed by a process that never saw its READY: who the bot is and the member counts
   * of its shards' guilds come from REST (a resumed session replays only missed events). Once.
   */
  let learning: Promise<void> | undefined;
  const learnFromRest = async () => {
    const me = (await options.rest.get(Routes.user())) as APIUser;
    const shardCount = await manager.getShardCount();
    const mine = new Set(await manager.getShardIds());
    let after: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: String(GUILDS_PAGE), with_counts: 'true' });
      if (after) query.set('after', after);
      const page = (await options.rest.get(Routes.userGuilds(), {
        query,
      })) as RESTGetAPICurrentUserGuildsResult;
      for (const guild of page) {
        if (mine.has(Number((BigInt(guild.id) >> 22n) % BigInt(shardCount))))
          guilds.set(guild.id, guild.approximate_member_count ?? 0);
      }
      if (page.length < GUILDS_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    readyInfo ??= { user: me.username, applicationId: me.id };
  };
  /** Shards that identified (READY) in this process: they got their guilds from GUILD_CREATE. */
  const identified = new Set<number>();
  manager.on(WebSocketShardEvents.Resumed, (shardId) => {
    ready.add(shardId);
    log.info('gateway.shard_resumed', { shard: shardId });
    if (identified.has(shardId)) return;
    learning ??= learnFromRest().catch((error: unknown) => {
      learning = undefined;
      log.warn('gateway.guilds_unknown', {
        error,
        note: 'server counts stay empty until a shard identifies',
      });
    });
    void learning.then(announce);
  });
  manager.on(WebSocketShardEvents.Closed, (code, shardId) => {
    ready.delete(shardId);
    latency.delete(shardId);
    log.warn('gateway.shard_closed', { shard: shardId, code });
    const fatal = FATAL_CLOSE_CODES[code];
    if (fatal) options.onFatal?.(code, fatal);
  });
  manager.on(WebSocketShardEvents.HeartbeatComplete, ({ latency: ms }, shardId) => latency.set(shardId, ms));
  manager.on(WebSocketShardEvents.Error, (error, shardId) =>
    log.error('gateway.shard_error', { shard: shardId, error }),
  );
  // A socket-level failure (reset, refused); @discordjs/ws reconnects on its own.
  manager.on(WebSocketShardEvents.SocketError, (error, shardId) =>
    log.warn('gateway.socket_error', { shard: shardId, error }),
  );
  if (log.enabled('debug')) {
    manager.on(WebSocketShardEvents.Debug, (message, shardId) =>
      log.debug('gateway.debug', { shard: shardId, message }),
    );
  }

  return {
    async connect() {
      const shardIds = await manager.getShardIds();
      state.shardTotal = shardIds.length;
      await keeper?.preload(shardIds);
      await manager.connect();
    },
    async destroy() {
      if (keeper) {
        // Any code but 1000/1001 leaves the session resumable for the process that takes over.
        keeper.closing = true;
        await manager.destroy({ reason: 'restarting', code: 4000 });
        await keeper.flush();
      } else await manager.destroy({ reason: 'shutting down', code: 1000 });
      ready.clear();
    },
  };
}

/**
 * @discordjs/ws's session hooks over a {@link ShardSessionKeeper}. The shards' sessions are read
 * before connecting ({@link preload}) and then answered from memory, synchronously: @discordjs/ws
 * handles each gateway message in its own promise and awaits these hooks on every dispatch, so a
 * hook that waited for Redis let a GUILD_CREATE overtake its READY. Saves leave in the background:
 * the sequence number at most once a second, a new or forgotten session at once; {@link flush}
 * waits for them. While closing, a forgotten session is not passed on: it stays resumable for the
 * next process.
 */
function keepSessions(store: ShardSessionKeeper, log: Logger) {
  const cache = new Map<number, SessionInfo | null>();
  const dirty = new Set<number>();
  const writing = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  const save = (shardId: number, session: SessionInfo | null) => {
    const write = store
      .save(shardId, session)
      .catch((error: unknown) => log.warn('gateway.session_save_failed', { shard: shardId, error }))
      .finally(() => writing.delete(write));
    writing.add(write);
  };
  const keeper = {
    closing: false,
    /** Reads the sessions of `shardIds` (a session that cannot be read: the shard identifies). */
    async preload(shardIds: readonly number[]) {
      await Promise.all(
        shardIds.map(async (shardId) => {
          try {
            cache.set(shardId, await store.load(shardId));
          } catch (error) {
            log.warn('gateway.session_load_failed', { shard: shardId, error });
            cache.set(shardId, null);
          }
        }),
      );
    },
    /** Writes what is pending and waits for every write. */
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      for (const shardId of dirty) save(shardId, cache.get(shardId) ?? null);
      dirty.clear();
      await Promise.all([...writing]);
    },
    retrieve(shardId: number): SessionInfo | null {
      return cache.get(shardId) ?? null;
    },
    update(shardId: number, session: SessionInfo | null): void {
      if (session === null && keeper.closing) return;
      const previous = cache.get(shardId);
      cache.set(shardId, session);
      if (session === null || previous?.sessionId !== session.sessionId) {
        dirty.delete(shardId);
        save(shardId, session);
        return;
      }
      dirty.add(shardId);
      timer ??= setTimeout(() => void keeper.flush(), SEQUENCE_SAVE_MS);
      timer.unref();
    },
  };
  return keeper;
}
