/**
 * @module gateway/gateway
 * The websocket, and only that: @discordjs/ws with the Guilds intent, automatic or configured
 * shards, every dispatch to one callback. Keeps per-shard readiness and heartbeat latency, and
 * per-guild member counts. REST is built by the composition and injected, as @discordjs/ws itself
 * takes it (`new WebSocketManager({ rest })`).
 */
import type { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayDispatchEvents, type GatewayDispatchPayload, GatewayIntentBits } from 'discord-api-types/v10';
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
  const manager = new WebSocketManager({
    token: options.token,
    intents: GatewayIntentBits.Guilds,
    rest: options.rest,
    shardCount: options.shardCount === 'auto' ? null : options.shardCount,
    shardIds: options.shardIds ? [...options.shardIds] : null,
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
  manager.on(WebSocketShardEvents.Resumed, (shardId) => {
    ready.add(shardId);
    log.info('gateway.shard_resumed', { shard: shardId });
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
      state.shardTotal = (await manager.getShardIds()).length;
      await manager.connect();
    },
    async destroy() {
      await manager.destroy({ reason: 'shutting down', code: 1000 });
      ready.clear();
    },
  };
}
