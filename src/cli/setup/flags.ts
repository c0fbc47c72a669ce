/**
 * @module cli/setup/flags
 * The flags of `npm run setup`, parsed strictly with `node:util.parseArgs`: an unknown flag, a
 * missing value or a value outside its list is a {@link UsageError} (one line, exit 2) before
 * anything is asked, sent or written. Also the email presets the wizard offers as a list.
 */
import { parseArgs } from 'node:util';
import type { BotConfig } from '../../config.ts';
import { normalizeEmailAddress } from '../../email-address.ts';

/** A command line that cannot be run as given; the entry prints its message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** How the bot talks to the SMTP server (`smtp_security`), worded for the list the wizard shows. */
export const SECURITY_LABELS: Readonly<Record<BotConfig['smtp_security'], string>> = {
  starttls: 'STARTTLS (usually port 587)',
  tls: 'TLS from the first byte (usually port 465)',
  none: 'none (a relay on this machine only)',
};

/** The security modes, in the order the wizard lists them. */
export const SECURITY_MODES = Object.keys(SECURITY_LABELS) as readonly BotConfig['smtp_security'][];

/** One email provider preset; what it leaves undefined the wizard asks. */
export interface Provider {
  readonly label: string;
  readonly host?: string;
  readonly port: number;
  readonly security?: BotConfig['smtp_security'];
}

/** The providers of README's table, in the order the wizard lists them. */
export const PROVIDERS = {
  gmail: { label: 'Gmail (an app password)', host: 'smtp.gmail.com', port: 587, security: 'starttls' },
  outlook: { label: 'Outlook / Microsoft 365', host: 'smtp.office365.com', port: 587, security: 'starttls' },
  'custom-465': { label: 'your own server, port 465 (TLS)', port: 465, security: 'tls' },
  'custom-587': { label: 'your own server, port 587 (STARTTLS)', port: 587, security: 'starttls' },
  custom: { label: 'your own server, any port (you pick the security)', port: 587 },
  local: {
    label: 'a relay on this machine (port 25, no login)',
    host: '127.0.0.1',
    port: 25,
    security: 'none',
  },
} as const satisfies Readonly<Record<string, Provider>>;

/** A key of {@link PROVIDERS}. */
export type ProviderKey = keyof typeof PROVIDERS;

/** The command line, checked. Every field is optional: what is missing is asked (or stops setup). */
export interface SetupFlags {
  help: boolean;
  token?: string;
  /** Server IDs or list numbers; `--guild` may repeat and each may hold a comma-separated list. */
  guilds?: string[];
  channel?: string;
  shopName?: string;
  noEmail: boolean;
  smtp?: ProviderKey;
  smtpHost?: string;
  smtpPort?: number;
  smtpSecurity?: BotConfig['smtp_security'];
  senderEmail?: string;
  senderPassword?: string;
  testEmail?: string;
}

/** What `npm run setup -- --help` prints. */
export const USAGE = `npm run setup: a guided first run. It asks for what no flag gives.

  npm run setup                                     answer the questions
  npm run setup -- --token <token> --guild <id> --channel <id> --shop-name "Acme" \\
    --smtp gmail --sender-email shop@gmail.com --sender-password <app password>

Flags:
  --token <token>            the bot token (Developer Portal -> Bot -> Reset Token)
  --guild <id>               the shop's server (repeat, or comma-separate, for several)
  --channel <id|name>        the staff channel, in the first server
  --shop-name <name>         the name customers see in every email
  --smtp <provider>          ${Object.keys(PROVIDERS).join(', ')}
  --smtp-host <host>         the SMTP server (with custom-465, custom-587 or custom)
  --smtp-port <port>         1-65535
  --smtp-security <mode>     ${SECURITY_MODES.join(', ')} (none only for a server on this machine)
  --sender-email <address>   the sending address (SENDER_EMAIL)
  --sender-password <pass>   its password (SENDER_PASSWORD; Gmail: an app password)
  --test-email <address>     where the sample confirmation goes (default: the sending address)
  --no-email                 skip email (orders are still taken; no confirmations are sent)
  -h, --help                 this text

Without a terminal (scripts, CI) a value no flag gives stops setup, unless SETUP_PROMPTS=1
(answers are then read line by line from standard input).`;

/** Parses `argv` (without `node` and the script); throws a {@link UsageError} naming the bad flag. */
export function parseSetupFlags(argv: readonly string[]): SetupFlags {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError(usageProblem(error));
  }
  const smtp = values.smtp;
  if (smtp !== undefined && !Object.hasOwn(PROVIDERS, smtp)) {
    throw new UsageError(
      `--smtp: expected one of ${Object.keys(PROVIDERS).join(', ')}, got ${JSON.stringify(smtp)}`,
    );
  }
  const security = values['smtp-security'];
  if (security !== undefined && !(SECURITY_MODES as readonly string[]).includes(security)) {
    throw new UsageError(
      `--smtp-security: expected one of ${SECURITY_MODES.join(', ')}, got ${JSON.stringify(security)}`,
    );
  }
  const port = values['smtp-port'];
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new UsageError(`--smtp-port: expected a port number 1-65535, got ${JSON.stringify(port)}`);
  }
  for (const name of ['sender-email', 'test-email'] as const) {
    const address = values[name];
    if (address !== undefined && !normalizeEmailAddress(address)) {
      throw new UsageError(`--${name}: expected an email address, got ${JSON.stringify(address)}`);
    }
  }
  const guilds = values.guild?.flatMap((list) =>
    list
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );
  return {
    help: values.help === true,
    noEmail: values['no-email'] === true,
    ...defined('token', values.token),
    ...defined('guilds', guilds),
    ...defined('channel', values.channel),
    ...defined('shopName', values['shop-name']),
    ...defined('smtp', smtp as ProviderKey | undefined),
    ...defined('smtpHost', values['smtp-host']),
    ...defined('smtpPort', port === undefined ? undefined : Number(port)),
    ...defined('smtpSecurity', security as BotConfig['smtp_security'] | undefined),
    ...defined('senderEmail', values['sender-email']),
    ...defined('senderPassword', values['sender-password']),
    ...defined('testEmail', values['test-email']),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      token: { type: 'string' },
      guild: { type: 'string', multiple: true },
      channel: { type: 'string' },
      'shop-name': { type: 'string' },
      smtp: { type: 'string' },
      'smtp-host': { type: 'string' },
      'smtp-port': { type: 'string' },
      'smtp-security': { type: 'string' },
      'sender-email': { type: 'string' },
      'sender-password': { type: 'string' },
      'test-email': { type: 'string' },
      'no-email': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `{ [key]: value }` when the value is set, else `{}` (for `exactOptionalPropertyTypes`). */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** parseArgs' error as one short line (its own messages run to three sentences). */
function usageProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const flag = /'(-[^' ]+)/.exec(message ?? '')?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? ''}`.trimEnd();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take/.test(message ?? '')) return `${flag ?? 'a flag'}: takes no value`;
      return `${flag ?? 'a flag'}: expected a value after it (one starting with - is written ${flag ?? '--flag'}=-value)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message ?? '')?.[1] ?? ''} (every value follows its flag)`.trimEnd();
    default:
      return String(message ?? error).split('\n')[0]!;
  }
}
