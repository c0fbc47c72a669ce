/**
 * @module cli/setup/files
 * The wizard's last step: `.env` and `config.json`. {@link planFiles} makes both texts from the
 * answers and the files already there, and checks them as the bot will read them (the `.env` text
 * through Node's reader and the bot's environment rules, `config.json` through the bot's schema),
 * so a value the bot would refuse stops setup before anything is written. {@link writeFiles}
 * writes them (`.env` readable by its owner only) and reads `.env` back as the bot reads it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseConfig, readEnv } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import { envMismatches, readEnvAsNode, setEnvKeys } from '../env-file.ts';
import type { Named } from './discord.ts';
import { SetupError } from './prompt.ts';
import type { EmailSettings } from './steps.ts';

/** Discord's API, the default of `DISCORD_API_URL` (not written to `.env` when in force). */
const DISCORD_API_URL = 'https://discord.com/api';

/** What the steps found. */
export interface SetupAnswers {
  token: string;
  /** `DISCORD_API_URL` in force. */
  apiUrl: string;
  guilds: readonly Named[];
  channel: Named;
  shopName: string;
  /** Undefined with `--no-email`. */
  email: EmailSettings | undefined;
}

/** Where the two files go. */
export interface SetupPaths {
  envPath: string;
  configPath: string;
}

/** The checked texts of both files, ready to write. */
export interface FilePlan extends SetupPaths {
  envText: string;
  /** The values setup sets in `.env`, to compare with what is read back. */
  envValues: Readonly<Record<string, string>>;
  configText: string;
}

/** A file's text, or undefined when there is none. */
export type ReadText = (path: string) => string | undefined;

const readIfPresent: ReadText = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/**
 * Both files' new texts, made over what is there (other `.env` lines and other `config.json` keys
 * are kept) and checked with the bot's own rules; throws a {@link SetupError} saying what the bot
 * would refuse.
 */
export function planFiles(
  answers: SetupAnswers,
  paths: SetupPaths,
  read: ReadText = readIfPresent,
): FilePlan {
  const oldEnv = read(paths.envPath) ?? '';
  const envValues: Record<string, string> = {
    DISCORD_BOT_TOKEN: answers.token,
    // Written when not Discord's, or when an older line would point the bot elsewhere.
    ...(answers.apiUrl !== DISCORD_API_URL || readEnvAsNode(oldEnv).DISCORD_API_URL !== undefined
      ? { DISCORD_API_URL: answers.apiUrl }
      : {}),
    ...(answers.email ? { SENDER_EMAIL: answers.email.sender, SENDER_PASSWORD: answers.email.password } : {}),
  };
  let envText: string;
  try {
    envText = setEnvKeys(oldEnv, envValues);
    readEnv(readEnvAsNode(envText));
  } catch (error) {
    throw new SetupError(`${paths.envPath}: ${(error as Error).message}`);
  }

  const existing = parseOwnConfig(read(paths.configPath), paths.configPath);
  const config = {
    ...existing,
    shop_name: answers.shopName,
    allowed_guild_ids: answers.guilds.map((guild) => guild.id),
    orders_channel_id: answers.channel.id,
    ...(answers.email ? answers.email.smtp : {}),
  };
  try {
    parseConfig(config, paths.configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new SetupError(
      `the bot would refuse this config: ${error.message.split('\n').join('; ')} (fix or remove the key, then run setup again)`,
    );
  }
  return { ...paths, envText, envValues, configText: `${JSON.stringify(config, null, 2)}\n` };
}

/** The owner's `config.json` as an object, `{}` when there is none. */
function parseOwnConfig(text: string | undefined, path: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SetupError(`${path}: invalid JSON (${(error as Error).message}): fix it, or move it away`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SetupError(`${path}: expected a JSON object: fix it, or move it away`);
  }
  return value as Record<string, unknown>;
}

/**
 * Writes `config.json`, then `.env` (mode 0600), and reads `.env` back from disk as the bot does
 * (Node's reader and docker's `--env-file`); throws a {@link SetupError} when a value would read
 * differently from what setup checked.
 */
export function writeFiles(plan: FilePlan): void {
  mkdirSync(dirname(plan.configPath), { recursive: true });
  writeFileSync(plan.configPath, plan.configText);
  writeFileSync(plan.envPath, plan.envText, { mode: 0o600 });
  chmodSync(plan.envPath, 0o600);
  const mismatches = envMismatches(readFileSync(plan.envPath, 'utf8'), plan.envValues);
  if (mismatches.length > 0) {
    throw new SetupError(
      `${plan.envPath} was written, but the bot would read ${mismatches.join(', ')} differently from what setup checked: look for an unclosed quote in the lines above them`,
    );
  }
}
