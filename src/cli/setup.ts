/**
 * @module cli/setup
 * `npm run setup`: the guided first run. Checks the bot token against Discord, picks the shop's
 * server(s) and staff channel (and checks the bot can post there), asks the shop name, sets up and
 * checks email (login and a test message), registers the commands in the shop's server, and writes
 * `.env` (mode 0600) and `config/local/config.json`. Every step that fails says why and asks again.
 * `.env` values are quoted where the bot's readers need it (`./env-file.ts`) and read back before
 * setup says it is done: what the bot reads is what setup checked.
 *
 * It also runs without questions, from flags and the environment (for scripts and CI):
 *   npm run setup -- --token <token> --guild <id> --channel <id> --shop-name "Acme" \
 *     --smtp gmail --sender-email shop@gmail.com --sender-password <app password> [--test-email you@x.y]
 * Flags: --smtp gmail|outlook|custom-465|custom-587|local, or --smtp-host/--smtp-port/--smtp-security.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { API } from '@discordjs/core/http-only';
import { COMMANDS } from '../commands.ts';
import { type BotConfig, cleanEnv, shippedFiles } from '../config.ts';
import { createDiscordTransport, httpStatusOf } from '../discord/rest.ts';
import { normalizeEmailAddress } from '../email-address.ts';
import { silentLogger } from '../log.ts';
import { createMailer } from '../mail/mailer.ts';
import { checkSmtpLogin, createSmtpTransport, type SmtpConfig } from '../mail/transport.ts';
import { confirmationJob } from '../order/email.ts';
import { SAMPLE_ORDER } from '../order/sample.ts';
import { envMismatches, envValueProblem, setEnvKeys } from './env-file.ts';

/** The providers of README's table. */
const PROVIDERS: Readonly<Record<string, { label: string; smtp: Partial<SmtpConfig> }>> = {
  gmail: {
    label: 'Gmail (an app password)',
    smtp: { smtp_server: 'smtp.gmail.com', smtp_port: 587, smtp_security: 'starttls' },
  },
  outlook: {
    label: 'Outlook / Microsoft 365',
    smtp: { smtp_server: 'smtp.office365.com', smtp_port: 587, smtp_security: 'starttls' },
  },
  'custom-465': { label: 'your own server, port 465 (TLS)', smtp: { smtp_port: 465, smtp_security: 'tls' } },
  'custom-587': {
    label: 'your own server, port 587 (STARTTLS)',
    smtp: { smtp_port: 587, smtp_security: 'starttls' },
  },
  local: {
    label: 'a relay on this machine (port 25, no login)',
    smtp: { smtp_server: '127.0.0.1', smtp_port: 25, smtp_security: 'none' },
  },
};

/** View Channels, Send Messages, Embed Links. */
const PERMISSIONS = 19456;

class SetupError extends Error {}

const { values: flags } = parseArgs({
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

const interactive = process.stdin.isTTY === true || process.env.SETUP_PROMPTS === '1';
let rl: Interface | undefined;
const say = (text = '') => process.stdout.write(`${text}\n`);

/**
 * Takes the flag/environment value when there is one; otherwise asks (with `fallback` offered in
 * brackets, taken on an empty answer), or without a terminal takes `fallback` or stops clearly.
 */
async function ask(question: string, given: string | undefined, fallback?: string): Promise<string> {
  if (given !== undefined && given !== '') return given;
  if (!interactive) {
    if (fallback !== undefined) return fallback;
    throw new SetupError(`${question}: not given (add its flag; see npm run setup -- --help)`);
  }
  process.stdout.write(`${question}${fallback ? ` [${fallback}]` : ''}: `);
  const line = await nextLine();
  if (line === undefined) throw new SetupError('no answer (input closed)');
  if (!process.stdin.isTTY) process.stdout.write('\n');
  return line.trim() || (fallback ?? '');
}

/** Every line typed or piped in, kept until asked for (answers piped in all at once are not lost). */
const typed: string[] = [];
let inputClosed = false;
let wake: (() => void) | undefined;
function nextLine(): Promise<string | undefined> {
  if (!rl) {
    rl = createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
      typed.push(line);
      wake?.();
    });
    rl.on('close', () => {
      inputClosed = true;
      wake?.();
    });
  }
  return new Promise((resolve) => {
    const check = () => {
      wake = undefined;
      if (typed.length > 0) resolve(typed.shift());
      else if (inputClosed) resolve(undefined);
      else wake = check;
    };
    check();
  });
}

/** Runs a step; on failure says why and, when someone is there to answer, asks again. */
async function step<T>(title: string, run: (attempt: number) => Promise<T>): Promise<T> {
  say(`\n== ${title}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (error instanceof SetupError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      say(`   ✗ ${reason}`);
      if (!interactive || attempt >= 5) throw new SetupError(`${title}: ${reason}`);
      say('   Let us try that step again.');
    }
  }
}

async function main(): Promise<number> {
  if (flags.help) {
    say('npm run setup: a guided first run (see the top of src/cli/setup.ts for the flags).');
    return 0;
  }
  const env = cleanEnv(process.env).env;
  const apiUrl = (env.DISCORD_API_URL?.trim() || 'https://discord.com/api').replace(/\/+$/, '');
  say('Lean Order Bot setup. Nothing is written until every step has worked.');

  // 1. The token, checked against Discord.
  let flagToken = flags.token ?? env.DISCORD_BOT_TOKEN;
  const bot = await step('1. The bot token', async () => {
    const raw = await ask('Bot token (Developer Portal → your application → Bot → Reset Token)', flagToken);
    flagToken = undefined; // a retry asks again
    const token = cleanEnv({ DISCORD_BOT_TOKEN: raw }).env.DISCORD_BOT_TOKEN ?? raw;
    const transport = createDiscordTransport({ token, apiUrl, retries: 0 });
    const api = new API(transport.rest);
    try {
      const [user, app] = await Promise.all([api.users.getCurrent(), api.applications.getCurrent()]);
      say(`   ✓ Discord knows this token: the bot is ${user.username} (application ${app.id}).`);
      if (app.bot_public) {
        say(
          '   ⚠ Public Bot is on: anyone could add the bot. Untick it: Developer Portal → Bot → Public Bot.',
        );
      }
      say(`   Invite link (bot + commands, View Channels, Send Messages, Embed Links):`);
      say(
        `   https://discord.com/oauth2/authorize?client_id=${app.id}&scope=bot+applications.commands&permissions=${PERMISSIONS}`,
      );
      return { token, api, applicationId: app.id, transport };
    } catch (error) {
      transport.destroy();
      const status = httpStatusOf(error);
      if (status === 401)
        throw new Error('Discord rejected this token (401): copy a fresh one (Bot → Reset Token)');
      if (error instanceof Error && error.name === 'AbortError') {
        throw new Error(
          `no answer from Discord at ${apiUrl} within 10 s: check the network (and DISCORD_API_URL)`,
        );
      }
      throw new Error(
        `could not reach Discord at ${apiUrl}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });

  // 2. The shop's server(s).
  let flagGuilds = flags.guild;
  const guilds = await step("2. Your shop's server", async () => {
    const list = await bot.api.users.getGuilds();
    if (list.length === 0)
      throw new Error('the bot is in no server yet: open the invite link above, then try again');
    for (const [i, g] of list.entries()) say(`   ${i + 1}. ${g.name} (${g.id})`);
    const answer =
      flagGuilds?.join(',') ??
      (list.length === 1 && !interactive
        ? list[0]!.id
        : await ask('Which server(s)? Numbers or IDs, comma-separated', undefined));
    flagGuilds = undefined;
    const chosen = answer
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => (/^\d{1,3}$/.test(part) ? list[Number(part) - 1] : list.find((g) => g.id === part)));
    if (chosen.length === 0 || chosen.some((g) => !g))
      throw new Error(`"${answer}" does not name servers from the list`);
    const names = chosen.map((g) => g!.name).join(', ');
    say(`   ✓ Orders will be taken in: ${names}.`);
    return chosen.map((g) => g!);
  });

  // 3. The staff channel, checked by posting in it.
  let flagChannel = flags.channel;
  const channel = await step('3. The staff channel (new orders are posted there)', async () => {
    const channels = (await bot.api.guilds.getChannels(guilds[0]!.id)).filter((c) => c.type === 0);
    for (const [i, c] of channels.entries()) say(`   ${i + 1}. #${c.name ?? c.id} (${c.id})`);
    const answer = await ask('Which channel? A number, a name or an ID', flagChannel);
    flagChannel = undefined;
    const picked =
      (/^\d{1,3}$/.test(answer) ? channels[Number(answer) - 1] : undefined) ??
      channels.find((c) => c.id === answer || c.name === answer.replace(/^#/, ''));
    if (!picked) throw new Error(`"${answer}" is not a text channel of ${guilds[0]!.name}`);
    try {
      await bot.api.channels.createMessage(picked.id, {
        content: '✅ Lean Order Bot will post new orders in this channel.',
        allowed_mentions: { parse: [] },
      });
    } catch (error) {
      const status = httpStatusOf(error);
      throw new Error(
        status === 403
          ? `the bot may not post in #${picked.name}: add it to the channel (or its role) with View Channel, Send Messages and Embed Links`
          : `posting in #${picked.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    say(`   ✓ The bot posted a test message in #${picked.name}.`);
    return picked;
  });

  // 4. The shop's name.
  const shopName = await step("4. Your shop's name (customers see it in every email)", async () => {
    const name = await ask('Shop name', flags['shop-name']);
    if (!name || name.length > 100) throw new Error('a name of 1-100 characters, please');
    return name;
  });

  // 5. Email.
  const email = flags['no-email']
    ? undefined
    : await step('5. Email (the confirmation customers receive)', async (attempt) => {
        const first = attempt === 1;
        const provider = await ask(
          `Provider: ${Object.entries(PROVIDERS)
            .map(([key, p]) => `${key} = ${p.label}`)
            .join('; ')}`,
          first ? (flags.smtp ?? (flags['smtp-host'] ? 'custom-587' : undefined)) : undefined,
        );
        const preset = PROVIDERS[provider];
        if (!preset) throw new Error(`"${provider}" is not one of ${Object.keys(PROVIDERS).join(', ')}`);
        const smtp: SmtpConfig = {
          smtp_server: await ask(
            'SMTP server',
            first ? flags['smtp-host'] : undefined,
            preset.smtp.smtp_server,
          ),
          smtp_port: Number(
            await ask('SMTP port', first ? flags['smtp-port'] : undefined, String(preset.smtp.smtp_port)),
          ),
          smtp_security: ((first ? flags['smtp-security'] : undefined) ??
            preset.smtp.smtp_security) as SmtpConfig['smtp_security'],
        };
        const sender = normalizeEmailAddress(
          await ask(
            'Sending address (SENDER_EMAIL)',
            first ? (flags['sender-email'] ?? env.SENDER_EMAIL) : undefined,
          ),
        );
        if (!sender) throw new Error('that is not an email address');
        const password =
          smtp.smtp_security === 'none'
            ? (flags['sender-password'] ?? '')
            : await ask(
                'Password (SENDER_PASSWORD; Gmail: an app password)',
                first ? (flags['sender-password'] ?? env.SENDER_PASSWORD) : undefined,
              );
        const unwritable = envValueProblem(password);
        if (unwritable) throw new Error(`this password cannot be written to .env: ${unwritable}`);
        const credentials = { user: sender, pass: password || undefined };
        const login = await checkSmtpLogin(smtp, credentials);
        if (!login.ok) throw new Error(login.error.message);
        say(
          login.loggedIn
            ? `   ✓ Logged in to ${smtp.smtp_server} as ${sender}.`
            : `   ✓ Connected to ${smtp.smtp_server} (no login offered).`,
        );
        const to = flags['test-email'] ?? sender;
        const mailer = createMailer({
          transport: createSmtpTransport(smtp, credentials, { pool: false }),
          from: sender,
          smtp,
          log: silentLogger,
        });
        try {
          const { config, template } = shippedFiles();
          await mailer.send(
            confirmationJob({ ...SAMPLE_ORDER, email: to }, { ...config, shop_name: shopName }, template, 1),
          );
        } finally {
          mailer.close();
        }
        say(`   ✓ A sample confirmation was sent to ${to}: check that it arrived.`);
        return { smtp, sender, password };
      });

  // 6. The commands, in the shop's server(s).
  await step('6. Registering /order_form, /ping and /run_diagnostics', async () => {
    for (const guild of guilds) {
      await bot.api.applicationCommands.bulkOverwriteGuildCommands(bot.applicationId, guild.id, COMMANDS);
      say(`   ✓ Registered in ${guild.name}.`);
    }
  });
  bot.transport.destroy();

  // 7. The files. The .env text is made first: a value it cannot hold stops setup before any write.
  const envPath = resolve('.env');
  const envValues: Record<string, string> = {
    DISCORD_BOT_TOKEN: bot.token,
    ...(apiUrl !== 'https://discord.com/api' ? { DISCORD_API_URL: apiUrl } : {}),
    ...(email ? { SENDER_EMAIL: email.sender, SENDER_PASSWORD: email.password } : {}),
  };
  let envText: string;
  try {
    envText = setEnvKeys(existsSync(envPath) ? readFileSync(envPath, 'utf8') : '', envValues);
  } catch (error) {
    throw new SetupError((error as Error).message);
  }
  const configDir = resolve(process.env.CONFIG_DIR?.trim() || join('config', 'local'));
  const configPath = join(configDir, 'config.json');
  mkdirSync(configDir, { recursive: true });
  const existing = existsSync(configPath)
    ? (JSON.parse(readFileSync(configPath, 'utf8')) as Partial<BotConfig>)
    : {};
  const config = {
    ...existing,
    shop_name: shopName,
    allowed_guild_ids: guilds.map((g) => g.id),
    orders_channel_id: channel.id,
    ...(email ? email.smtp : {}),
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(envPath, envText, { mode: 0o600 });
  chmodSync(envPath, 0o600);
  // Read back from disk as the bot reads it (npm start and docker --env-file), before saying done.
  const mismatches = envMismatches(readFileSync(envPath, 'utf8'), envValues);
  if (mismatches.length > 0) {
    throw new SetupError(
      `${envPath} was written, but the bot would read ${mismatches.join(', ')} differently from what setup checked: look for an unclosed quote in the lines above them`,
    );
  }
  say(`\n== Done. Written: ${envPath} (readable by you only) and ${configPath}.`);
  say('Start the bot:');
  say('  npm start                                   # in this terminal');
  say('  sudo systemctl enable --now lean-order-bot  # as a service (README, "Running it 24/7")');
  say(
    '  docker run -d --restart unless-stopped --env-file .env -v $PWD/config/local:/app/config/local:ro -v orderbot-data:/app/data --memory 128m lean-order-bot',
  );
  say('Then run /order_form in your server.');
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`Setup stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  rl?.close();
}
