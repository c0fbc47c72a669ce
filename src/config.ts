/**
 * @module config
 * Loads `.env`, the environment and `config.json` / `email_template.json` from `CONFIG_DIR`,
 * validated with valibot. Every error names the file, the field path, what was expected and
 * what was found, so a shop owner can fix it without reading code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as v from 'valibot';
import { ConfigError } from './errors.ts';
import { LOG_LEVELS, type LogLevel } from './log.ts';
import { checkTemplate } from './mail/template.ts';

const SNOWFLAKE = 'expected a Discord ID (a string of 17-20 digits)';
const EMAIL_MESSAGE = 'expected an email address';

/** Valibot pipe for a plausible email address (at most 254 characters, one @, a dotted domain). */
export const emailSchema = v.pipe(
  v.string(EMAIL_MESSAGE),
  v.trim(),
  v.maxLength(254, 'expected at most 254 characters'),
  v.regex(
    /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
    EMAIL_MESSAGE,
  ),
);

const snowflake = v.pipe(v.string(SNOWFLAKE), v.regex(/^\d{17,20}$/, SNOWFLAKE));
const int = (min: number, max: number) => {
  const message = `expected an integer ${min}-${max}`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};
const positive = (max: number) => {
  const message = `expected a number greater than 0 and at most ${max}`;
  return v.pipe(v.number(message), v.gtValue(0, message), v.maxValue(max, message));
};
const text = (max: number) =>
  v.pipe(
    v.string('expected text'),
    v.trim(),
    v.minLength(1, 'expected non-empty text'),
    v.maxLength(max, `expected at most ${max} characters`),
  );

/** Defaults for every optional key of `config.json`. */
export const CONFIG_DEFAULTS = {
  smtp_security: 'starttls',
  shop_name: 'Our Shop',
  order_summary: 'ephemeral',
  show_address_publicly: false,
  allowed_role_ids: [],
  order_cooldown_seconds: 60,
  daily_order_limit: 10,
  session_ttl_seconds: 900,
  max_sessions: 10_000,
  shard_count: 'auto',
  mail_queue_size: 1000,
  mail_max_attempts: 5,
  mail_retry_initial_seconds: 8,
  mail_drain_seconds: 10,
} as const satisfies Partial<Record<string, unknown>>;

const ConfigSchema = v.strictObject(
  {
    smtp_server: v.pipe(v.string('expected a host name'), v.trim(), v.minLength(1, 'expected a host name')),
    smtp_port: int(1, 65535),
    smtp_security: v.optional(
      v.picklist(['starttls', 'tls', 'none'], 'expected "starttls", "tls" or "none"'),
      CONFIG_DEFAULTS.smtp_security,
    ),
    shop_name: v.optional(text(100), CONFIG_DEFAULTS.shop_name),
    sender_name: v.optional(text(100)),
    reply_to: v.optional(emailSchema),
    shop_bcc: v.optional(emailSchema),
    orders_channel_id: v.optional(v.nullable(snowflake)),
    order_summary: v.optional(
      v.picklist(['ephemeral', 'public'], 'expected "ephemeral" or "public"'),
      CONFIG_DEFAULTS.order_summary,
    ),
    show_address_publicly: v.optional(
      v.boolean('expected true or false'),
      CONFIG_DEFAULTS.show_address_publicly,
    ),
    allowed_role_ids: v.optional(v.array(snowflake, 'expected a list of Discord role IDs'), () => []),
    order_cooldown_seconds: v.optional(int(0, 86_400), CONFIG_DEFAULTS.order_cooldown_seconds),
    daily_order_limit: v.optional(int(1, 10_000), CONFIG_DEFAULTS.daily_order_limit),
    session_ttl_seconds: v.optional(positive(86_400), CONFIG_DEFAULTS.session_ttl_seconds),
    max_sessions: v.optional(int(1, 1_000_000), CONFIG_DEFAULTS.max_sessions),
    shard_count: v.optional(
      v.union([v.literal('auto'), int(1, 10_000)], 'expected "auto" or an integer 1-10000'),
      CONFIG_DEFAULTS.shard_count,
    ),
    shard_ids: v.optional(v.array(int(0, 9_999), 'expected a list of shard numbers')),
    mail_queue_size: v.optional(int(1, 1_000_000), CONFIG_DEFAULTS.mail_queue_size),
    mail_max_attempts: v.optional(int(1, 20), CONFIG_DEFAULTS.mail_max_attempts),
    mail_retry_initial_seconds: v.optional(positive(3600), CONFIG_DEFAULTS.mail_retry_initial_seconds),
    mail_drain_seconds: v.optional(positive(600), CONFIG_DEFAULTS.mail_drain_seconds),
  },
  'unknown key (check the spelling; keys starting with "_" are ignored as comments)',
);

const TemplateSchema = v.strictObject(
  {
    subject: text(200),
    html_body: v.pipe(v.string('expected HTML text'), v.minLength(1, 'expected non-empty HTML')),
    text_body: v.optional(v.string('expected plain text')),
  },
  'unknown key (expected "subject", "html_body" and optionally "text_body")',
);

/** The validated contents of `config.json`, defaults applied. */
export type BotConfig = v.InferOutput<typeof ConfigSchema>;
/** The validated contents of `email_template.json`. */
export type EmailTemplate = v.InferOutput<typeof TemplateSchema>;

/** Secrets and process settings, from the environment only. */
export interface EnvSettings {
  token: string;
  senderEmail: string | undefined;
  senderPassword: string | undefined;
  apiUrl: string;
  configDir: string;
  logLevel: LogLevel;
  healthPort: number | undefined;
  healthHost: string;
}

/** Everything the bot needs to start. */
export interface LoadedConfig {
  env: EnvSettings;
  config: BotConfig;
  template: EmailTemplate;
}

/** Loads `.env` from the working directory when present; variables already set win. */
export function loadDotEnv(cwd: string = process.cwd()): boolean {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}

/** Reads the environment settings; a missing token is the one fatal error with a fixed message. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const token = env.DISCORD_BOT_TOKEN?.trim();
  if (!token) throw new ConfigError('CRITICAL ERROR: DISCORD_BOT_TOKEN not found');
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`,
    );
  }
  let healthPort: number | undefined;
  if (env.HEALTH_PORT?.trim()) {
    healthPort = Number(env.HEALTH_PORT);
    if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535) {
      throw new ConfigError(
        `HEALTH_PORT: expected an integer 0-65535, got ${JSON.stringify(env.HEALTH_PORT)}`,
      );
    }
  }
  const apiUrl = (env.DISCORD_API_URL?.trim() || 'https://discord.com/api').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(apiUrl)) {
    throw new ConfigError(
      `DISCORD_API_URL: expected an http(s) URL, got ${JSON.stringify(env.DISCORD_API_URL)}`,
    );
  }
  const senderEmail = env.SENDER_EMAIL?.trim() || undefined;
  if (senderEmail !== undefined && !v.is(emailSchema, senderEmail)) {
    throw new ConfigError('SENDER_EMAIL: expected an email address');
  }
  return {
    token,
    senderEmail,
    senderPassword: env.SENDER_PASSWORD || undefined,
    apiUrl,
    configDir: env.CONFIG_DIR?.trim() || './config',
    logLevel,
    healthPort,
    healthHost: env.HEALTH_HOST?.trim() || '127.0.0.1',
  };
}

/** Reads and validates `config.json` and `email_template.json` from `dir`. */
export function loadConfigFiles(dir: string): { config: BotConfig; template: EmailTemplate } {
  const configPath = join(dir, 'config.json');
  const templatePath = join(dir, 'email_template.json');
  const config = parseWith(ConfigSchema, readJson(configPath), configPath);
  if (config.smtp_security === 'none' && !isLoopback(config.smtp_server)) {
    throw new ConfigError(
      `${configPath}: smtp_security: "none" (no encryption) is allowed only for a loopback host, got smtp_server ${JSON.stringify(config.smtp_server)}`,
    );
  }
  const template = parseWith(TemplateSchema, readJson(templatePath), templatePath);
  const unknown = checkTemplate(template);
  if (unknown) throw new ConfigError(`${templatePath}: ${unknown}`);
  return { config, template };
}

/** The environment a mail-only tool needs (no Discord token). */
export function readMailEnv(env: NodeJS.ProcessEnv = process.env) {
  const settings = readEnv({ ...env, DISCORD_BOT_TOKEN: env.DISCORD_BOT_TOKEN || 'not-needed' });
  return {
    senderEmail: settings.senderEmail,
    senderPassword: settings.senderPassword,
    configDir: settings.configDir,
  };
}

/** Loads everything: `.env`, the environment, then the config files. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const settings = readEnv(env);
  return { env: settings, ...loadConfigFiles(settings.configDir) };
}

/** Whether `host` names this machine (where unencrypted SMTP cannot be sniffed). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

function readJson(path: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${path}: file not found (set CONFIG_DIR to the folder holding it)`
        : `${path}: cannot read (${code})`,
    );
  }
  try {
    const value: unknown = JSON.parse(raw.replace(/^\uFEFF/, ''));
    return stripComments(value);
  } catch (error) {
    throw new ConfigError(`${path}: invalid JSON: ${describeJsonError(raw, (error as Error).message)}`);
  }
}

/** Drops top-level keys starting with `_`, which the shipped files use as comments. */
function stripComments(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('_')));
}

function describeJsonError(raw: string, message: string): string {
  const match = /at position (\d+)/.exec(message);
  const position = match ? Number(match[1]) : raw.length;
  const before = raw.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
  return `${reason} at line ${line}, column ${column}`;
}

function parseWith<S extends v.GenericSchema>(schema: S, input: unknown, file: string): v.InferOutput<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${file}: expected a JSON object, got ${describe(input)}`);
  }
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const lines = result.issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.') || '(root)';
    if (issue.type === 'strict_object' || issue.input === undefined) {
      return `${file}: ${path}: ${issue.input === undefined ? 'required, missing' : issue.message}`;
    }
    return `${file}: ${path}: ${issue.message}, got ${describe(issue.input)}`;
  });
  throw new ConfigError(lines.join('\n'), { cause: result.issues });
}

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
