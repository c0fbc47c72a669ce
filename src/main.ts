/**
 * @module main
 * Composition only, in four steps: load (environment, config files, the data folder's lock and the
 * database) → wire (transport, store, mail, outbox, handlers, router, gateway, operations; each
 * built before what uses it, and injected) → start → signals.
 */
import type { Server } from 'node:http';
import { createMonotonicClock } from './clock.ts';
import {
  type BotConfig,
  configWarnings,
  type EmailTemplate,
  type EnvSettings,
  loadDotEnv,
  openShopWarning,
  readEnv,
} from './config.ts';
import { describeDiscordFailure } from './discord/failure.ts';
import {
  createHttpAnswers,
  createInteractionsListener,
  startInteractionsServer,
} from './discord/interactions-endpoint.ts';
import { createDiscordTransport } from './discord/rest.ts';
import { createSignatureVerifier } from './discord/signature.ts';
import { ConfigError, StoreError } from './errors.ts';
import { crashPoint } from './faults.ts';
import { createGateway } from './gateway/gateway.ts';
import { createGatewayState } from './gateway/status.ts';
import { createAppContext } from './handlers/context.ts';
import { createHandlers } from './handlers/index.ts';
import { createHealthListener, type HealthSources, startHealthServer } from './health.ts';
import { createLogger, type Logger } from './log.ts';
import { createMailer } from './mail/mailer.ts';
import { createSmtpTransport } from './mail/transport.ts';
import { createMetrics, renderPrometheus } from './metrics.ts';
import { judgeHealth } from './ops/health.ts';
import { createSnapshot } from './ops/snapshot.ts';
import { countedAs, createDeliveryHandlers, JobKind } from './order/delivery.ts';
import { type LanguageTemplates, loadShopSettings, type StatusTemplates } from './order/email.ts';
import type { OrderForm } from './order/form.ts';
import { LifecycleJob } from './order/lifecycle.ts';
import { createLifecycleHandlers, notificationCounter } from './order/notify.ts';
import { createDispatcher } from './router/dispatcher.ts';
import { createRouter } from './router/router.ts';
import type { GatewaySessionStore, SessionEndReason, SessionStore } from './store/engine.ts';
import { createMailCaps, createOrderLimits } from './store/limits.ts';
import { startMaintenance } from './store/maintenance.ts';
import { createOutboxWorker } from './store/outbox.ts';
import type { PostgresEngine } from './store/postgres.ts';
import { createSessionStore } from './store/sessions.ts';
import type { SqliteEngine } from './store/sqlite.ts';
import { VERSION } from './version.ts';

/** How long one bot-token REST request may take. */
const REST_TIMEOUT_MS = 10_000;

/** The shop's files in force; SIGHUP replaces them. */
interface Settings {
  config: BotConfig;
  template: EmailTemplate;
  form: OrderForm;
  statusTemplates: StatusTemplates;
  /** The emails of each language (`email_template.<language>.json`, …). */
  byLanguage: LanguageTemplates;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Where orders and forms in progress are kept: the embedded engine by default, or PostgreSQL and Redis. */
interface Engines {
  engine: SqliteEngine | PostgresEngine;
  /** Redis for the forms in progress, when `REDIS_URL` is set. */
  redisUrl: string | undefined;
}

/** Where a URL points, without its password (for a line the owner reads). */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : '5432')}`;
  } catch {
    return 'the configured host';
  }
}

/**
 * Step 1: the environment, the config files, and the store: SQLite in `DATA_DIR` (its lock taken,
 * proved writable) or PostgreSQL at `DATABASE_URL` (migrated); a mistake stops here with one line.
 */
async function load(): Promise<{ env: EnvSettings; settings: Settings; log: Logger } & Engines> {
  let env: EnvSettings;
  let settings: Settings;
  try {
    loadDotEnv();
    env = readEnv();
    const { config, template, form, statusTemplates, byLanguage } = loadShopSettings(env.configDir);
    settings = { config, template, form, statusTemplates, byLanguage };
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const log = createLogger({ level: env.logLevel });
  if (env.databaseUrl) {
    try {
      // Loaded only when used: a bot on SQLite never loads the PostgreSQL client (memory).
      const { createPostgresEngine } = await import('./store/postgres.ts');
      const engine = await createPostgresEngine({
        url: env.databaseUrl,
        log: log.child({ component: 'postgres' }),
      });
      return { env, settings, log, engine, redisUrl: env.redisUrl };
    } catch (error) {
      fail(
        `DATABASE_URL: cannot use PostgreSQL at ${hostOf(env.databaseUrl)} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  try {
    // Loaded only when used: a bot on PostgreSQL never loads SQLite's native module (memory).
    const { lockDataDir, openDatabase } = await import('./store/database.ts');
    const { createSqliteEngine } = await import('./store/sqlite.ts');
    const lock = lockDataDir(env.dataDir);
    // Held until the process exits (the kernel drops it then, however the process ends).
    process.once('exit', () => lock.release());
    return {
      env,
      settings,
      log,
      engine: createSqliteEngine(openDatabase(env.dataDir)),
      redisUrl: env.redisUrl,
    };
  } catch (error) {
    if (error instanceof StoreError) fail(error.message);
    throw error;
  }
}

/** Step 2: everything built in dependency order, each part handed what it uses. */
async function wire(env: EnvSettings, initial: Settings, engines: Engines, log: Logger) {
  let settings = initial;
  const { config } = initial;
  /** Waits and windows are measured on this clock (see clock.ts). */
  const clock = createMonotonicClock();
  const startedAt = clock();
  const metrics = createMetrics(startedAt);
  /** Nothing can fix this while running: one line on stderr, exit 1 (committed orders are on disk). */
  const fatal = (message: string) => {
    log.error('bot.fatal', { reason: message });
    fail(message);
  };

  const discord = createDiscordTransport({
    token: env.token,
    apiUrl: env.apiUrl,
    timeoutMs: REST_TIMEOUT_MS,
    globalRequestsPerSecond: config.rest_requests_per_second,
    onAnswerEvent: (event) => metrics.count(`answers_${event}`),
    onUnauthorized: fatal,
  });
  const mailer = createMailer({
    transport: env.senderEmail
      ? createSmtpTransport(config, { user: env.senderEmail, pass: env.senderPassword })
      : undefined,
    from: env.senderEmail,
    log: log.child({ component: 'mail' }),
  });
  const { engine } = engines;
  const { orders, jobs } = engine;
  const stopMaintenance = startMaintenance({
    orders,
    checkpoint: engine.name === 'sqlite' ? (at) => engine.store.checkpoint(at) : undefined,
    retentionDays: () => settings.config.retention_days,
    log,
  });
  const outbox = createOutboxWorker({
    jobs,
    pending: async () => (await orders.counts(0)).jobsPending,
    handlers: {
      ...createDeliveryHandlers({
        orders,
        jobs,
        mailer,
        rest: discord.rest,
        interactions: discord.interactions,
        settings: () => settings,
        afterEmailAccepted: () => crashPoint('after_email_accepted'),
        afterStaffPost: () => crashPoint('after_staff_post'),
        now: clock,
      }),
      ...createLifecycleHandlers({
        orders,
        jobs,
        mailer,
        rest: discord.rest,
        settings: () => settings,
        webhookSecret: env.webhookSecret,
        version: VERSION,
      }),
    },
    log: log.child({ component: 'outbox' }),
    onEvent: (event) => {
      const counter = countedAs(event) ?? notificationCounter(event);
      if (counter) metrics.count(counter);
    },
    now: clock,
  });
  const sessionOptions = {
    ttlMs: config.session_ttl_seconds * 1000,
    maxSessions: config.max_sessions,
    onStart: () => metrics.count('orders_started'),
    onEnd: (_session: unknown, reason: SessionEndReason) => {
      if (reason !== 'replaced') metrics.count(`orders_${reason}`);
    },
  };
  let sessions: SessionStore;
  /** Gateway shard sessions in Redis (`resume_gateway_sessions`), for a process started again to resume. */
  let shardSessions: GatewaySessionStore | undefined;
  if (engines.redisUrl) {
    try {
      const { createRedisSessionStore } = await import('./store/redis-sessions.ts');
      const redis = await createRedisSessionStore({
        ...sessionOptions,
        url: engines.redisUrl,
        // The forms of one shop's store: processes on the same database share them, another
        // shop's bot on the same Redis never sees them.
        keyPrefix: `{order-bot:${engine.orders.storeId}}:`,
        log: log.child({ component: 'redis' }),
      });
      sessions = redis;
      if (config.resume_gateway_sessions) shardSessions = redis.gatewaySessions;
    } catch (error) {
      fail(
        `REDIS_URL: cannot use Redis at ${hostOf(engines.redisUrl)} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  } else {
    sessions = createSessionStore({
      ...sessionOptions,
      sweepIntervalMs: Math.min(60_000, config.session_ttl_seconds * 1000),
    });
  }
  const limits = createOrderLimits({
    orders,
    cooldownMs: config.order_cooldown_seconds * 1000,
    dailyCap: config.daily_order_limit,
    now: clock,
  });

  const gatewayState = createGatewayState({ enabled: env.gateway });
  // With the HTTP endpoint on, an interaction that arrived over HTTP gets its first answer in the
  // HTTP response; everything else about answering is the same for both transports.
  const answers = env.interactions ? createHttpAnswers(discord.interactions) : undefined;
  const snapshot = createSnapshot({
    clock,
    startedAt,
    gateway: gatewayState.status,
    sessions,
    orders,
    outbox,
    mailer,
    metrics,
    answersQueued: () => discord.interactions.queued,
  });
  const app = createAppContext({
    interactions: answers ?? discord.interactions,
    log,
    metrics,
    clock,
    settings: () => settings,
  });
  const router = createRouter({
    handlers: createHandlers({
      gateway: gatewayState.status,
      metrics,
      snapshot,
      sessions,
      limits,
      mailCaps: createMailCaps({
        kind: JobKind.Email,
        staffKind: LifecycleJob.StatusEmail,
        settings: () => settings.config,
        now: clock,
      }),
      mailer,
      orders,
      outbox,
      crashPoint,
    }),
    notFound: app.notFound,
    onError: app.onError,
  });
  const dispatcher = createDispatcher({
    router,
    context: app.context,
    finished: app.finished,
    // Each customer in the form can hold two handlers: the step being answered, and the previous
    // answer still on its way to Discord. (Set at start; a reload does not change it.)
    maxInFlight: 2 * config.max_sessions,
    refused: app.refused,
  });
  const gateway = env.gateway
    ? createGateway({
        rest: discord.rest,
        state: gatewayState,
        token: env.token,
        shardCount: config.shard_count,
        shardIds: config.shard_ids,
        sessions: shardSessions,
        log: log.child({ component: 'gateway' }),
        onDispatch: dispatcher.dispatch,
        onFatal: (_code, message) => fatal(message),
        onAllReady: (info) => {
          log.info('bot.ready', {
            user: info.user,
            application_id: info.applicationId,
            shards: info.shards,
            guilds: info.guilds,
            startup_ms: Math.round(clock() - startedAt),
          });
          const open = openShopWarning(settings.config, gatewayState.guilds.ids(), info.guilds);
          if (open) log.warn(open.event, open.fields);
        },
      })
    : undefined;
  const healthSources: HealthSources = {
    health: async () => judgeHealth(await snapshot()),
    metrics: async () => renderPrometheus(await snapshot(), metrics.interactionMs),
    log: log.child({ component: 'health' }),
  };
  const interactionsListener =
    env.interactions &&
    answers &&
    createInteractionsListener({
      verifier: createSignatureVerifier(env.interactions.publicKey),
      answers,
      receive: dispatcher.receive,
      log: log.child({ component: 'interactions' }),
      onRejected: () => metrics.count('interactions_unverified'),
      // HEALTH_PORT equal to INTERACTIONS_PORT: one server serves both.
      ...(env.healthPort === env.interactions.port ? { fallback: createHealthListener(healthSources) } : {}),
    });

  const reload = (next: Settings) => {
    settings = next;
    sessions.configure(next.config.session_ttl_seconds * 1000, next.config.max_sessions);
    limits.configure(next.config.order_cooldown_seconds * 1000, next.config.daily_order_limit);
  };
  return {
    discord,
    gateway,
    mailer,
    sessions,
    engine,
    outbox,
    dispatcher,
    reload,
    stopMaintenance,
    interactionsListener,
    startedAt,
    clock,
    healthSources,
    settings: () => settings,
  };
}

/** What {@link wire} builds, and the interactions server once {@link start} listens. */
type Bot = Awaited<ReturnType<typeof wire>> & { interactionsServer?: Server };

/** Step 3: health endpoints, SMTP check, then the gateway. */
async function start(bot: Bot, env: EnvSettings, log: Logger): Promise<void> {
  log.info('bot.starting', {
    version: VERSION,
    api: env.apiUrl,
    config_dir: env.configDir,
    data_dir: env.dataDir,
    shards: String(bot.settings().config.shard_count),
    form: bot.settings().form.isDefault
      ? 'shipped'
      : `form.json: ${bot.settings().form.steps.length} step(s), ${bot.settings().form.fields.length} field(s)`,
    mail: env.senderEmail ? 'enabled' : 'disabled',
  });
  for (const note of env.fixed) log.warn('config.env_fixed', { note });
  for (const warning of configWarnings(bot.settings().config, env))
    log.warn(warning.event, { note: warning.note });
  void bot.mailer.verify();
  // HEALTH_PORT equal to INTERACTIONS_PORT: the interactions server serves both.
  const sharedPort = env.interactions !== undefined && env.healthPort === env.interactions.port;
  if (env.healthPort !== undefined && !sharedPort) {
    try {
      await startHealthServer(bot.healthSources, env.healthHost, env.healthPort);
    } catch (error) {
      fail(`HEALTH_PORT: cannot listen on ${env.healthHost}:${env.healthPort} (${(error as Error).message})`);
    }
  }
  if (env.interactions && bot.interactionsListener) {
    const { host, port } = env.interactions;
    try {
      bot.interactionsServer = await startInteractionsServer(bot.interactionsListener, {
        host,
        port,
        log: log.child({ component: 'interactions' }),
      });
    } catch (error) {
      fail(`INTERACTIONS_PORT: cannot listen on ${host}:${port} (${(error as Error).message})`);
    }
  }
  if (!bot.gateway) {
    log.info('bot.ready', {
      gateway: 'off',
      interactions: env.interactions ? 'http' : 'none',
      startup_ms: Math.round(bot.clock() - bot.startedAt),
    });
    return;
  }
  try {
    await bot.gateway.connect();
  } catch (error) {
    log.error('bot.connect_failed', { error });
    fail(describeDiscordFailure(error, { apiUrl: env.apiUrl, route: 'GET /gateway/bot' }));
  }
}

/** Step 4: SIGTERM/SIGINT drain and exit 0, SIGHUP reloads the config files. */
function handleSignals(bot: Bot, env: EnvSettings, log: Logger): void {
  const reload = () => {
    try {
      const { config, template, form, statusTemplates, byLanguage } = loadShopSettings(env.configDir);
      const formChanged = form.id !== bot.settings().form.id;
      bot.reload({ config, template, form, statusTemplates, byLanguage });
      log.info('config.reloaded', {
        form: form.id,
        note: formChanged
          ? 'config.json, email_template.json and a new form.json apply to new interactions; customers halfway through the old form are asked to start again; SMTP server, shards and secrets from the environment need a restart'
          : 'config.json, email_template.json and form.json apply to new interactions; SMTP server, shards and secrets from the environment need a restart',
      });
    } catch (error) {
      log.error('config.reload_rejected', {
        reason: error instanceof Error ? error.message : String(error),
        note: 'the previous configuration stays in force',
      });
    }
  };

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { mail_drain_seconds: drainSeconds } = bot.settings().config;
    log.info('bot.stopping', { signal, in_flight: bot.dispatcher.inFlight });
    const hardExit = setTimeout(
      () => {
        log.error('bot.stop_timeout', {});
        process.exit(1);
      },
      (drainSeconds + 8) * 1000,
    );
    hardExit.unref();
    try {
      // A load balancer sends new requests to another replica once this one stops listening.
      bot.interactionsServer?.close();
      // New interactions are answered "restarting"; running handlers finish (their commits land).
      bot.dispatcher.close();
      await bot.dispatcher.idle(3000);
      // Deliveries go on while REST is open, so outcome messages reach customers.
      const pending = await bot.outbox.drain(drainSeconds * 1000);
      bot.interactionsServer?.closeAllConnections();
      await bot.gateway?.destroy();
      bot.stopMaintenance();
      bot.discord.destroy();
      bot.mailer.close();
      const openSessions = bot.sessions.size;
      await bot.sessions.close();
      await bot.engine.close();
      log.info('bot.stopped', { pending_jobs: pending, open_sessions: openSessions });
    } catch (error) {
      log.error('bot.stop_failed', { error });
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', reload);
  process.on('unhandledRejection', (reason) => {
    log.error('process.unhandled_rejection', { error: reason instanceof Error ? reason : String(reason) });
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const { env, settings, log, ...engines } = await load();
  const bot = await wire(env, settings, engines, log);
  handleSignals(bot, env, log);
  await start(bot, env, log);
}

await main();
