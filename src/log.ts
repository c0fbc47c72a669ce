/**
 * @module log
 * One structured line per event: JSON when stdout is not a terminal, a readable line when it is.
 * Secrets and personal data never reach a line: fields with sensitive names are dropped and
 * strings are scrubbed of email addresses, bot tokens and interaction/webhook tokens.
 */

/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields of one log line: JSON values or errors (serialized with a scrubbed stack). */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logger handed to every part of the bot. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
  /** Whether a line at `level` would be written. */
  enabled(level: LogLevel): boolean;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** @defaultValue `'info'` */
  level?: LogLevel;
  /** Where lines go. @defaultValue `process.stdout` */
  write?: (line: string) => void;
  /** Readable lines instead of JSON. @defaultValue whether stdout is a terminal */
  pretty?: boolean;
  /** Current time in ms. @defaultValue `Date.now` */
  now?: () => number;
}

const SENSITIVE_KEY = /token|password|secret|authorization|^e-?mail$|^to$|address|^notes$/i;
const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;
const URL_TOKEN = /(\/(?:webhooks|interactions)\/\d+\/)[^/\s?"']+/g;
const BOT_TOKEN = /\b[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}\b/g;

/** Removes anything that looks like an email address or a Discord token from `text`. */
export function scrub(text: string): string {
  // Fast path for IDs, routes and states (most values): an email needs '@', a URL token '/', and
  // a bot token is longer than 22 characters.
  if (text.length < 23 && !text.includes('@') && !text.includes('/')) return text;
  return text.replace(EMAIL, '[email]').replace(URL_TOKEN, '$1[token]').replace(BOT_TOKEN, '[token]');
}

/** Whether a field name is redacted, remembered per name (field names are a small fixed set). */
const sensitiveKeys = new Map<string, boolean>();
function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_KEY.test(key);
    if (sensitiveKeys.size < 1000) sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

function add(record: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) record[key] = isSensitiveKey(key) ? '[redacted]' : serialize(value);
}

function serialize(value: unknown): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: scrub(value.message),
      stack: value.stack ? scrub(value.stack) : undefined,
    };
  }
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((item: unknown) => serialize(item));
  return value;
}

/** Creates the structured logger. */
export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const sink: Sink = {
    minimum: LOG_LEVELS.indexOf(options.level ?? 'info'),
    write: options.write ?? stdoutWriter(),
    pretty: options.pretty ?? process.stdout.isTTY === true,
    now: options.now ?? Date.now,
  };
  return new StructuredLogger(sink, Object.keys(bound).length > 0 ? [bound] : []);
}

/** Where a logger and all its children write. */
interface Sink {
  readonly minimum: number;
  readonly write: (line: string) => void;
  readonly pretty: boolean;
  readonly now: () => number;
}

/**
 * A class, and children keep their parents' fields as a list: one child is made per interaction,
 * and copying fields with spreads (`{ ...bound, ...fields }`) made V8 keep each copy alive into
 * the old generation (see discord/responder.ts).
 */
class StructuredLogger implements Logger {
  readonly #sink: Sink;
  /** Bound fields, outermost first; later ones win. */
  readonly #bound: readonly LogFields[];

  constructor(sink: Sink, bound: readonly LogFields[]) {
    this.#sink = sink;
    this.#bound = bound;
  }

  debug(event: string, fields?: LogFields): void {
    this.#emit('debug', event, fields);
  }
  info(event: string, fields?: LogFields): void {
    this.#emit('info', event, fields);
  }
  warn(event: string, fields?: LogFields): void {
    this.#emit('warn', event, fields);
  }
  error(event: string, fields?: LogFields): void {
    this.#emit('error', event, fields);
  }
  child(fields: LogFields): Logger {
    return new StructuredLogger(this.#sink, [...this.#bound, fields]);
  }
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#sink.minimum;
  }

  #emit(level: LogLevel, event: string, fields: LogFields | undefined): void {
    const sink = this.#sink;
    if (LOG_LEVELS.indexOf(level) < sink.minimum) return;
    const record: Record<string, unknown> = { time: new Date(sink.now()).toISOString(), level, event };
    for (const bound of this.#bound) for (const key in bound) add(record, key, bound[key]);
    if (fields) for (const key in fields) add(record, key, fields[key]);
    sink.write(sink.pretty ? formatPretty(record) : JSON.stringify(record));
  }
}

function formatPretty(record: Record<string, unknown>): string {
  const { time, level, event, ...rest } = record;
  let stack = '';
  const parts = Object.entries(rest).map(([key, value]) => {
    if (value && typeof value === 'object' && 'stack' in value && typeof value.stack === 'string') {
      stack = `\n${value.stack}`;
      return `${key}=${JSON.stringify((value as { message?: unknown }).message)}`;
    }
    return `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`;
  });
  return `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(event)} ${parts.join(' ')}${stack}`;
}

let sharedWriter: ((line: string) => void) | undefined;

/**
 * Writes log lines to stdout in one batch per event-loop turn: stdout to a pipe is a blocking
 * write on Linux, and one write per line cost about 60 µs each under load. Pending lines are
 * flushed synchronously when the process exits.
 */
export function stdoutWriter(): (line: string) => void {
  if (sharedWriter) return sharedWriter;
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const chunk = `${pending.join('\n')}\n`;
    pending = [];
    process.stdout.write(chunk);
  };
  process.on('exit', flush);
  sharedWriter = (line) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(line);
  };
  return sharedWriter;
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });
