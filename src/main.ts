/**
 * @module main
 * Composition only, in four steps: load (environment and config files) → wire (transport, stores,
 * mail, handlers, router, gateway; each built before what uses it, and injected) → start → signals.
 */
import { API } from '@discordjs/core/http-only';
import { type BotConfig, type EmailTemplate, type EnvSettings, loadDotEnv, readEnv } from './config.ts';
import { createDiscordTransport, httpStatusOf } from './discord/rest.ts';
import { ConfigError } from './errors.ts';
import { createGateway } from './gateway/gateway.ts';
import { createGatewayState } from './gateway/status.ts';
import { createAppContext } from './handlers/context.ts';
import { createHandlers } from './handlers/index.ts';
import { startHealthServer } from './health.ts';
import { createLogger, type Logger } from './log.ts';
import { createMailer } from './mail/mailer.ts';
import { createSmtpTransport } from './mail/transport.ts';
import { createMetrics, renderPrometheus } from './metrics.ts';
import { createOrderDelivery } from './order/delivery.ts';
import { loadShopSettings } from './order/email.ts';
import { createDispatcher } from './router/dispatcher.ts';
import { createRouter } from './router/router.ts';
import { createOrderLimits } from './store/limits.ts';
import { createSessionStore } from './store/sessions.ts';

/** The shop's files in force; SIGHUP replaces them. */
interface Settings {
  config: BotConfig;
  template: EmailTemplate;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Step 1: the environment and the config files; a mistake stops here with one line. */
function load(): { env: EnvSettings; settings: Settings } {
  try {
    loadDotEnv();
    const env = readEnv();
    const { config, template } = loadShopSettings(env.configDir);
    return { env, settings: { config, template } };
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

/** Step 2: everything built in dependency order, each part handed what it uses. */
function wire(env: EnvSettings, initial: Settings, log: Logger, startedAt: number) {
  let settings = initial;
  const { config } = initial;
  const metrics = createMetrics(startedAt);

  const discord = createDiscordTransport({
    token: env.token,
    apiUrl: env.apiUrl,
    onAnswerEvent: (event) => metrics.count(`answers_${event}`),
  });
  const smtp = env.senderEmail
    ? createSmtpTransport(config, { user: env.senderEmail, pass: env.senderPassword })
    : undefined;
  const mailer = createMailer({
    transport: smtp,
    from: env.senderEmail,
    settings: config,
    log: log.child({ component: 'mail' }),
    onOutcome: (outcome) =>
      metrics.count(outcome.status === 'delivered' ? 'emails_sent' : `emails_${outcome.status}`),
    onRetry: () => metrics.count('emails_retried'),
  });
  const sessions = createSessionStore({
    ttlMs: config.session_ttl_seconds * 1000,
    maxSessions: config.max_sessions,
    sweepIntervalMs: Math.min(60_000, config.session_ttl_seconds * 1000),
    onStart: () => metrics.count('orders_started'),
    onEnd: (_session, reason) => {
      if (reason !== 'replaced') metrics.count(`orders_${reason}`);
    },
  });
  const limits = createOrderLimits({
    cooldownMs: config.order_cooldown_seconds * 1000,
    dailyCap: config.daily_order_limit,
  });
  const limitSweep = setInterval(() => limits.sweep(), 10 * 60_000);
  limitSweep.unref();

  const gatewayState = createGatewayState();
  const delivery = createOrderDelivery({ api: new API(discord.rest), mailer });
  const app = createAppContext({
    interactions: discord.interactions,
    log,
    metrics,
    clock: Date.now,
    settings: () => settings,
  });
  const router = createRouter({
    handlers: createHandlers({ gateway: gatewayState.status, metrics, sessions, limits, mailer, delivery }),
    notFound: app.notFound,
    onError: app.onError,
  });
  const dispatcher = createDispatcher({ router, context: app.context, finished: app.finished });
  const gateway = createGateway({
    rest: discord.rest,
    state: gatewayState,
    token: env.token,
    shardCount: config.shard_count,
    shardIds: config.shard_ids,
    log: log.child({ component: 'gateway' }),
    onDispatch: dispatcher.dispatch,
    onAllReady: (info) =>
      log.info('bot.ready', {
        user: info.user,
        application_id: info.applicationId,
        shards: info.shards,
        guilds: info.guilds,
        startup_ms: Date.now() - startedAt,
      }),
  });

  const reload = (next: Settings) => {
    settings = next;
    sessions.configure(next.config.session_ttl_seconds * 1000, next.config.max_sessions);
    limits.configure(next.config.order_cooldown_seconds * 1000, next.config.daily_order_limit);
    mailer.configure(next.config);
  };
  const prometheus = () => {
    const status = gatewayState.status;
    const memory = process.memoryUsage();
    const mail = mailer.status();
    return renderPrometheus(metrics, {
      uptimeSeconds: (Date.now() - metrics.startedAt) / 1000,
      shardsReady: status.shardsReady(),
      shardsTotal: status.shardTotal(),
      guilds: status.guilds(),
      usersApproximate: status.users(),
      gatewayLatencyMs: status.latencyMs(),
      activeSessions: sessions.size,
      emailQueue: mail.queued,
      smtpUp: mail.smtp === 'ok',
      answersQueued: discord.interactions.queued,
      residentBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    });
  };
  const health = () => {
    const status = gatewayState.status;
    const ready = status.shardsReady();
    const total = status.shardTotal();
    const ok = total > 0 && ready === total;
    return {
      ok,
      body: {
        status: ok ? 'ok' : 'starting',
        shards_ready: ready,
        shards_total: total,
        guilds: status.guilds(),
        smtp: mailer.status().smtp,
        uptime_seconds: Math.floor((Date.now() - metrics.startedAt) / 1000),
      },
    };
  };
  return {
    discord,
    gateway,
    mailer,
    sessions,
    dispatcher,
    reload,
    prometheus,
    health,
    settings: () => settings,
  };
}

type Bot = ReturnType<typeof wire>;

/** Step 3: health endpoints, SMTP check, then the gateway. */
async function start(bot: Bot, env: EnvSettings, log: Logger): Promise<void> {
  log.info('bot.starting', {
    api: env.apiUrl,
    config_dir: env.configDir,
    shards: String(bot.settings().config.shard_count),
    mail: env.senderEmail ? 'enabled' : 'disabled',
  });
  void bot.mailer.verify();
  if (env.healthPort !== undefined) {
    try {
      await startHealthServer(
        { health: bot.health, metrics: bot.prometheus, log: log.child({ component: 'health' }) },
        env.healthHost,
        env.healthPort,
      );
    } catch (error) {
      fail(`HEALTH_PORT: cannot listen on ${env.healthHost}:${env.healthPort} (${(error as Error).message})`);
    }
  }
  try {
    await bot.gateway.connect();
  } catch (error) {
    log.error('bot.connect_failed', { error });
    fail(
      httpStatusOf(error) === 401
        ? 'Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized): copy a fresh token from the developer portal.'
        : `Could not connect to Discord: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Step 4: SIGTERM/SIGINT drain and exit 0, SIGHUP reloads the config files. */
function handleSignals(bot: Bot, env: EnvSettings, log: Logger): void {
  const reload = () => {
    try {
      const { config, template } = loadShopSettings(env.configDir);
      bot.reload({ config, template });
      log.info('config.reloaded', {
        note: 'config.json and email_template.json apply to new interactions; SMTP server, shards and secrets from the environment need a restart',
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
      (drainSeconds + 5) * 1000,
    );
    hardExit.unref();
    try {
      await bot.gateway.destroy();
      await bot.dispatcher.idle(1000);
      const unsent = await bot.mailer.close(drainSeconds * 1000);
      bot.discord.destroy();
      bot.sessions.close();
      log.info('bot.stopped', { unsent_emails: unsent, open_sessions: bot.sessions.size });
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
  const startedAt = Date.now();
  const { env, settings } = load();
  const log = createLogger({ level: env.logLevel });
  const bot = wire(env, settings, log, startedAt);
  handleSignals(bot, env, log);
  await start(bot, env, log);
}

await main();
