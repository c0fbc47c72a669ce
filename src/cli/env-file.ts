/**
 * @module cli/env-file
 * Writes values into a `.env` file so the bot reads them back unchanged, however it is started:
 * with Node's own `.env` reader (`process.loadEnvFile`, which ends an unquoted value at `#`, trims
 * it, and removes one pair of quotes) or with Docker's `--env-file` (which keeps every character,
 * quotes included); either way the bot then runs `cleanEnv()`, which removes one pair of quotes
 * around the whole value. A value that needs it is wrapped in single quotes (in double quotes when
 * it contains a single quote); a value no quoting can carry through both readers is refused.
 */
import { parseEnv } from 'node:util';
import { cleanEnv } from '../config.ts';

/**
 * Why `value` cannot be written to `.env` so that the bot reads it back exactly, or `undefined`
 * when it can.
 */
export function envValueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'it contains a line break, which a .env line cannot hold';
  if (value.includes('\0')) return 'it contains a NUL character, which no environment variable can hold';
  // cleanEnv() removes such quotes whatever the file says (they are usually a paste mistake).
  if (/^(["']).*\1$/s.test(value.trim())) {
    return 'it starts and ends with the same quote mark, and the bot removes quotes around a value';
  }
  if (!needsQuotes(value)) return undefined;
  if (!value.includes("'")) return undefined;
  if (value.includes('"')) {
    return `it needs quotes (for ${quoteReason(value)}) but contains both ' and ", so neither can wrap it`;
  }
  // Inside double quotes Node's reader turns the two characters \n into a line break.
  if (value.includes('\\n')) {
    return `it needs quotes (for ${quoteReason(value)}) but contains both ' and \\n, which Node's .env reader turns into a line break inside double quotes`;
  }
  return undefined;
}

/** A value Node's reader would cut (at `#`), trim, or take for a quoted one. */
function needsQuotes(value: string): boolean {
  return value !== value.trim() || value.includes('#') || /^["'`]/.test(value);
}

function quoteReason(value: string): string {
  if (value.includes('#')) return 'its #';
  if (value !== value.trim()) return 'the spaces at its ends';
  return 'its first character, a quote mark';
}

/** The text after `NAME=` for `value`: bare when safe, else quoted; throws when it cannot be written. */
export function formatEnvValue(value: string): string {
  const problem = envValueProblem(value);
  if (problem) throw new Error(problem);
  if (!needsQuotes(value)) return value;
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/**
 * Sets `values` in the text of a `.env` file: earlier lines assigning those names are dropped,
 * every other line is kept as it was, and the new lines are appended (so they win in both readers).
 * Throws, naming the variable, when a value cannot be written (see {@link envValueProblem}).
 */
export function setEnvKeys(text: string, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values);
  const assigns = (line: string) =>
    names.some((name) => new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`).test(line));
  const kept = text === '' ? [] : text.split('\n').filter((line) => !assigns(line));
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  const added = Object.entries(values).map(([name, value]) => {
    try {
      return `${name}=${formatEnvValue(value)}`;
    } catch (error) {
      throw new Error(`${name} cannot be written to .env: ${(error as Error).message}`);
    }
  });
  return `${[...kept, ...added].join('\n')}\n`;
}

/** The environment the bot gets from `.env` text under `npm start`: Node's reader, then `cleanEnv()`. */
export function readEnvAsNode(text: string): NodeJS.ProcessEnv {
  return cleanEnv(parseEnv(text)).env;
}

/**
 * The environment the bot gets from `.env` text under `docker run --env-file`: each `NAME=value`
 * line taken literally (leading blanks and `#` lines skipped, the last assignment wins), then
 * `cleanEnv()`.
 */
export function readEnvAsDocker(text: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trimStart();
    const equals = line.indexOf('=');
    if (line === '' || line.startsWith('#') || equals < 0) continue;
    env[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return cleanEnv(env).env;
}

/**
 * The names in `values` that `.env` text does not give back exactly, each with the reader that
 * differs (`SENDER_PASSWORD (Node's .env reader)`); empty when every value reads back as meant.
 * Values are never included, as they may be passwords.
 */
export function envMismatches(text: string, values: Readonly<Record<string, string>>): string[] {
  const readers = [
    ["Node's .env reader", readEnvAsNode(text)],
    ["Docker's --env-file", readEnvAsDocker(text)],
  ] as const;
  return Object.entries(values).flatMap(([name, value]) =>
    readers.filter(([, env]) => env[name] !== value).map(([reader]) => `${name} (${reader})`),
  );
}
