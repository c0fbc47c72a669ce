/**
 * @module main
 * Entry point: config -> rest + gateway -> dispatcher -> handlers; signals.
 */
import { API } from '@discordjs/core/http-only';
import { type LoadedConfig, loadConfig, loadConfigFiles, loadDotEnv } from './config.ts';
import { ConfigError } from './errors.ts';
import { createGateway } from './gateway/connection.ts';
import { createDispatcher } from './gateway/dispatcher.ts';
import { registry } from './handlers/index.ts';
import { startHealthServer } from './health.ts';
import { createLogger, type Logger } from './log.ts';
import { createMailer } from './mail/mailer.ts';
import { createSmtpTransport } from './mail/sender.ts';
import { createStats } from './metrics.ts';
import { createOrderLimits } from './order/limits.ts';
import { createSessionStore } from './sessions.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function load(): LoadedConfig {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loaded = load();
  const { env } = loaded;
  let settings = { config: loaded.config, template: loaded.template };
  const log: Logger = createLogger({ level: env.logLevel });
  const { config } = settings;

  const transport = env.senderEmail
    ? createSmtpTransport(config, { user: env.senderEmail, pass: env.senderPassword })
    : undefined;
  const mailer = createMailer({
    transport,
    from: env.senderEmail,
    config,
    log: log.child({ component: 'mail' }),
  });

  let dispatcher: ReturnType<typeof createDispatcher> | undefined;
  const gateway = createGateway({
    token: env.token,
    apiUrl: env.apiUrl,
    shardCount: config.shard_count,
    shardIds: config.shard_ids,
    log: log.child({ component: 'gateway' }),
    onDispatch: (payload, shardId) => dispatcher?.dispatch(payload, shardId),
    onAllReady: (info) =>
      log.info('bot.ready', {
        user: info.user,
        application_id: info.applicationId,
        shards: info.shards,
        guilds: info.guilds,
        startup_ms: Date.now() - startedAt,
      }),
  });
  const stats = createStats(gateway.status, startedAt, gateway.interactions.stats);
  const sessions = createSessionStore({
    ttlMs: config.session_ttl_seconds * 1000,
    maxSessions: config.max_sessions,
    sweepIntervalMs: Math.min(60_000, config.session_ttl_seconds * 1000),
    onEnd: (_session, reason) => {
      if (reason === 'expired') stats.counters.orders_expired++;
    },
  });
  const limits = createOrderLimits({
    cooldownMs: config.order_cooldown_seconds * 1000,
    dailyCap: config.daily_order_limit,
  });
  const limitSweep = setInterval(() => limits.sweep(), 10 * 60_000);
  limitSweep.unref();

  const api = new API(gateway.rest);
  dispatcher = createDispatcher({
    registry,
    api,
    interactions: gateway.interactions,
    sessions,
    limits,
    mailer,
    stats,
    log,
    clock: Date.now,
    settings: () => settings,
  });

  const reload = () => {
    try {
      const next = loadConfigFiles(env.configDir);
      settings = next;
      sessions.configure(next.config.session_ttl_seconds * 1000, next.config.max_sessions);
      limits.configure(next.config.order_cooldown_seconds * 1000, next.config.daily_order_limit);
      mailer.configure(next.config);
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
    log.info('bot.stopping', { signal, in_flight: dispatcher?.inFlight ?? 0 });
    const hardExit = setTimeout(
      () => {
        log.error('bot.stop_timeout', {});
        process.exit(1);
      },
      (settings.config.mail_drain_seconds + 5) * 1000,
    );
    hardExit.unref();
    try {
      await gateway.destroy();
      await dispatcher?.idle(1000);
      const unsent = await mailer.close(settings.config.mail_drain_seconds * 1000);
      sessions.close();
      log.info('bot.stopped', { unsent_emails: unsent, open_sessions: sessions.size });
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

  log.info('bot.starting', {
    api: env.apiUrl,
    config_dir: env.configDir,
    shards: String(config.shard_count),
    mail: transport ? 'enabled' : 'disabled',
  });
  void mailer.verify();
  if (env.healthPort !== undefined) {
    try {
      await startHealthServer(
        { stats, sessions, mailer, log: log.child({ component: 'health' }) },
        env.healthHost,
        env.healthPort,
      );
    } catch (error) {
      fail(`HEALTH_PORT: cannot listen on ${env.healthHost}:${env.healthPort} (${(error as Error).message})`);
    }
  }
  try {
    await gateway.connect();
  } catch (error) {
    log.error('bot.connect_failed', { error });
    const status = (error as { status?: number }).status;
    fail(
      status === 401
        ? 'Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized): copy a fresh token from the developer portal.'
        : `Could not connect to Discord: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

await main();
