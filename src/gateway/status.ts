/**
 * @module gateway/status
 * What the gateway knows that the rest of the bot reads: per-shard readiness and heartbeat
 * latency, and member counts per guild (a number per guild, no Discord objects). Built before the
 * gateway and handed to it, so readers (diagnostics, health) need not wait for the connection.
 */

/** Member counts per guild: a number each, nothing else. */
export interface GuildCounter {
  set(guildId: string, memberCount: number): void;
  delete(guildId: string): void;
  readonly size: number;
  readonly members: number;
  /** The IDs of the guilds the bot is in. */
  ids(): IterableIterator<string>;
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
    ids: () => counts.keys(),
  };
}

/** Live gateway figures, read on demand. */
export interface GatewayStatus {
  /** Whether this process connects to the gateway at all (`DISCORD_GATEWAY`); the figures below are 0 when not. */
  readonly enabled: boolean;
  /** Average heartbeat round trip over shards that measured one, or undefined before the first. */
  latencyMs(): number | undefined;
  shardsReady(): number;
  shardTotal(): number;
  guilds(): number;
  /** Sum of member counts from GUILD_CREATE. */
  users(): number;
}

/** The gateway's side: it records what happens; {@link GatewayState.status} reads it. */
export interface GatewayState {
  readonly status: GatewayStatus;
  readonly guilds: GuildCounter;
  readonly readyShards: Set<number>;
  readonly latency: Map<number, number>;
  shardTotal: number;
}

/** Creates the empty state; `enabled: false` for a process without a gateway connection. */
export function createGatewayState({ enabled = true }: { enabled?: boolean } = {}): GatewayState {
  const guilds = createGuildCounter();
  const readyShards = new Set<number>();
  const latency = new Map<number, number>();
  const state: GatewayState = {
    guilds,
    readyShards,
    latency,
    shardTotal: 0,
    status: {
      enabled,
      latencyMs() {
        if (latency.size === 0) return undefined;
        let sum = 0;
        for (const ms of latency.values()) sum += ms;
        return sum / latency.size;
      },
      shardsReady: () => readyShards.size,
      shardTotal: () => state.shardTotal,
      guilds: () => guilds.size,
      users: () => guilds.members,
    },
  };
  return state;
}
