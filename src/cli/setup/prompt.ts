/**
 * @module cli/setup/prompt
 * The wizard's questions, on `node:readline/promises`. {@link SetupIo} is all a step sees: `say` a
 * line, `readLine` an answer (a secret is not echoed). {@link createTerminalIo} builds it on a
 * terminal (line editing, secrets typed into a muted output) or on piped answers (read in order,
 * none lost when they arrive all at once); tests pass a fake. {@link ask} and {@link choose} are
 * the two kinds of question: a value (a flag's value wins; a default is offered in brackets) and a
 * pick from a numbered list.
 */
import { createInterface, type Interface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** A problem that stops setup at once (no retry); the entry prints it and exits 1. */
export class SetupError extends Error {
  override readonly name: string = 'SetupError';
}

/** The owner pressed Ctrl-C at a question; the entry exits 130 with nothing written. */
export class SetupCancelled extends SetupError {
  override readonly name = 'SetupCancelled';
  constructor() {
    super('cancelled; nothing was written');
  }
}

/** What a step may do with the person at the keyboard. */
export interface SetupIo {
  /** Whether someone answers (a terminal, or `SETUP_PROMPTS=1` with answers piped in). */
  readonly interactive: boolean;
  /** Prints one line. */
  say(text?: string): void;
  /**
   * Shows `prompt` and reads one line; with `secret` what is typed is not shown. Rejects with a
   * {@link SetupError} when input ends, with {@link SetupCancelled} on Ctrl-C.
   */
  readLine(prompt: string, options?: { secret?: boolean }): Promise<string>;
}

/** Options for {@link createTerminalIo}. */
export interface TerminalIoOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** See {@link SetupIo.interactive}. */
  interactive: boolean;
  /**
   * Read with line editing, and mute the echo of secrets. Off, answers are read line by line from
   * a pipe (which echoes nothing). @defaultValue whether `input` is a TTY
   */
  terminal?: boolean;
}

/** A {@link SetupIo} that owns a readline interface, to close when setup ends. */
export interface TerminalIo extends SetupIo {
  /** Closes the readline interface (and gives a terminal its normal mode back). */
  close(): void;
}

/** Creates the io of `npm run setup` on standard input and output. */
export function createTerminalIo(options: TerminalIoOptions): TerminalIo {
  const { input, output, interactive } = options;
  const terminal = options.terminal ?? (input as { isTTY?: boolean }).isTTY === true;
  // Readline echoes what is typed into its output; a secret is read while this stream drops it.
  let muted = false;
  const echo = new Writable({
    write(chunk, encoding, done) {
      if (!muted) output.write(chunk, encoding);
      done();
    },
  });
  Object.defineProperty(echo, 'columns', { get: () => (output as { columns?: number }).columns });
  const cancel = new AbortController();
  let rl: Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  const open = (): Interface => {
    if (rl) return rl;
    rl = createInterface(terminal ? { input, output: echo, terminal: true } : { input, terminal: false });
    // In a terminal readline takes Ctrl-C as a key; without a listener it would only pause.
    rl.on('SIGINT', () => cancel.abort(new SetupCancelled()));
    rl.on('close', () => cancel.abort(new SetupError('no answer (input closed)')));
    // Lines piped in all at once are buffered by the iterator until asked for.
    if (!terminal) lines = rl[Symbol.asyncIterator]();
    return rl;
  };

  return {
    interactive,
    say: (text = '') => {
      output.write(`${text}\n`);
    },
    async readLine(prompt, { secret = false } = {}) {
      const reader = open();
      if (lines) {
        output.write(prompt);
        const next = await lines.next();
        output.write('\n');
        if (next.done) throw new SetupError('no answer (input closed)');
        return next.value;
      }
      if (secret) {
        output.write(`${prompt}(hidden) `);
        muted = true;
      }
      try {
        return await reader.question(secret ? '' : prompt, { signal: cancel.signal });
      } catch (error) {
        if (cancel.signal.aborted) throw cancel.signal.reason;
        throw error;
      } finally {
        if (secret) {
          muted = false;
          output.write('\n');
        }
      }
    },
    close: () => rl?.close(),
  };
}

/** Options of {@link ask}. */
export interface AskOptions {
  /** The value a flag or the environment gave: taken without asking. */
  given?: string | undefined;
  /** Offered in brackets and taken on an empty answer; without someone to ask, taken as is. */
  fallback?: string | undefined;
  /** The flag that gives the value, named when it is missing and no one can be asked. */
  flag?: string;
  /** Not echoed, and not trimmed (a password may start or end with a space). */
  secret?: boolean;
}

/**
 * A value: `given` when there is one; otherwise asked (an empty answer takes `fallback`), or
 * without someone to ask `fallback`, or a {@link SetupError} naming the flag.
 */
export async function ask(io: SetupIo, question: string, options: AskOptions = {}): Promise<string> {
  const { given, fallback, flag, secret = false } = options;
  if (given !== undefined && given !== '') return given;
  if (!io.interactive) {
    if (fallback !== undefined) return fallback;
    throw new SetupError(
      `${question}: not given (${flag ? `add ${flag}` : 'add its flag'}; see npm run setup -- --help)`,
    );
  }
  const line = await io.readLine(`${question}${fallback ? ` [${fallback}]` : ''}: `, { secret });
  const answer = secret ? line : line.trim();
  return answer === '' ? (fallback ?? '') : answer;
}

/** One entry of a list: shown as `n. label`, picked by its number or by one of its keys. */
export interface Choice<T> {
  readonly label: string;
  /** Answers that pick it besides its number (an ID, a name, a preset's key). */
  readonly keys: readonly string[];
  readonly value: T;
}

/** Options of {@link choose}. */
export interface ChooseOptions extends Omit<AskOptions, 'secret'> {
  /** Several picks, comma-separated. @defaultValue `false` */
  many?: boolean;
}

/**
 * Picks from a numbered list: `given` (a number or a key) without asking, else the list is shown
 * and asked. An answer that names nothing on the list is an `Error` (the step asks again).
 */
export async function choose<T>(
  io: SetupIo,
  question: string,
  choices: readonly Choice<T>[],
  options: ChooseOptions = {},
): Promise<T[]> {
  const { many = false, ...rest } = options;
  if ((rest.given === undefined || rest.given === '') && io.interactive) {
    for (const [i, choice] of choices.entries()) io.say(`   ${i + 1}. ${choice.label}`);
  }
  const hint = many ? 'numbers or names, comma-separated' : 'a number or a name';
  const answer = await ask(io, `${question} (${hint})`, rest);
  const parts = many ? answer.split(',').map((part) => part.trim()) : [answer.trim()];
  const picked = parts.filter(Boolean).map((part) => pick(choices, part));
  if (picked.length === 0 || picked.some((choice) => choice === undefined)) {
    throw new Error(`"${answer}" is not on the list: answer ${hint} from it (1-${choices.length})`);
  }
  return [...new Set(picked as Choice<T>[])].map((choice) => choice.value);
}

/** The entry `answer` names: its number (1-based), else a key (letter case ignored). */
export function pick<T>(choices: readonly Choice<T>[], answer: string): Choice<T> | undefined {
  if (/^\d{1,3}$/.test(answer)) return choices[Number(answer) - 1];
  const wanted = answer.toLowerCase();
  return choices.find((choice) => choice.keys.some((key) => key.toLowerCase() === wanted));
}
