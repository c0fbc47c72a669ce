/**
 * @module test/support/fake-discord
 * A local stand-in for Discord on 127.0.0.1: the REST routes the bot uses and a gateway that
 * speaks HELLO, IDENTIFY, READY (with resume_gateway_url), GUILD_CREATE, heartbeats, RESUME and
 * RESUMED. It records every request, injects interactions, enforces the 3-second deadline and
 * "already acknowledged", and answers a body Discord would reject with Discord's 400 error shape.
 * Interactions go over the gateway, or, once {@link FakeDiscord.deliverOverHttp} names the bot's
 * endpoints, as signed HTTP POSTs (Ed25519, with a key pair the fake makes; its public key is
 * `publicKeyHex`), whose response is taken as the interaction callback, checked as one.
 *
 * Used by the end-to-end tests, `npm run demo` and `npm run bench`.
 */
import { sign as ed25519Sign, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  checkCommands,
  checkMessage,
  checkModal,
  invalidFormBody,
  type LimitProblem,
} from './discord-limits.ts';
import { createSpecValidator, type SpecValidator } from './openapi.ts';

/** One checker per process: the spec is parsed once and each route compiled on first use. */
let sharedSpec: SpecValidator | undefined;

type Json = Record<string, unknown>;

/** How big each generated guild is. */
export interface GuildShape {
  channels: number;
  roles: number;
  members: number;
  emojis: number;
}

/** A small guild, for fast tests. */
export const SMALL_GUILD: GuildShape = { channels: 3, roles: 2, members: 3, emojis: 0 };
/** A realistic guild (the benchmark's). */
export const REALISTIC_GUILD: GuildShape = { channels: 30, roles: 15, members: 25, emojis: 20 };

/** Options for {@link startFakeDiscord}. */
export interface FakeDiscordOptions {
  token?: string;
  guilds?: number;
  /** Shards recommended by GET /gateway/bot. @defaultValue `1` */
  shards?: number;
  guildShape?: GuildShape;
  /** @defaultValue 41,250 ms like Discord; tests use less to see latency sooner. */
  heartbeatIntervalMs?: number;
  /** Interaction callbacks later than this are answered 404 Unknown interaction. @defaultValue `3000` */
  interactionDeadlineMs?: number;
  /** Wait this long after IDENTIFY before READY (to observe a bot that is not ready yet). */
  readyDelayMs?: number;
  /** Shards that may IDENTIFY at once (session_start_limit.max_concurrency). @defaultValue `16` */
  maxConcurrency?: number;
  /** Whether GET /applications/@me says the bot is public. @defaultValue `true` (Discord's default) */
  botPublic?: boolean;
  /** Member count reported per guild. @defaultValue from the shape */
  memberCount?: (index: number) => number;
  /**
   * Check every request against Discord's OpenAPI description; a request that does not conform is
   * answered 400 and recorded, and `close()` then rejects with the list. @defaultValue `true`
   * (the benchmark turns it off: it costs CPU the load generator needs)
   */
  openApi?: boolean;
  /**
   * Discord's global rate limit for the bot token: more than this many bot-token requests (not
   * interaction callbacks or interaction webhooks) in one window are answered 429 with
   * `X-RateLimit-Global: true`, `Retry-After` in whole seconds (rounded up, as Discord sends it) and
   * `{"message", "retry_after", "global": true}`. A window opens with the first request after the
   * last one closed and lasts one second. @defaultValue off (Discord's is 50)
   */
  globalRequestsPerSecond?: number;
}

/** One recorded REST request. */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
  at: number;
  /** For interaction routes: the interaction id. */
  interactionId?: string;
}

/** What the bot answered to one interaction, as Discord keeps it. */
export interface InteractionRecord {
  interaction: Json;
  sentAt: number;
  /** performance.now() when the event was written to the socket. */
  sentAtHr: number;
  /** performance.now() when the callback request arrived. */
  callbackAtHr?: number;
  /** The interaction callback (type and data). */
  callback?: { type: number; data?: Json; at: number };
  /** The original response message after edits. */
  original?: Json;
  edits: Json[];
  followUps: Json[];
  rejected: { status: number; body: unknown }[];
  /** While an HTTP delivery waits for its response: follow-ups wait for it, as on Discord. */
  httpPending?: Promise<void>;
  /** The endpoint an HTTP delivery went to (the last one, for `injectToAll`). */
  deliveredTo?: string;
}

/** A user the tests act as. */
export interface FakeUser {
  id: string;
  username: string;
  /** Permission bit string of the member in the channel. @defaultValue everyday member permissions */
  permissions?: string;
  roles?: string[];
  /** The user's Discord language (`locale` of their interactions). @defaultValue `en-US` */
  locale?: string;
}

const DISCORD_EPOCH = 1_420_070_400_000n;
/** Permissions an everyday member has (view, send, read history, use commands). */
export const MEMBER_PERMISSIONS = String(1024n | 2048n | 65536n | 2147483648n);
/** Administrator. */
export const ADMIN_PERMISSIONS = String(8n | 32n | 1024n | 2048n);

let counter = 0n;
/** A fresh snowflake. */
export function snowflake(at = Date.now()): string {
  counter = (counter + 1n) & 0xfffn;
  return String(((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | counter);
}

/** The fake. */
export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;

/** Starts the fake Discord on an ephemeral 127.0.0.1 port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}) {
  const token = options.token ?? 'fake-bot-token';
  const shardCount = options.shards ?? 1;
  const botPublic = options.botPublic ?? true;
  const shape = options.guildShape ?? SMALL_GUILD;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 41_250;
  const deadlineMs = options.interactionDeadlineMs ?? 3000;
  const maxConcurrency = options.maxConcurrency ?? 16;
  const applicationId = snowflake();
  const botUser = {
    id: applicationId,
    username: 'Lean Order Bot',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
  };
  const baseTime = Date.now() - 86_400_000;
  const guildIds: string[] = [];
  const channelByGuild = new Map<string, string>();
  let guildCount = options.guilds ?? 1;
  const makeGuildIds = () => {
    for (let i = guildIds.length; i < guildCount; i++) {
      // Consecutive timestamps spread guilds over shards the way Discord does: (id >> 22) % shards.
      const id = String(((BigInt(baseTime + i) - DISCORD_EPOCH) << 22n) | BigInt(i % 4096));
      guildIds.push(id);
      channelByGuild.set(id, String(BigInt(id) + 1n));
    }
  };
  makeGuildIds();

  const requests: RecordedRequest[] = [];
  if (options.openApi !== false) sharedSpec ??= createSpecValidator();
  const spec = options.openApi === false ? undefined : sharedSpec;
  /** Requests that do not conform to Discord's OpenAPI description. */
  const specViolations: string[] = [];
  let specChecked = 0;
  /** The global limit's current window: when it opened and the bot-token requests it let through. */
  const globalWindow = { openedAt: 0, used: 0 };
  /** Requests answered 429 by the global limit. */
  let globalLimited = 0;
  const interactions = new Map<string, InteractionRecord>();
  const byToken = new Map<string, InteractionRecord>();
  const channelMessages: { channelId: string; body: Json; at: number; message: Json }[] = [];
  /** Channels the bot may not post in (answered 403 Missing Access). */
  const deniedChannels = new Set<string>();
  /** DM channels the bot opened, by recipient user ID. */
  const dmChannels = new Map<string, string>();
  /** Users who do not accept direct messages (Discord answers 50007). */
  const closedDms = new Set<string>();
  /** Edits of channel messages (PATCH), oldest first. */
  const messageEdits: { channelId: string; messageId: string; body: Json; at: number }[] = [];
  /** How long an enforced nonce is remembered (Discord: a few minutes); tests set 0 for "much later". */
  let nonceMemoryMs = Number.POSITIVE_INFINITY;
  const failures: { match: (method: string, path: string) => boolean; status: number; times: number }[] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  /** The application's key pair: interactions delivered over HTTP are signed with it. */
  const signingKeys = generateKeyPairSync('ed25519');
  const publicKeyHex = Buffer.from(
    String(signingKeys.publicKey.export({ format: 'jwk' }).x),
    'base64url',
  ).toString('hex');
  /** The bot's interactions endpoints (`http://host:port/interactions`); empty: over the gateway. */
  let httpEndpoints: string[] = [];
  let pickEndpoint: (urls: readonly string[]) => string = (urls) => urls[0]!;
  const httpAgent = new http.Agent({ keepAlive: true });
  let sessionStartRemaining = 1000;
  let identifyCount = 0;
  let resumeCount = 0;

  // ---- gateway -----------------------------------------------------------------------------
  interface Session {
    id: string;
    shard: [number, number];
    seq: number;
    socket: WebSocket | undefined;
  }
  const sessions = new Map<string, Session>();
  const shardSockets = new Map<number, Session>();

  const server = http.createServer((req, res) => void handleHttp(req, res));
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/gateway')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onGatewayConnection(ws));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  const send = (ws: WebSocket | undefined, payload: Json) => {
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  };
  const dispatch = (session: Session, t: string, d: unknown) => {
    session.seq++;
    send(session.socket, { op: 0, t, s: session.seq, d });
  };

  function onGatewayConnection(ws: WebSocket) {
    let session: Session | undefined;
    send(ws, { op: 10, s: null, t: null, d: { heartbeat_interval: heartbeatInterval } });
    ws.on('message', (raw) => {
      let payload: Json;
      try {
        payload = JSON.parse(String(raw)) as Json;
      } catch {
        return ws.close(4002, 'Error while decoding payload.');
      }
      const d = payload.d as Json;
      switch (payload.op) {
        case 1:
          send(ws, { op: 11, s: null, t: null, d: null });
          break;
        case 2: {
          if (d.token !== token) return ws.close(4004, 'Authentication failed.');
          if (d.intents !== 1) return ws.close(4013, 'Invalid intent(s).');
          const shard = (d.shard as [number, number] | undefined) ?? [0, 1];
          if (shard[0] >= shard[1]) return ws.close(4010, 'Invalid shard.');
          identifyCount++;
          sessionStartRemaining--;
          session = { id: randomBytes(16).toString('hex'), shard, seq: 0, socket: ws };
          sessions.set(session.id, session);
          shardSockets.set(shard[0], session);
          const ready = session;
          const sendReady = () => {
            const mine = guildIds.filter((id) => Number((BigInt(id) >> 22n) % BigInt(shard[1])) === shard[0]);
            dispatch(ready, 'READY', {
              v: 10,
              user: botUser,
              guilds: mine.map((id) => ({ id, unavailable: true })),
              session_id: ready.id,
              resume_gateway_url: gatewayUrl,
              shard,
              application: { id: applicationId, flags: 0 },
            });
            for (const id of mine) dispatch(ready, 'GUILD_CREATE', makeGuild(id, guildIds.indexOf(id)));
            notify();
          };
          if (options.readyDelayMs) setTimeout(sendReady, options.readyDelayMs);
          else sendReady();
          notify();
          break;
        }
        case 6: {
          const previous = sessions.get(String(d.session_id));
          if (!previous || d.token !== token) {
            send(ws, { op: 9, s: null, t: null, d: false });
            break;
          }
          resumeCount++;
          session = previous;
          session.socket = ws;
          shardSockets.set(session.shard[0], session);
          dispatch(session, 'RESUMED', {});
          notify();
          break;
        }
        default:
          break;
      }
    });
    ws.on('close', () => {
      if (session?.socket === ws) session.socket = undefined;
    });
  }

  function makeGuild(id: string, index: number): Json {
    const idNum = BigInt(id);
    const sub = (n: number) => String(idNum + BigInt(n));
    const members = options.memberCount?.(index) ?? Math.max(shape.members, 1) * 4;
    return {
      id,
      name: `Guild ${index + 1}`,
      icon: null,
      owner_id: sub(900),
      region: 'us-west',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 0,
      features: ['COMMUNITY', 'NEWS'],
      mfa_level: 0,
      application_id: null,
      system_channel_id: sub(1),
      system_channel_flags: 0,
      rules_channel_id: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date(baseTime).toISOString(),
      large: members > 250,
      unavailable: false,
      member_count: members,
      lazy: true,
      stickers: [],
      stage_instances: [],
      guild_scheduled_events: [],
      threads: [],
      voice_states: [],
      presences: [],
      soundboard_sounds: [],
      roles: Array.from({ length: Math.max(shape.roles, 1) }, (_, r) => ({
        id: r === 0 ? id : sub(200 + r),
        name: r === 0 ? '@everyone' : `Role ${r}`,
        color: r * 1000,
        colors: { primary_color: r * 1000, secondary_color: null, tertiary_color: null },
        hoist: r % 3 === 0,
        icon: null,
        unicode_emoji: null,
        position: r,
        permissions: MEMBER_PERMISSIONS,
        managed: false,
        mentionable: false,
        flags: 0,
      })),
      emojis: Array.from({ length: shape.emojis }, (_, e) => ({
        id: sub(400 + e),
        name: `emoji_${e}`,
        roles: [],
        require_colons: true,
        managed: false,
        animated: e % 5 === 0,
        available: true,
      })),
      channels: Array.from({ length: shape.channels }, (_, c) => ({
        id: sub(1 + c),
        type: c % 10 === 9 ? 2 : 0,
        name: `channel-${c}`,
        position: c,
        parent_id: null,
        topic: c % 2 ? `Topic of channel ${c}, with a little text so it weighs what a real one does.` : null,
        nsfw: false,
        last_message_id: sub(5000 + c),
        rate_limit_per_user: 0,
        flags: 0,
        permission_overwrites: [
          { id, type: 0, allow: '0', deny: '2048' },
          { id: sub(201), type: 0, allow: '2048', deny: '0' },
        ],
      })),
      members: Array.from({ length: shape.members }, (_, m) => ({
        user: {
          id: sub(600 + m),
          username: `member${m}`,
          global_name: `Member ${m}`,
          discriminator: '0',
          avatar: m % 2 ? 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' : null,
          public_flags: 0,
        },
        nick: m % 4 === 0 ? `Nick ${m}` : null,
        roles: m % 3 === 0 ? [sub(201)] : [],
        joined_at: new Date(baseTime).toISOString(),
        premium_since: null,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
      })),
    };
  }

  // ---- REST --------------------------------------------------------------------------------
  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse) {
    const arrivedHr = performance.now();
    // Deadlines count from arrival: checking the request (below) must not make the bot late.
    const arrivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin);
    const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v\d+)?/, '');
    const record: RecordedRequest = { method, path, body, status: 0, at: arrivedAt };
    requests.push(record);
    const reply = (status: number, payload?: unknown) => {
      record.status = status;
      if (payload === undefined) {
        res.writeHead(status).end();
      } else {
        const text = JSON.stringify(payload);
        res
          .writeHead(status, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(text),
          })
          .end(text);
      }
      notify();
    };
    const invalid = (problems: LimitProblem[]) => reply(400, invalidFormBody(problems));

    if (spec) specChecked++;
    const nonconforming = spec?.check(method, path, url.searchParams, body) ?? [];
    if (nonconforming.length > 0) {
      specViolations.push(...nonconforming);
      return reply(400, {
        message: 'Request does not conform to the OpenAPI description',
        code: 50035,
        errors: nonconforming,
      });
    }

    const failure = failures.find((f) => f.times > 0 && f.match(method, path));
    if (failure) {
      failure.times--;
      return reply(failure.status, { message: `${failure.status}: injected failure`, code: 0 });
    }

    const interactionRoute = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    const webhookRoute = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path);
    const authenticated = !interactionRoute && !webhookRoute;
    if (authenticated && req.headers.authorization !== `Bot ${token}`) {
      return reply(401, { message: '401: Unauthorized', code: 0 });
    }
    if (authenticated && options.globalRequestsPerSecond !== undefined) {
      if (arrivedAt - globalWindow.openedAt >= 1000) {
        globalWindow.openedAt = arrivedAt;
        globalWindow.used = 0;
      }
      if (globalWindow.used >= options.globalRequestsPerSecond) {
        globalLimited++;
        const retryAfter = (globalWindow.openedAt + 1000 - arrivedAt) / 1000;
        res.setHeader('Retry-After', String(Math.ceil(retryAfter)));
        res.setHeader('X-RateLimit-Global', 'true');
        res.setHeader('X-RateLimit-Scope', 'global');
        return reply(429, { message: 'You are being rate limited.', retry_after: retryAfter, global: true });
      }
      globalWindow.used++;
    }

    if (method === 'GET' && path === '/gateway/bot') {
      return reply(200, {
        url: gatewayUrl,
        shards: shardCount,
        session_start_limit: {
          total: 1000,
          remaining: sessionStartRemaining,
          reset_after: 14_400_000,
          max_concurrency: maxConcurrency,
        },
      });
    }
    if (method === 'GET' && path === '/gateway') return reply(200, { url: gatewayUrl });
    if (method === 'GET' && path === '/users/@me') return reply(200, botUser);
    if (method === 'GET' && (path === '/applications/@me' || path === '/oauth2/applications/@me')) {
      return reply(200, {
        id: applicationId,
        name: botUser.username,
        icon: null,
        description: '',
        rpc_origins: [],
        bot: botUser,
        bot_public: botPublic,
        bot_require_code_grant: false,
        owner: {
          id: String(BigInt(applicationId) + 7n),
          username: 'owner',
          discriminator: '0',
          avatar: null,
          global_name: null,
        },
        verify_key: '0'.repeat(64),
        flags: 0,
      });
    }
    if (method === 'GET' && path === '/users/@me/guilds') {
      // Sorted by ID, `limit` (default and most 200) after `after`, with counts when asked.
      const limit = Math.min(200, Number(url.searchParams.get('limit') ?? 200));
      const after = BigInt(url.searchParams.get('after') ?? '0');
      const counts = url.searchParams.get('with_counts') === 'true';
      return reply(
        200,
        guildIds
          .map((id, i) => ({ id, i }))
          .filter(({ id }) => BigInt(id) > after)
          .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
          .slice(0, limit)
          .map(({ id, i }) => ({
            id,
            name: `Guild ${i + 1}`,
            icon: null,
            owner: false,
            permissions: '2251799813685247',
            features: [],
            ...(counts
              ? {
                  approximate_member_count: options.memberCount?.(i) ?? Math.max(shape.members, 1) * 4,
                  approximate_presence_count: 1,
                }
              : {}),
          })),
      );
    }
    const guildChannels = /^\/guilds\/(\d+)\/channels$/.exec(path);
    if (guildChannels && method === 'GET') {
      const id = guildChannels[1]!;
      if (!guildIds.includes(id)) return reply(404, { message: 'Unknown Guild', code: 10004 });
      const index = guildIds.indexOf(id);
      const channels = (makeGuild(id, index).channels as Json[]).map((c) => ({ ...c, guild_id: id }));
      return reply(200, channels);
    }

    const commandsRoute = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (commandsRoute && method === 'PUT') {
      if (commandsRoute[1] !== applicationId) return reply(403, { message: 'Missing Access', code: 50001 });
      const problems = checkCommands(body);
      if (problems.length) return invalid(problems);
      return reply(
        200,
        (body as Json[]).map((command) => ({
          ...command,
          id: snowflake(),
          application_id: applicationId,
          ...(commandsRoute[2] ? { guild_id: commandsRoute[2] } : {}),
          version: snowflake(),
        })),
      );
    }

    if (interactionRoute && method === 'POST') {
      const entry = interactions.get(interactionRoute[1]!);
      record.interactionId = interactionRoute[1] ?? '';
      if (entry && entry.interaction.token !== interactionRoute[2]) {
        entry.rejected.push({ status: 404, body });
        return reply(404, { message: 'Unknown interaction', code: 10062 });
      }
      const outcome = acceptCallback(entry, body, arrivedAt, arrivedHr);
      return outcome.status === 204 ? reply(204) : reply(outcome.status, outcome.error);
    }

    if (webhookRoute) {
      const entry = byToken.get(webhookRoute[2]!);
      // Discord takes the HTTP response to an interaction before a follow-up to it.
      if (entry?.httpPending) await entry.httpPending;
      if (!entry || webhookRoute[1] !== applicationId)
        return reply(404, { message: 'Unknown Webhook', code: 10015 });
      record.interactionId = String(entry.interaction.id);
      if (!entry.callback || entry.callback.type === 9) {
        return reply(404, { message: 'Unknown Message', code: 10008 });
      }
      const problems = checkMessage((body ?? {}) as Json);
      if (problems.length) {
        entry.rejected.push({ status: 400, body });
        return invalid(problems);
      }
      if (method === 'PATCH' && webhookRoute[3] === '@original') {
        entry.original = { ...entry.original, ...(body as Json), deferred: false };
        entry.edits.push(body as Json);
        return reply(200, { ...entry.original, channel_id: entry.interaction.channel_id });
      }
      if (method === 'POST' && !webhookRoute[3]) {
        const message = { id: snowflake(), ...(body as Json), channel_id: entry.interaction.channel_id };
        entry.followUps.push(message);
        return reply(200, message);
      }
    }

    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String((body as Json | undefined)?.recipient_id ?? '');
      if (!/^\d{17,20}$/.test(recipient)) return reply(400, { message: 'Invalid Form Body', code: 50035 });
      const id = dmChannels.get(recipient) ?? snowflake();
      dmChannels.set(recipient, id);
      return reply(200, {
        id,
        type: 1,
        last_message_id: null,
        flags: 0,
        recipients: [
          {
            id: recipient,
            username: `user${recipient.slice(-4)}`,
            global_name: null,
            discriminator: '0',
            avatar: null,
            public_flags: 0,
          },
        ],
      });
    }
    const messageRoute = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (messageRoute && method === 'PATCH') {
      const entry = channelMessages.find(
        (m) => m.channelId === messageRoute[1] && String(m.message.id) === messageRoute[2],
      );
      if (!entry) return reply(404, { message: 'Unknown Message', code: 10008 });
      const problems = checkMessage((body ?? {}) as Json);
      if (problems.length) return invalid(problems);
      entry.message = { ...entry.message, ...(body as Json), edited_timestamp: new Date().toISOString() };
      messageEdits.push({
        channelId: messageRoute[1]!,
        messageId: messageRoute[2]!,
        body: body as Json,
        at: Date.now(),
      });
      return reply(200, entry.message);
    }

    const channelRoute = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (channelRoute && method === 'GET') {
      if (deniedChannels.has(channelRoute[1]!)) return reply(403, { message: 'Missing Access', code: 50001 });
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 50));
      const newestFirst = channelMessages
        .filter((m) => m.channelId === channelRoute[1])
        .map((m) => m.message)
        .reverse()
        .slice(0, limit);
      return reply(200, newestFirst);
    }
    if (channelRoute && method === 'POST' && deniedChannels.has(channelRoute[1]!)) {
      return reply(403, { message: 'Missing Access', code: 50001 });
    }
    if (channelRoute && method === 'POST') {
      const recipient = [...dmChannels].find(([, id]) => id === channelRoute[1])?.[0];
      if (recipient !== undefined && closedDms.has(recipient)) {
        return reply(403, { message: 'Cannot send messages to this user', code: 50007 });
      }
    }
    if (channelRoute && method === 'POST') {
      const problems = checkMessage((body ?? {}) as Json);
      const json = (body ?? {}) as Json;
      if (json.nonce !== undefined && (typeof json.nonce !== 'string' || json.nonce.length > 25)) {
        problems.push({
          path: ['nonce'],
          code: 'BASE_TYPE_MAX_LENGTH',
          message: 'Must be 25 or fewer in length.',
        });
      }
      if (problems.length) return invalid(problems);
      // enforce_nonce: Discord answers with the message it already made for this nonce (a few minutes).
      const earlier =
        json.enforce_nonce === true
          ? channelMessages.find(
              (m) =>
                m.channelId === channelRoute[1] &&
                m.body.nonce === json.nonce &&
                Date.now() - m.at < nonceMemoryMs,
            )
          : undefined;
      if (earlier) return reply(200, earlier.message);
      const message = { id: snowflake(), channel_id: channelRoute[1], author: botUser, ...json };
      channelMessages.push({ channelId: channelRoute[1]!, body: json, at: Date.now(), message });
      return reply(200, message);
    }

    return reply(404, { message: '404: Not Found', code: 0 });
  }

  /**
   * Takes `body` as the callback to `entry` (the REST route's, or an HTTP delivery's response), as
   * Discord would: too late or unknown → 404, a second → 400 already acknowledged, an invalid one →
   * 400 with Discord's error shape; 204 when accepted.
   */
  function acceptCallback(
    entry: InteractionRecord | undefined,
    body: unknown,
    arrivedAt: number,
    arrivedHr: number,
  ): { status: number; error?: Json } {
    if (entry && entry.callbackAtHr === undefined) entry.callbackAtHr = arrivedHr;
    if (!entry || arrivedAt - entry.sentAt > deadlineMs) {
      entry?.rejected.push({ status: 404, body });
      return { status: 404, error: { message: 'Unknown interaction', code: 10062 } };
    }
    if (entry.callback) {
      entry.rejected.push({ status: 400, body });
      return { status: 400, error: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    }
    const problems = checkCallback(entry.interaction, body);
    if (problems.length) {
      entry.rejected.push({ status: 400, body });
      return { status: 400, error: invalidFormBody(problems) as Json };
    }
    const callback = body as { type: number; data?: Json };
    entry.callback = { ...callback, at: Date.now() };
    if ([4, 5].includes(callback.type)) {
      entry.original = {
        id: snowflake(),
        ...(callback.data ?? {}),
        ...(callback.type === 5 ? { content: '', deferred: true } : {}),
      };
    } else if ([6, 7].includes(callback.type)) {
      const message = (entry.interaction.message as Json | undefined) ?? {};
      entry.original = { ...message, ...(callback.data ?? {}) };
    }
    return { status: 204 };
  }

  /** Signs `body` at `timestamp` as Discord signs an interaction (hex Ed25519 over timestamp + body). */
  function signRequest(
    timestamp: string,
    body: string | Buffer,
    privateKey: KeyObject = signingKeys.privateKey,
  ): string {
    return ed25519Sign(null, Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), privateKey).toString(
      'hex',
    );
  }

  /**
   * POSTs an interaction to the bot's endpoint, signed, and takes the response as its callback;
   * gives up after the deadline as Discord does (the interaction then failed).
   */
  function deliverOverHttp(entry: InteractionRecord, url: string): Promise<void> {
    const text = JSON.stringify(entry.interaction);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signRequest(timestamp, text);
    entry.deliveredTo = url;
    const delivered = new Promise<void>((resolve) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent: httpAgent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(text),
            'User-Agent': 'Discord-Interactions/1.0 (+https://discord.com)',
            'X-Signature-Ed25519': signature,
            'X-Signature-Timestamp': timestamp,
          },
          timeout: deadlineMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', () => resolve());
          response.on('end', () => {
            const arrivedAt = Date.now();
            const arrivedHr = performance.now();
            const raw = Buffer.concat(chunks).toString('utf8');
            let body: unknown = raw;
            try {
              body = JSON.parse(raw);
            } catch {
              // kept as text
            }
            const type = String(response.headers['content-type'] ?? '');
            if (response.statusCode !== 200 || !type.startsWith('application/json')) {
              entry.rejected.push({ status: response.statusCode ?? 0, body });
            } else {
              if (spec) {
                specChecked++;
                const path = `/interactions/${String(entry.interaction.id)}/${String(entry.interaction.token)}/callback`;
                const nonconforming = spec.check('POST', path, new URLSearchParams(), body);
                specViolations.push(...nonconforming.map((problem) => `HTTP response: ${problem}`));
              }
              acceptCallback(entry, body, arrivedAt, arrivedHr);
            }
            notify();
            resolve();
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('Discord stopped waiting (3 s)')));
      request.on('error', (error) => {
        entry.rejected.push({ status: 0, body: error.message });
        notify();
        resolve();
      });
      request.end(text);
    });
    entry.httpPending = delivered;
    void delivered.then(() => {
      if (entry.httpPending === delivered) delete entry.httpPending;
    });
    return delivered;
  }

  function checkCallback(interaction: Json, body: unknown): LimitProblem[] {
    if (typeof body !== 'object' || body === null)
      return [{ path: [], code: 'MODEL_TYPE_CONVERT', message: 'Expected an object.' }];
    const { type, data } = body as { type: unknown; data?: Json };
    const kind = interaction.type as number;
    const fromMessage = interaction.message !== undefined;
    const allowed: Record<number, number[]> = {
      2: [4, 5, 9],
      3: [4, 5, 6, 7, 9],
      4: [8],
      5: fromMessage ? [4, 5, 6, 7] : [4, 5],
    };
    if (typeof type !== 'number' || !allowed[kind]?.includes(type)) {
      return [
        {
          path: ['type'],
          code: 'INTERACTION_RESPONSE_TYPE_INVALID',
          message: `Interaction response type ${String(type)} is not valid for interaction type ${kind}.`,
        },
      ];
    }
    if (type === 9) return checkModal(data);
    if ((type === 4 || type === 7) && data) return checkMessage(data, ['data']);
    if (type === 5 && data?.flags !== undefined && data.flags !== 64 && data.flags !== 0) {
      return [
        {
          path: ['data', 'flags'],
          code: 'MESSAGE_FLAGS_INVALID',
          message: 'Invalid flags for a deferred response.',
        },
      ];
    }
    return [];
  }

  // ---- test API ----------------------------------------------------------------------------
  function waitFor<T>(check: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (value: T) => {
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(value);
      };
      const listener = () => {
        const value = check();
        if (value !== undefined && value !== false) done(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`fake Discord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  }

  const guildForUser = () => guildIds[0]!;
  /** Each server's language (`guild_locale`), `en-US` unless a test sets it. */
  const guildLocales = new Map<string, string>();

  function baseInteraction(type: number, user: FakeUser, guildId = guildForUser()): Json {
    const id = snowflake();
    const interactionToken = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    return {
      id,
      application_id: applicationId,
      type,
      token: interactionToken,
      version: 1,
      guild_id: guildId,
      guild: { id: guildId, locale: guildLocales.get(guildId) ?? 'en-US', features: [] },
      guild_locale: guildLocales.get(guildId) ?? 'en-US',
      channel_id: channelByGuild.get(guildId),
      channel: { id: channelByGuild.get(guildId), type: 0, name: 'orders', guild_id: guildId, flags: 0 },
      member: {
        user: {
          id: user.id,
          username: user.username,
          global_name: user.username,
          discriminator: '0',
          avatar: null,
          public_flags: 0,
        },
        roles: user.roles ?? [],
        permissions: user.permissions ?? MEMBER_PERMISSIONS,
        joined_at: new Date(baseTime).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        nick: null,
        premium_since: null,
      },
      app_permissions: '2251799813685247',
      locale: user.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
    };
  }

  /** Remembers an interaction so its callbacks are accepted, without sending it anywhere. */
  function track(interaction: Json): InteractionRecord {
    const entry: InteractionRecord = {
      interaction,
      sentAt: Date.now(),
      sentAtHr: performance.now(),
      edits: [],
      followUps: [],
      rejected: [],
    };
    interactions.set(String(interaction.id), entry);
    byToken.set(String(interaction.token), entry);
    return entry;
  }

  /**
   * The INTERACTION_CREATE payload of a modal submit (what {@link submitModal} sends), not yet
   * sent: for `inject` or `injectToAll`.
   */
  function modalSubmit(
    user: FakeUser,
    modal: Json,
    values: Record<string, string | readonly string[]>,
    from?: Json,
    guildId?: string,
  ): Json {
    const interaction = baseInteraction(5, user, guildId);
    if (from) interaction.message = { ...from, id: from.id ?? snowflake(), flags: from.flags ?? 64 };
    const components = (modal.components as Json[]).map((label, i) => {
      const input = label.component as Json;
      const given = values[String(input.custom_id)];
      const list = given === undefined ? [] : typeof given === 'string' ? (given ? [given] : []) : [...given];
      const text = typeof given === 'string' ? given : (list[0] ?? '');
      const type = Number(input.type);
      const answer =
        type === 3 || type === 22
          ? { values: list }
          : type === 21
            ? { value: list[0] ?? null }
            : type === 23
              ? { value: text === 'true' }
              : { value: text };
      return {
        type: 18,
        id: i * 2 + 1,
        component: { type, id: i * 2 + 2, custom_id: input.custom_id, ...answer },
      };
    });
    interaction.data = { custom_id: modal.custom_id, components };
    return interaction;
  }

  /**
   * Writes INTERACTION_CREATE to the shard that owns the interaction's guild, or, when HTTP
   * delivery is on, POSTs it to one of the bot's endpoints (see `deliverOverHttp`).
   */
  function inject(interaction: Json): InteractionRecord {
    if (httpEndpoints.length > 0) {
      const entry = track(interaction);
      void deliverOverHttp(entry, pickEndpoint(httpEndpoints));
      return entry;
    }
    // Direct messages go to shard 0, as Discord sends them.
    const shard =
      interaction.guild_id === undefined
        ? 0
        : Number((BigInt(String(interaction.guild_id)) >> 22n) % BigInt(shardCount));
    const session = shardSockets.get(shard);
    if (!session?.socket) throw new Error(`fake Discord: shard ${shard} is not connected`);
    const entry = track(interaction);
    dispatch(session, 'INTERACTION_CREATE', interaction);
    return entry;
  }

  /**
   * Writes one INTERACTION_CREATE to every connected shard: the same interaction reaching two
   * processes at once (as a retried delivery could). Only one answer is accepted, as on Discord.
   */
  function injectToAll(interaction: Json): InteractionRecord {
    const entry = track(interaction);
    if (httpEndpoints.length > 0) {
      const all = Promise.all(httpEndpoints.map((url) => deliverOverHttp(entry, url))).then(() => undefined);
      entry.httpPending = all;
      void all.then(() => {
        if (entry.httpPending === all) delete entry.httpPending;
      });
      return entry;
    }
    for (const session of shardSockets.values()) {
      if (session.socket) dispatch(session, 'INTERACTION_CREATE', interaction);
    }
    return entry;
  }

  return {
    origin,
    /** The application's public key (64 hex characters): the bot's DISCORD_PUBLIC_KEY. */
    publicKeyHex,
    /** Signs a request body as Discord does; with another `privateKey`, as an impostor would. */
    sign: signRequest,
    /**
     * Delivers interactions as signed HTTP POSTs to `urls` (each `http://host:port/interactions`),
     * to the one `pick` chooses (default: the first); no URLs: over the gateway again.
     */
    deliverOverHttp(urls: readonly string[], pick?: (urls: readonly string[]) => string) {
      httpEndpoints = [...urls];
      pickEndpoint = pick ?? ((list) => list[0]!);
    },
    apiUrl: `${origin}/api`,
    gatewayUrl,
    /** Requests answered 429 by the global limit (see {@link FakeDiscordOptions.globalRequestsPerSecond}). */
    get globalLimited() {
      return globalLimited;
    },
    token,
    applicationId,
    botUser,
    guildIds,
    /** Sets a server's language: the `guild_locale` of its later interactions. */
    setGuildLocale(guildId: string, locale: string): void {
      guildLocales.set(guildId, locale);
    },
    requests,
    interactions,
    channelMessages,
    deniedChannels,
    dmChannels,
    closedDms,
    messageEdits,
    /** The direct messages the bot sent `userId`, oldest first. */
    dmsTo(userId: string): Json[] {
      const channel = dmChannels.get(userId);
      return channel === undefined
        ? []
        : channelMessages.filter((m) => m.channelId === channel).map((m) => m.message);
    },
    specViolations,
    /** How long an enforced nonce is remembered; 0 plays a retry long after the first post. */
    get nonceMemoryMs() {
      return nonceMemoryMs;
    },
    set nonceMemoryMs(value: number) {
      nonceMemoryMs = value;
    },
    /** How many requests were checked against the OpenAPI description. */
    get specChecked() {
      return specChecked;
    },
    get identifyCount() {
      return identifyCount;
    },
    get resumeCount() {
      return resumeCount;
    },
    get sessionStartRemaining() {
      return sessionStartRemaining;
    },
    set sessionStartRemaining(value: number) {
      sessionStartRemaining = value;
    },
    /** Adds guilds to later IDENTIFYs. */
    setGuildCount(count: number) {
      guildCount = count;
      makeGuildIds();
    },
    /** Resolves when `count` shards have identified or resumed since start. */
    waitForShards(count = shardCount, timeoutMs = 10_000) {
      return waitFor(
        () =>
          shardSockets.size >= count && [...shardSockets.values()].every((s) => s.socket) ? true : undefined,
        timeoutMs,
        `${count} shards`,
      );
    },
    waitFor,
    /** Resolves with the first recorded request matching `predicate`. */
    waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 5000) {
      return waitFor(() => requests.find(predicate), timeoutMs, 'a matching request');
    },
    /** Closes a shard's socket as Discord does before a resume (code 4000 = resumable). */
    dropShard(shard = 0, code = 4000) {
      shardSockets.get(shard)?.socket?.close(code, 'fake Discord dropped the connection');
    },
    /** Answers the next `times` requests matching `match` with `status`. */
    failNext(match: (method: string, path: string) => boolean, status: number, times = 1) {
      failures.push({ match, status, times });
    },
    /** Sends a slash command as `user`. */
    command(
      user: FakeUser,
      name: string,
      opts: Record<string, string> = {},
      guildId?: string,
    ): InteractionRecord {
      const interaction = baseInteraction(2, user, guildId);
      interaction.data = {
        id: snowflake(),
        name,
        type: 1,
        options: Object.entries(opts).map(([key, value]) => ({ name: key, type: 3, value })),
      };
      return inject(interaction);
    },
    /** Runs a command in a direct message with the bot (a stale or forged guild-only registration). */
    dmCommand(user: FakeUser, name: string, opts: Record<string, string> = {}): InteractionRecord {
      const {
        guild_id: _guild,
        guild: _g,
        guild_locale: _locale,
        member,
        channel: _channel,
        ...rest
      } = baseInteraction(2, user);
      const dmChannel = snowflake();
      const interaction: Json = {
        ...rest,
        user: (member as Json).user,
        channel_id: dmChannel,
        channel: { id: dmChannel, type: 1, flags: 0 },
        authorizing_integration_owners: { '1': user.id },
        context: 1,
        data: {
          id: snowflake(),
          name,
          type: 1,
          options: Object.entries(opts).map(([key, value]) => ({ name: key, type: 3, value })),
        },
      };
      return inject(interaction);
    },
    /** Presses a button on a message the bot sent. */
    click(user: FakeUser, message: Json, customId: string, guildId?: string): InteractionRecord {
      const interaction = baseInteraction(3, user, guildId);
      interaction.message = { ...message, id: message.id ?? snowflake(), flags: message.flags ?? 64 };
      interaction.data = { custom_id: customId, component_type: 2 };
      return inject(interaction);
    },
    /**
     * Submits a modal the bot opened, with `values` by component custom_id, in the shape Discord
     * sends each component: a text input's `value`, a string select's or checkbox group's `values`
     * (a string given for them is sent as one value), a radio group's `value` (null when empty).
     * Values are sent as given, so a test can forge what a real client could not.
     */
    submitModal(
      user: FakeUser,
      modal: Json,
      values: Record<string, string | readonly string[]>,
      from?: Json,
      guildId?: string,
    ): InteractionRecord {
      return inject(modalSubmit(user, modal, values, from, guildId));
    },
    modalSubmit,
    /** Writes any INTERACTION_CREATE payload. */
    inject,
    injectToAll,
    track,
    /** A realistic interaction payload of `type` from `user` (not yet sent). */
    makeInteraction: baseInteraction,
    /** Resolves when the bot has sent the interaction callback. */
    waitForCallback(entry: InteractionRecord, timeoutMs = 5000) {
      return waitFor(
        () => entry.callback,
        timeoutMs,
        `the callback to interaction ${String(entry.interaction.id)}`,
      );
    },
    /** Stops the fake; rejects when any request did not conform to Discord's OpenAPI description. */
    async close() {
      httpAgent.destroy();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
      if (specViolations.length > 0) {
        throw new Error(
          `fake Discord: ${specViolations.length} request(s) did not conform to Discord's OpenAPI description:\n${[...new Set(specViolations)].join('\n')}`,
        );
      }
    },
  };
}
