/**
 * @module cli/setup/steps
 * The wizard's steps, each a function of what it needs (the io, a Discord or mail client, the
 * values a flag gave) that returns what it found, and throws an `Error` saying why when it cannot.
 * {@link runStep} shows a step's title and asks it again after a failure while someone is there to
 * answer. Values the bot's config holds are checked with the bot's own schema (`parseConfig`) as
 * soon as they are known: before a login is tried with them, and long before anything is written.
 */
import { cleanEnv, isLoopback, parseConfig } from '../../config.ts';
import { normalizeEmailAddress } from '../../email-address.ts';
import { ConfigError } from '../../errors.ts';
import type { SmtpConfig } from '../../mail/transport.ts';
import { envValueProblem } from '../env-file.ts';
import type { BotIdentity, Named, SetupDiscord } from './discord.ts';
import { PROVIDERS, type Provider, type ProviderKey, SECURITY_LABELS, SECURITY_MODES } from './flags.ts';
import type { SetupMail } from './mail.ts';
import { ask, choose, SetupError, type SetupIo } from './prompt.ts';

/** View Channels, Send Messages, Embed Links. */
export const PERMISSIONS = 19456;

/** How many times a step is asked before setup stops. */
const MAX_ATTEMPTS = 5;

/**
 * Runs a step under its title; on an `Error` says why and, when someone is there to answer, runs
 * it again (`attempt` counts from 1; flags are meant for the first). A {@link SetupError}, a fifth
 * failure, or any failure without someone to answer stops setup, naming the step.
 */
export async function runStep<T>(
  io: SetupIo,
  title: string,
  run: (attempt: number) => Promise<T>,
): Promise<T> {
  io.say(`\n== ${title}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (error instanceof SetupError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      io.say(`   ✗ ${reason}`);
      if (!io.interactive || attempt >= MAX_ATTEMPTS) throw new SetupError(`${title}: ${reason}`);
      io.say('   Let us try that step again.');
    }
  }
}

/**
 * Checks `config.json` keys with the bot's own schema and rules (merged over the shipped
 * defaults, as the bot reads them); throws an `Error` with the bot's reason.
 */
export function checkConfigKeys(keys: Readonly<Record<string, unknown>>) {
  try {
    return parseConfig(keys, 'config.json');
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(error.message.split('\n').join('; '));
    throw error;
  }
}

/** The bot whose token was checked, with the client that checked it (to close when done). */
export interface CheckedBot {
  token: string;
  identity: BotIdentity;
  discord: SetupDiscord;
}

/** Step 1: the token (asked hidden), checked against Discord; prints the invite link. */
export async function checkToken(
  io: SetupIo,
  connect: (token: string) => SetupDiscord,
  given?: string,
): Promise<CheckedBot> {
  const raw = await ask(io, 'Bot token (Developer Portal → your application → Bot → Reset Token)', {
    given,
    flag: '--token',
    secret: true,
  });
  // The bot's own reading: quotes around it and a "Bot " prefix are paste mistakes it undoes.
  const token = cleanEnv({ DISCORD_BOT_TOKEN: raw }).env.DISCORD_BOT_TOKEN?.trim() ?? '';
  if (token === '') throw new Error('no token given: paste the token from the Bot tab');
  const discord = connect(token);
  let identity: BotIdentity;
  try {
    identity = await discord.whoAmI();
  } catch (error) {
    discord.close();
    throw error;
  }
  io.say(
    `   ✓ Discord knows this token: the bot is ${identity.username} (application ${identity.applicationId}).`,
  );
  if (identity.isPublic) {
    io.say(
      '   ⚠ Public Bot is on: anyone could add the bot. Untick it: Developer Portal → Bot → Public Bot.',
    );
  }
  io.say('   Invite link (bot + commands, View Channels, Send Messages, Embed Links):');
  io.say(`   ${inviteLink(identity.applicationId)}`);
  return { token, identity, discord };
}

/** The link that adds the bot to a server with the commands and the permissions it needs. */
export function inviteLink(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot+applications.commands&permissions=${PERMISSIONS}`;
}

/** Step 2: the shop's server(s), picked from the servers the bot is in. */
export async function pickGuilds(
  io: SetupIo,
  discord: SetupDiscord,
  given?: readonly string[],
): Promise<Named[]> {
  let list = await discord.guilds();
  if (list.length === 0 && io.interactive) {
    io.say('   The bot is in no server yet: open the invite link above and add it to your shop’s server.');
    await io.readLine('   Press Enter when it has joined ');
    list = await discord.guilds();
  }
  if (list.length === 0) {
    throw new Error('the bot is in no server yet: open the invite link above, then try again');
  }
  const chosen = await choose(
    io,
    'Which server(s)?',
    list.map((guild) => ({
      label: `${guild.name} (${guild.id})`,
      keys: [guild.id, guild.name],
      value: guild,
    })),
    {
      many: true,
      given: given?.join(','),
      flag: '--guild',
      ...(list.length === 1 ? { fallback: '1' } : {}),
    },
  );
  io.say(`   ✓ Orders will be taken in: ${chosen.map((guild) => guild.name).join(', ')}.`);
  return chosen;
}

/** Step 3: the staff channel, picked from the server's text channels and checked by posting there. */
export async function pickChannel(
  io: SetupIo,
  discord: SetupDiscord,
  guild: Named,
  given?: string,
): Promise<Named> {
  const channels = await discord.textChannels(guild.id);
  if (channels.length === 0) {
    throw new Error(`${guild.name} has no text channel the bot can see: create one, or let the bot see one`);
  }
  const [channel] = await choose(
    io,
    'Which channel?',
    channels.map((c) => ({ label: `#${c.name} (${c.id})`, keys: [c.id, c.name, `#${c.name}`], value: c })),
    { given, flag: '--channel' },
  );
  try {
    await discord.post(channel!.id, '✅ Lean Order Bot will post new orders in this channel.');
  } catch (error) {
    throw new Error(`posting in #${channel!.name} failed: ${(error as Error).message}`);
  }
  io.say(`   ✓ The bot posted a test message in #${channel!.name}.`);
  return channel!;
}

/** Step 4: the shop's name, as the bot's schema takes it (trimmed, 1-100 characters). */
export async function askShopName(io: SetupIo, given?: string): Promise<string> {
  const name = await ask(io, 'Shop name', { given, flag: '--shop-name' });
  return checkConfigKeys({ shop_name: name }).shop_name;
}

/** What the flags and the environment gave for the email step. */
export interface EmailGiven {
  provider?: ProviderKey | undefined;
  host?: string | undefined;
  port?: number | undefined;
  security?: SmtpConfig['smtp_security'] | undefined;
  sender?: string | undefined;
  password?: string | undefined;
  /** Where the sample goes. @defaultValue the sending address */
  testEmail?: string | undefined;
}

/** The email settings that logged in and sent the sample. */
export interface EmailSettings {
  smtp: SmtpConfig;
  sender: string;
  /** Empty for a relay that takes no login. */
  password: string;
}

/**
 * Step 5a: the SMTP server, port and security, from a provider preset, checked with the bot's
 * rules: encryption may be off only for a server on this machine, so no password ever crosses
 * the network unencrypted.
 */
export async function askSmtpServer(io: SetupIo, given: EmailGiven = {}): Promise<SmtpConfig> {
  const [key] = await choose(
    io,
    'Email provider',
    Object.entries(PROVIDERS).map(([name, preset]) => ({
      label: `${name}: ${preset.label}`,
      keys: [name],
      value: name as ProviderKey,
    })),
    { given: given.provider ?? (given.host ? 'custom' : undefined), flag: '--smtp' },
  );
  const preset: Provider = PROVIDERS[key!];
  const host = await ask(io, 'SMTP server', {
    given: given.host,
    fallback: preset.host,
    flag: '--smtp-host',
  });
  const rawPort = await ask(io, 'SMTP port', {
    given: given.port?.toString(),
    fallback: String(preset.port),
    flag: '--smtp-port',
  });
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : rawPort;
  const security =
    given.security ??
    preset.security ??
    (
      await choose(
        io,
        'Security',
        SECURITY_MODES.map((mode) => ({
          label: `${mode}: ${SECURITY_LABELS[mode]}`,
          keys: [mode],
          value: mode,
        })),
        { fallback: port === 465 ? 'tls' : 'starttls', flag: '--smtp-security' },
      )
    )[0]!;
  if (security === 'none' && !isLoopback(host.trim())) {
    throw new Error(
      `${host.trim()} is not on this machine, and the bot sends without encryption only to a server on this machine (smtp_security "none" needs a loopback host): pick custom-587 (STARTTLS) or custom-465 (TLS)`,
    );
  }
  const config = checkConfigKeys({ smtp_server: host, smtp_port: port, smtp_security: security });
  return {
    smtp_server: config.smtp_server,
    smtp_port: config.smtp_port,
    smtp_security: config.smtp_security,
  };
}

/**
 * Step 5: email. The server (see {@link askSmtpServer}), the sending address and its password
 * (asked hidden), a login as the bot will log in, and a sample confirmation sent with the bot's
 * own template.
 */
export async function setupEmail(
  io: SetupIo,
  mail: SetupMail,
  shopName: string,
  given: EmailGiven = {},
): Promise<EmailSettings> {
  const smtp = await askSmtpServer(io, given);
  const sender = normalizeEmailAddress(
    await ask(io, 'Sending address (SENDER_EMAIL)', { given: given.sender, flag: '--sender-email' }),
  );
  if (!sender) throw new Error('that is not an email address');
  // A relay on this machine takes no login, so no password is asked for it.
  const password =
    smtp.smtp_security === 'none'
      ? (given.password ?? '')
      : await ask(io, 'Password (SENDER_PASSWORD; Gmail: an app password)', {
          given: given.password,
          flag: '--sender-password',
          secret: true,
        });
  const unwritable = envValueProblem(password);
  if (unwritable) throw new Error(`this password cannot be written to .env: ${unwritable}`);
  const credentials = { user: sender, pass: password || undefined };
  const login = await mail.checkLogin(smtp, credentials);
  if (!login.ok) throw new Error(login.error.message);
  io.say(
    login.loggedIn
      ? `   ✓ Logged in to ${smtp.smtp_server} as ${sender}.`
      : `   ✓ Connected to ${smtp.smtp_server} (no login offered).`,
  );
  const to = given.testEmail ?? sender;
  await mail.sendSample(smtp, credentials, to, shopName);
  io.say(`   ✓ A sample confirmation was sent to ${to}: check that it arrived.`);
  return { smtp, sender, password };
}

/** Step 6: the bot's commands, registered in each of the shop's servers. */
export async function registerCommands(
  io: SetupIo,
  discord: SetupDiscord,
  applicationId: string,
  guilds: readonly Named[],
): Promise<void> {
  for (const guild of guilds) {
    await discord.registerCommands(applicationId, guild.id);
    io.say(`   ✓ Registered in ${guild.name}.`);
  }
}
