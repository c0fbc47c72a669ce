/**
 * @module gateway/connection
 * Wires @discordjs/rest and @discordjs/ws: Guilds intent only, automatic or configured shards,
 * every dispatch to one callback. Keeps per-shard readiness and heartbeat latency, and per-guild
 * member counts (a number per guild, no Discord objects).
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayDispatchEvents, type GatewayDispatchPayload, GatewayIntentBits } from 'discord-api-types/v10';
import type { Logger } from '../log.ts';
import type { GatewayStatus } from '../metrics.ts';
import { createHttpClient } from './http-request.ts';
import { createInteractionApi, type InteractionApi } from './interactions.ts';

/** Options for {@link createGateway}. */
export interface GatewayOptions {
  token: string;
  /** Discord's API base URL (`DISCORD_API_URL`). */
  apiUrl: string;
  /** `'auto'` asks Discord (GET /gateway/bot). */
  shardCount: number | 'auto';
  shardIds?: readonly number[] | undefined;
  log: Logger;
  onDispatch: (payload: GatewayDispatchPayload, shardId: number) => void;
  /** Called once, when every shard is ready for the first time. */
  onAllReady?: (info: { user: string; applicationId: string; shards: number; guilds: number }) => void;
}

/** The connected gateway and REST client. */
export interface Gateway {
  readonly rest: REST;
  /** The interaction routes, outside @discordjs/rest's queue. */
  readonly interactions: InteractionApi;
  readonly status: GatewayStatus;
  /** Per-guild member counts, fed by the dispatch table. */
  readonly guilds: GuildCounter;
  connect(): Promise<void>;
  destroy(): Promise<void>;
}

/** Member counts per guild: a number each, nothing else. */
export interface GuildCounter {
  set(guildId: string, memberCount: number): void;
  delete(guildId: string): void;
  readonly size: number;
  readonly members: number;
}

/** Creates the member-count map. */
export function createGuildCounter(): GuildCounter {
  const counts = new Map<string, number>();
  let members = 0;
  return {
    set(guildId, memberCount) {
      members += memberCount - (counts.get(guildId) ?? 0);
      counts.set(guildId, memberCount);
    },
    delete(guildId) {
      members -= counts.get(guildId) ?? 0;
      counts.delete(guildId);
    },
    get size() {
      return counts.size;
    },
    get members() {
      return members;
    },
  };
}

/**
 * Creates the REST clients used by the gateway, the handlers and the CLIs: @discordjs/rest for
 * bot-token routes (gateway, commands, the staff channel) and the interaction API for answers,
 * sharing one keep-alive connection pool.
 */
export function createRest(token: string, apiUrl: string) {
  const http = createHttpClient();
  const rest = new REST({
    api: apiUrl,
    version: '10',
    makeRequest: http.makeRequest,
    timeout: 10_000,
  }).setToken(token);
  const interactions = createInteractionApi({ http, apiUrl });
  return { rest, interactions, destroy: () => http.destroy() };
}

/** Creates the gateway connection (not yet connected). */
export function createGateway(options: GatewayOptions): Gateway {
  const { log } = options;
  const { rest, interactions, destroy: destroyRest } = createRest(options.token, options.apiUrl);
  const manager = new WebSocketManager({
    token: options.token,
    intents: GatewayIntentBits.Guilds,
    rest,
    shardCount: options.shardCount === 'auto' ? null : options.shardCount,
    shardIds: options.shardIds ? [...options.shardIds] : null,
  });
  const guilds = createGuildCounter();
  const ready = new Set<number>();
  const latency = new Map<number, number>();
  let shardTotal = 0;
  let announced = false;
  let readyInfo: { user: string; applicationId: string } | undefined;

  /** Guilds named in READY whose GUILD_CREATE has not arrived yet. */
  const pending = new Set<string>();
  const announce = () => {
    if (announced || !readyInfo || shardTotal === 0 || ready.size < shardTotal || pending.size > 0) return;
    announced = true;
    options.onAllReady?.({ ...readyInfo, shards: shardTotal, guilds: guilds.size });
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
  });
  manager.on(WebSocketShardEvents.HeartbeatComplete, ({ latency: ms }, shardId) => latency.set(shardId, ms));
  manager.on(WebSocketShardEvents.Error, (error, shardId) =>
    log.error('gateway.shard_error', { shard: shardId, error }),
  );
  if (log.enabled('debug')) {
    manager.on(WebSocketShardEvents.Debug, (message, shardId) =>
      log.debug('gateway.debug', { shard: shardId, message }),
    );
  }

  const status: GatewayStatus = {
    latencyMs() {
      if (latency.size === 0) return undefined;
      let sum = 0;
      for (const ms of latency.values()) sum += ms;
      return sum / latency.size;
    },
    shardsReady: () => ready.size,
    shardTotal: () => shardTotal,
    guilds: () => guilds.size,
    users: () => guilds.members,
  };

  return {
    rest,
    interactions,
    status,
    guilds,
    async connect() {
      shardTotal = (await manager.getShardIds()).length;
      await manager.connect();
    },
    async destroy() {
      await manager.destroy({ reason: 'shutting down', code: 1000 });
      ready.clear();
      destroyRest();
    },
  };
}
