/**
 * @module config
 * Loads `.env`, the environment and `config.json` / `email_template.json` from `CONFIG_DIR`,
 * validated with valibot. Every error names the file, the field path, what was expected and
 * what was found, so a shop owner can fix it without reading code.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import SHIPPED_CONFIG from '../config/defaults/config.json' with { type: 'json' };
import SHIPPED_TEMPLATE from '../config/defaults/email_template.json' with { type: 'json' };
import { emailAddress } from './email-address.ts';
import { ConfigError } from './errors.ts';
import { isLanguage, LANGUAGES, type Language } from './i18n/languages.ts';
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
  staff_role_ids: [],
  image_hosts: [],
  recipient_daily_limit: 3,
  user_daily_email_limit: 5,
  server_hourly_limit: 10,
  mail_hourly_limit: 20,
  order_cooldown_seconds: 60,
  daily_order_limit: 10,
  session_ttl_seconds: 900,
  max_sessions: 1000,
  shard_count: 'auto',
  rest_requests_per_second: 50,
  resume_gateway_sessions: false,
  mail_queue_size: 1000,
  mail_max_attempts: 5,
  mail_retry_initial_seconds: 8,
  mail_drain_seconds: 10,
  retention_days: 365,
  order_reference_format: '#{id}',
  webhook_retry_initial_seconds: 10,
  default_language: 'en-US',
} as const satisfies Partial<Record<string, unknown>>;

const LANGUAGE = `expected one of the shipped languages (${LANGUAGES.join(', ')})`;
const language = v.pipe(
  v.string(LANGUAGE),
  v.check((value): value is Language => isLanguage(value), LANGUAGE),
  v.transform((value) => value as Language),
);

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
    staff_role_ids: v.optional(v.array(snowflake, 'expected a list of Discord role IDs'), () => []),
    webhook_url: v.optional(
      v.pipe(
        v.string('expected an http(s) URL'),
        v.trim(),
        v.check((value) => {
          try {
            const url = new URL(value);
            return url.protocol === 'https:' || url.protocol === 'http:';
          } catch {
            return false;
          }
        }, 'expected an http(s) URL such as https://example.com/hooks/orders'),
      ),
    ),
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
    user_daily_email_limit: v.optional(int(1, 1000), CONFIG_DEFAULTS.user_daily_email_limit),
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
    rest_requests_per_second: v.optional(int(1, 50), CONFIG_DEFAULTS.rest_requests_per_second),
    resume_gateway_sessions: v.optional(
      v.boolean('expected true or false'),
      CONFIG_DEFAULTS.resume_gateway_sessions,
    ),
    mail_queue_size: v.optional(int(1, 1_000_000), CONFIG_DEFAULTS.mail_queue_size),
    mail_max_attempts: v.optional(int(1, 20), CONFIG_DEFAULTS.mail_max_attempts),
    mail_retry_initial_seconds: v.optional(positive(3600), CONFIG_DEFAULTS.mail_retry_initial_seconds),
    mail_drain_seconds: v.optional(positive(600), CONFIG_DEFAULTS.mail_drain_seconds),
    retention_days: v.optional(int(1, 36_500), CONFIG_DEFAULTS.retention_days),
    webhook_retry_initial_seconds: v.optional(positive(3600), CONFIG_DEFAULTS.webhook_retry_initial_seconds),
    order_reference_format: v.optional(
      v.pipe(
        text(40),
        v.check(
          (value) => value.includes('{id}'),
          'expected text with {id} where the order ID goes, like "#{id}"',
        ),
      ),
      CONFIG_DEFAULTS.order_reference_format,
    ),
    languages: v.optional(
      v.pipe(
        v.array(language, `expected a list of languages (${LANGUAGES.join(', ')})`),
        v.minLength(1, 'expected at least one language'),
      ),
      () => [...LANGUAGES],
    ),
    default_language: v.optional(language, CONFIG_DEFAULTS.default_language),
    staff_language: v.optional(language),
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
    v.transform((value) => value ?? './config/local'),
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
  DATABASE_URL: v.pipe(
    optionalVar,
    v.check(
      (value) => value === undefined || /^postgres(ql)?:\/\/\S+$/.test(value),
      'expected a PostgreSQL URL such as postgres://orderbot:password@127.0.0.1:5432/orderbot',
    ),
  ),
  WEBHOOK_SECRET: optionalVar,
  REDIS_URL: v.pipe(
    optionalVar,
    v.check(
      (value) => value === undefined || /^rediss?:\/\/\S+$/.test(value),
      'expected a Redis URL such as redis://127.0.0.1:6379',
    ),
  ),
  INTERACTIONS_PORT: v.pipe(
    optionalVar,
    v.transform((value) => (value === undefined ? undefined : Number(value))),
    v.check(
      (port) => port === undefined || (Number.isInteger(port) && port >= 0 && port <= 65535),
      'expected an integer 0-65535',
    ),
  ),
  INTERACTIONS_HOST: v.pipe(
    optionalVar,
    v.transform((value) => value ?? '127.0.0.1'),
  ),
  DISCORD_PUBLIC_KEY: v.pipe(
    optionalVar,
    v.check(
      (value) => value === undefined || /^[0-9a-fA-F]{64}$/.test(value),
      "expected the application's public key: 64 hexadecimal characters (Developer Portal -> General Information -> Public Key)",
    ),
  ),
  DISCORD_GATEWAY: v.pipe(
    optionalVar,
    v.transform((value) => value?.toLowerCase() ?? 'on'),
    v.picklist(['on', 'off'], 'expected "on" or "off"'),
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
  /** PostgreSQL for the orders, the outbox and the caps (`DATABASE_URL`); unset: SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Redis for the forms in progress (`REDIS_URL`); unset: kept in the process. */
  redisUrl: string | undefined;
  /**
   * The signed HTTP interactions endpoint (`INTERACTIONS_PORT`, `INTERACTIONS_HOST`,
   * `DISCORD_PUBLIC_KEY`); unset: interactions arrive over the gateway only.
   */
  interactions: { port: number; host: string; publicKey: string } | undefined;
  /** Whether this process connects to the gateway (`DISCORD_GATEWAY`, default on). */
  gateway: boolean;
  /** The key webhook bodies are signed with (`WEBHOOK_SECRET`, HMAC-SHA256). */
  webhookSecret: string | undefined;
  /** Pasting mistakes that were undone (quotes, a `Bot ` prefix), to log as warnings. */
  fixed: string[];
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

/**
 * Undoes two common pastes: a value wrapped in quotes (Docker's `--env-file` keeps them) and a
 * token pasted with its `Bot ` prefix. Returns the cleaned environment and what was fixed.
 */
export function cleanEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; fixed: string[] } {
  const fixed: string[] = [];
  const cleaned: NodeJS.ProcessEnv = { ...env };
  for (const name of Object.keys(EnvSchema.entries)) {
    const value = cleaned[name]?.trim();
    if (value && value.length >= 2 && /^(["']).*\1$/s.test(value)) {
      cleaned[name] = value.slice(1, -1);
      fixed.push(
        `${name} was wrapped in quotes; they were removed (Docker's --env-file keeps quotes; values without spaces or # need none)`,
      );
    }
  }
  const token = cleaned.DISCORD_BOT_TOKEN?.trim();
  if (token && /^Bot\s+/i.test(token)) {
    cleaned.DISCORD_BOT_TOKEN = token.replace(/^Bot\s+/i, '');
    fixed.push('DISCORD_BOT_TOKEN started with "Bot "; the prefix was removed (paste the token alone)');
  }
  return { env: cleaned, fixed };
}

/** Reads the environment settings; a missing token is the one fatal error with a fixed message. */
export function readEnv(raw: NodeJS.ProcessEnv = process.env): EnvSettings {
  const { env, fixed } = cleanEnv(raw);
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    const issue = result.issues[0];
    const name = String(issue.path?.[0]?.key ?? 'environment');
    if (name === 'DISCORD_BOT_TOKEN') throw new ConfigError(issue.message);
    // Secrets are never echoed back; other values are, so the owner sees what was read.
    const secret = ['SENDER_EMAIL', 'DATABASE_URL', 'REDIS_URL', 'WEBHOOK_SECRET'].includes(name);
    const shown = secret ? '' : `, got ${JSON.stringify(env[name])}`;
    throw new ConfigError(`${name}: ${issue.message}${shown}`, { cause: result.issues });
  }
  const out = result.output;
  if (out.INTERACTIONS_PORT !== undefined && out.DISCORD_PUBLIC_KEY === undefined) {
    throw new ConfigError(
      "INTERACTIONS_PORT needs DISCORD_PUBLIC_KEY: the application's public key, 64 hexadecimal characters (Developer Portal -> General Information -> Public Key)",
    );
  }
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
    databaseUrl: out.DATABASE_URL,
    redisUrl: out.REDIS_URL,
    interactions:
      out.INTERACTIONS_PORT === undefined || out.DISCORD_PUBLIC_KEY === undefined
        ? undefined
        : {
            port: out.INTERACTIONS_PORT,
            host: out.INTERACTIONS_HOST,
            publicKey: out.DISCORD_PUBLIC_KEY.toLowerCase(),
          },
    gateway: out.DISCORD_GATEWAY === 'on',
    webhookSecret: out.WEBHOOK_SECRET,
    fixed,
  };
}

/** The two configuration files, validated; `templatePath` names the template in later errors. */
export interface ConfigFiles {
  config: BotConfig;
  template: EmailTemplate;
  templatePath: string;
}

/** Where the shipped defaults live in the repository (they are also built into the bundle). */
export const DEFAULTS_DIR = 'config/defaults';

/**
 * Reads the owner's `config.json` and `email_template.json` from `dir` (`CONFIG_DIR`), each merged
 * key by key over the shipped defaults (`config/defaults/`, built into the bundle): a file or key
 * the owner does not have falls back to the default, so an upgrade never touches the owner's files.
 * Validates the shape; the template's placeholders are checked by the feature that fills them
 * (see `order/email.ts`). Errors name the owner's file.
 */
export function loadConfigFiles(dir: string): ConfigFiles {
  const configPath = join(dir, 'config.json');
  const templatePath = join(dir, 'email_template.json');
  if (!existsSync(dir)) {
    throw new ConfigError(
      `CONFIG_DIR ${dir}: no such folder (create it, or unset CONFIG_DIR to use ./config/local)`,
    );
  }
  const config = parseConfig(readOwnJson(configPath), configPath);
  const ownTemplate = readOwnJson(templatePath);
  const template = parseWith(
    TemplateSchema,
    { ...SHIPPED_TEMPLATE, ...ownTemplate },
    templatePath,
    unknownKeys(ownTemplate, Object.keys(TemplateSchema.entries), templatePath),
  );
  return { config, template, templatePath };
}

/**
 * Reads an email template `name` from `dir`, merged key by key over `shipped` (the default built
 * into the bundle), as `email_template.json` is; errors name the owner's file.
 */
export function loadTemplateFile(dir: string, name: string, shipped: Record<string, unknown>): EmailTemplate {
  const path = join(dir, name);
  const own = readOwnJson(path);
  return parseWith(
    TemplateSchema,
    { ...shipped, ...own },
    path,
    unknownKeys(own, Object.keys(TemplateSchema.entries), path),
  );
}

/**
 * Validates the owner's `config.json` object (keys starting with `_` are comments) merged key by key
 * over the shipped defaults, exactly as the bot does at start-up; throws a `ConfigError` naming `file`.
 * `npm run setup` runs it on what it is about to write, so it never writes a config the bot refuses.
 */
export function parseConfig(ownFile: Readonly<Record<string, unknown>>, file: string): BotConfig {
  const owner = stripComments(ownFile) as Record<string, unknown>;
  const config = parseWith(
    ConfigSchema,
    { ...(stripComments(SHIPPED_CONFIG) as object), ...owner },
    file,
    unknownKeys(owner, Object.keys(ConfigSchema.entries), file),
  );
  if (!config.languages.includes(config.default_language)) {
    throw new ConfigError(
      `${file}: default_language: ${JSON.stringify(config.default_language)} is not one of languages (${config.languages.join(', ')}): add it there, or choose one of them`,
    );
  }
  if (config.smtp_security === 'none' && !isLoopback(config.smtp_server)) {
    throw new ConfigError(
      `${file}: smtp_security: "none" (no encryption) is allowed only for a loopback host, got smtp_server ${JSON.stringify(config.smtp_server)}`,
    );
  }
  return config;
}

/** The language of the staff's texts (the staff post's labels, staff answers): `staff_language`, else `default_language`. */
export function staffLanguageOf(config: Pick<BotConfig, 'staff_language' | 'default_language'>): Language {
  return config.staff_language ?? config.default_language;
}

/**
 * A language named on a command line (`--lang de`), or `fallback` when none is; throws a
 * `ConfigError` listing the shipped languages otherwise.
 */
export function parseLanguage(value: string | undefined, fallback: Language): Language {
  if (value === undefined) return fallback;
  if (isLanguage(value)) return value;
  throw new ConfigError(`--lang: expected one of ${LANGUAGES.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The shipped defaults alone (built into the bundle), as the owner would get them with no files. */
export function shippedFiles(): ConfigFiles {
  return {
    config: parseWith(
      ConfigSchema,
      stripComments(SHIPPED_CONFIG) as Record<string, unknown>,
      `${DEFAULTS_DIR}/config.json`,
    ),
    template: parseWith(TemplateSchema, SHIPPED_TEMPLATE, `${DEFAULTS_DIR}/email_template.json`),
    templatePath: `${DEFAULTS_DIR}/email_template.json`,
  };
}

/** The owner's file as an object without comment keys, or `{}` when there is no such file. */
function readOwnJson(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const value = readJson(path);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${path}: expected a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A line for every unknown key, each with the closest known one when it looks like a typo. */
function unknownKeys(
  owner: Readonly<Record<string, unknown>>,
  known: readonly string[],
  file: string,
): string[] {
  return Object.keys(owner)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const near = known
        .map((candidate) => ({ candidate, distance: editDistance(key, candidate) }))
        .sort((a, b) => a.distance - b.distance)[0];
      const hint =
        near && near.distance <= Math.max(2, Math.floor(key.length / 4))
          ? ` (did you mean ${near.candidate}?)`
          : '';
      return `${file}: ${key}: unknown key${hint}; keys starting with "_" are comments`;
    });
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The environment the command-line tools need (no Discord token). */
export function readToolEnv(env: NodeJS.ProcessEnv = process.env) {
  const settings = readEnv({ ...env, DISCORD_BOT_TOKEN: env.DISCORD_BOT_TOKEN || 'not-needed' });
  return {
    senderEmail: settings.senderEmail,
    senderPassword: settings.senderPassword,
    configDir: settings.configDir,
    dataDir: settings.dataDir,
    databaseUrl: settings.databaseUrl,
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

/** Validates `input`; every problem (and each line of `extra`) is reported at once. */
function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: Record<string, unknown>,
  file: string,
  extra: readonly string[] = [],
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success && extra.length === 0) return result.output;
  const issues = result.success ? [] : result.issues.filter((issue) => issue.type !== 'strict_object');
  const lines = issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.') || '(root)';
    if (issue.type === 'strict_object' || issue.input === undefined) {
      return `${file}: ${path}: ${issue.input === undefined ? 'required, missing' : issue.message}`;
    }
    return `${file}: ${path}: ${issue.message}, got ${describe(issue.input)}`;
  });
  throw new ConfigError([...lines, ...extra].join('\n'), { cause: issues });
}

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** What a shop owner should hear about at start-up: settings that leave orders unseen or unnamed. */
export function configWarnings(config: BotConfig, env: EnvSettings): { event: string; note: string }[] {
  const warnings: { event: string; note: string }[] = [];
  // Upgrades: files and keys an older version used (CHANGELOG.md, "Upgrading").
  for (const file of ['config.json', 'email_template.json']) {
    const old = join('config', file);
    if (existsSync(old) && resolve(env.configDir) !== resolve('config')) {
      warnings.push({
        event: 'config.old_layout',
        note: `${old} is where version 0.1 kept your settings; it is not read any more: move it to ${join(env.configDir, file)} (only the keys you changed)`,
      });
    }
  }
  if (config.mail_queue_size !== CONFIG_DEFAULTS.mail_queue_size) {
    warnings.push({
      event: 'config.unused_key',
      note: 'mail_queue_size is no longer used (emails wait in the database, without a limit): remove it',
    });
  }
  if (!config.orders_channel_id && !config.shop_bcc) {
    warnings.push({
      event: 'config.orders_unseen',
      note: 'orders are stored (npm run orders -- list) but no one is told: set orders_channel_id (a staff channel) or shop_bcc in config/local/config.json',
    });
  }
  if (!env.gateway && !env.interactions) {
    warnings.push({
      event: 'config.no_interactions',
      note: 'DISCORD_GATEWAY=off and no INTERACTIONS_PORT: this process receives no interactions; it only delivers the outbox',
    });
  }
  if (config.webhook_url && !env.webhookSecret) {
    warnings.push({
      event: 'config.webhook_unsigned',
      note: 'webhook_url is set but WEBHOOK_SECRET is not: webhooks are held back (failed, "no_secret") until you set WEBHOOK_SECRET in .env and run npm run orders -- retry',
    });
  }
  if (config.shop_name === CONFIG_DEFAULTS.shop_name) {
    warnings.push({
      event: 'config.default_shop_name',
      note: `customers see "${CONFIG_DEFAULTS.shop_name}" in emails: set shop_name in config/local/config.json`,
    });
  }
  return warnings;
}

/**
 * The warning when no `allowed_guild_ids` is set: any server the bot is in can take orders in the
 * shop's name. Names up to 25 of the servers it is in; `undefined` when the shop is closed to others.
 */
export function openShopWarning(
  config: BotConfig,
  guildIds: Iterable<string>,
  guildCount: number,
): { event: string; fields: { servers: string[]; server_count: number; note: string } } | undefined {
  if (config.allowed_guild_ids.length > 0) return undefined;
  return {
    event: 'config.allowed_guild_ids_unset',
    fields: {
      servers: [...guildIds].slice(0, 25),
      server_count: guildCount,
      note: "any server the bot is in can take orders and send email in the shop's name: set allowed_guild_ids in config.json to the shop's server(s), and untick Public Bot in the developer portal",
    },
  };
}
