/**
 * @module config
 * Loads `.env`, the environment and `config.json` / `email_template.json` from `CONFIG_DIR`,
 * validated with valibot. Every error names the file, the field path, what was expected and
 * what was found, so a shop owner can fix it without reading code.
 */
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as v from 'valibot';
import { emailAddress } from './email-address.ts';
import { ConfigError } from './errors.ts';
import { LOG_LEVELS, type LogLevel } from './log.ts';

const SNOWFLAKE = 'expected a Discord ID (a string of 17-20 digits)';

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
  allowed_guild_ids: [],
  image_hosts: [],
  recipient_daily_limit: 3,
  server_hourly_limit: 10,
  mail_hourly_limit: 20,
  order_cooldown_seconds: 60,
  daily_order_limit: 10,
  session_ttl_seconds: 900,
  max_sessions: 1000,
  shard_count: 'auto',
  mail_queue_size: 1000,
  mail_max_attempts: 5,
  mail_retry_initial_seconds: 8,
  mail_drain_seconds: 10,
  retention_days: 365,
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
    reply_to: v.optional(emailAddress),
    shop_bcc: v.optional(emailAddress),
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
    allowed_guild_ids: v.optional(v.array(snowflake, 'expected a list of Discord server IDs'), () => []),
    image_hosts: v.optional(
      v.array(
        v.pipe(
          v.string('expected a host name'),
          v.trim(),
          v.toLowerCase(),
          v.regex(/^[a-z0-9.-]+$/, 'expected a host name such as cdn.example.com (no scheme, no path)'),
        ),
        'expected a list of host names',
      ),
      () => [],
    ),
    recipient_daily_limit: v.optional(int(1, 1000), CONFIG_DEFAULTS.recipient_daily_limit),
    server_hourly_limit: v.optional(int(1, 100_000), CONFIG_DEFAULTS.server_hourly_limit),
    mail_hourly_limit: v.optional(int(1, 100_000), CONFIG_DEFAULTS.mail_hourly_limit),
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
    retention_days: v.optional(int(1, 36_500), CONFIG_DEFAULTS.retention_days),
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

/** An optional trimmed environment variable: blank counts as unset. */
const optionalVar = v.pipe(
  v.optional(v.string(), ''),
  v.trim(),
  v.transform((value) => value || undefined),
);

const EnvSchema = v.object({
  DISCORD_BOT_TOKEN: v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.minLength(1, 'CRITICAL ERROR: DISCORD_BOT_TOKEN not found'),
  ),
  SENDER_EMAIL: v.pipe(
    optionalVar,
    v.check((value) => value === undefined || v.is(emailAddress, value), 'expected an email address'),
  ),
  SENDER_PASSWORD: v.pipe(
    v.optional(v.string(), ''),
    v.transform((value) => value || undefined),
  ),
  DISCORD_API_URL: v.pipe(
    optionalVar,
    v.transform((value) => (value ?? 'https://discord.com/api').replace(/\/+$/, '')),
    v.regex(/^https?:\/\/[^\s/]+/, 'expected an http(s) URL'),
  ),
  CONFIG_DIR: v.pipe(
    optionalVar,
    v.transform((value) => value ?? './config'),
  ),
  DATA_DIR: v.pipe(
    optionalVar,
    v.transform((value) => value ?? './data'),
  ),
  LOG_LEVEL: v.pipe(
    optionalVar,
    v.transform((value) => value?.toLowerCase() ?? 'info'),
    v.picklist(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(', ')}`),
  ),
  HEALTH_PORT: v.pipe(
    optionalVar,
    v.transform((value) => (value === undefined ? undefined : Number(value))),
    v.check(
      (port) => port === undefined || (Number.isInteger(port) && port >= 0 && port <= 65535),
      'expected an integer 0-65535',
    ),
  ),
  HEALTH_HOST: v.pipe(
    optionalVar,
    v.transform((value) => value ?? '127.0.0.1'),
  ),
});

/** Secrets and process settings, from the environment only. */
export interface EnvSettings {
  token: string;
  senderEmail: string | undefined;
  senderPassword: string | undefined;
  apiUrl: string;
  configDir: string;
  /** Where the order database lives (`DATA_DIR`, default `./data`). */
  dataDir: string;
  logLevel: LogLevel;
  healthPort: number | undefined;
  healthHost: string;
}

/**
 * Loads `.env` from the working directory when present; variables already set win. It holds the
 * bot token and the SMTP password, so a `.env` other users of the machine can read is refused.
 */
export function loadDotEnv(cwd: string = process.cwd()): boolean {
  const path = join(cwd, '.env');
  const denied = () =>
    new ConfigError(
      `${path}: permission denied: the bot's user cannot read it (make that user its owner: chown <user> ${path}; then chmod 600 ${path})`,
    );
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'EACCES') throw denied();
    throw new ConfigError(`${path}: cannot read (${code})`);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(
      `${path} can be read by other users of this machine (mode ${(mode & 0o777).toString(8)}) and holds the bot token: run chmod 600 ${path}`,
    );
  }
  try {
    readFileSync(path, { flag: 'r' }).subarray(0, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw denied();
    throw new ConfigError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code})`);
  }
  process.loadEnvFile(path);
  return true;
}

/** Reads the environment settings; a missing token is the one fatal error with a fixed message. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    const issue = result.issues[0];
    const name = String(issue.path?.[0]?.key ?? 'environment');
    if (name === 'DISCORD_BOT_TOKEN') throw new ConfigError(issue.message);
    // Secrets are never echoed back; other values are, so the owner sees what was read.
    const shown = name === 'SENDER_EMAIL' ? '' : `, got ${JSON.stringify(env[name])}`;
    throw new ConfigError(`${name}: ${issue.message}${shown}`, { cause: result.issues });
  }
  const out = result.output;
  return {
    token: out.DISCORD_BOT_TOKEN,
    senderEmail: out.SENDER_EMAIL,
    senderPassword: out.SENDER_PASSWORD,
    apiUrl: out.DISCORD_API_URL,
    configDir: out.CONFIG_DIR,
    dataDir: out.DATA_DIR,
    logLevel: out.LOG_LEVEL,
    healthPort: out.HEALTH_PORT,
    healthHost: out.HEALTH_HOST,
  };
}

/** The two configuration files, validated; `templatePath` names the template in later errors. */
export interface ConfigFiles {
  config: BotConfig;
  template: EmailTemplate;
  templatePath: string;
}

/**
 * Reads and validates the shape of `config.json` and `email_template.json` from `dir`. The
 * template's placeholders are checked by the feature that fills them (see `order/email.ts`).
 */
export function loadConfigFiles(dir: string): ConfigFiles {
  const configPath = join(dir, 'config.json');
  const templatePath = join(dir, 'email_template.json');
  const config = parseWith(ConfigSchema, readJson(configPath), configPath);
  if (config.smtp_security === 'none' && !isLoopback(config.smtp_server)) {
    throw new ConfigError(
      `${configPath}: smtp_security: "none" (no encryption) is allowed only for a loopback host, got smtp_server ${JSON.stringify(config.smtp_server)}`,
    );
  }
  const template = parseWith(TemplateSchema, readJson(templatePath), templatePath);
  return { config, template, templatePath };
}

/** The environment the command-line tools need (no Discord token). */
export function readToolEnv(env: NodeJS.ProcessEnv = process.env) {
  const settings = readEnv({ ...env, DISCORD_BOT_TOKEN: env.DISCORD_BOT_TOKEN || 'not-needed' });
  return {
    senderEmail: settings.senderEmail,
    senderPassword: settings.senderPassword,
    configDir: settings.configDir,
    dataDir: settings.dataDir,
  };
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
