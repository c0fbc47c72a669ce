/**
 * @module cli/setup/run
 * The wizard from start to end: the steps in order, each under its title, then the files. Takes
 * everything it uses as arguments (the io, the flags, the environment, the Discord and mail
 * clients, the working folder), so a test can run it whole without a network or a terminal.
 */
import { join, resolve } from 'node:path';
import { COMMANDS } from '../../commands.ts';
import { readEnv } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import type { SetupDiscord } from './discord.ts';
import { planFiles, writeFiles } from './files.ts';
import type { SetupFlags } from './flags.ts';
import type { SetupMail } from './mail.ts';
import { SetupError, type SetupIo } from './prompt.ts';
import {
  askShopName,
  type CheckedBot,
  checkToken,
  pickChannel,
  pickGuilds,
  registerCommands,
  runStep,
  setupEmail,
} from './steps.ts';

/** What {@link runSetup} works with. */
export interface SetupDeps {
  io: SetupIo;
  flags: SetupFlags;
  /** The environment setup runs in (`DISCORD_API_URL`, `CONFIG_DIR`, `SENDER_*` as defaults). */
  env: NodeJS.ProcessEnv;
  /** Opens a Discord client for a token at an API base URL. */
  connect: (options: { token: string; apiUrl: string }) => SetupDiscord;
  mail: SetupMail;
  /** Where `.env` and (unless `CONFIG_DIR` says otherwise) `config/local/` go. */
  cwd: string;
}

/** What setup wrote. */
export interface SetupWritten {
  envPath: string;
  configPath: string;
}

/**
 * Runs every step, then writes the files. Throws a {@link SetupError} naming the step that could
 * not be done; nothing is written unless every step worked and the bot's rules accept the result.
 */
export async function runSetup(deps: SetupDeps): Promise<SetupWritten> {
  const { io, flags, env } = deps;
  const apiUrl = envApiUrl(env);
  io.say('Lean Order Bot setup. Nothing is written until every step has worked.');

  const bot: CheckedBot = await runStep(io, '1. The bot token', (attempt) =>
    checkToken(
      io,
      (token) => deps.connect({ token, apiUrl }),
      first(attempt, flags.token ?? env.DISCORD_BOT_TOKEN),
    ),
  );
  try {
    const guilds = await runStep(io, "2. Your shop's server", (attempt) =>
      pickGuilds(io, bot.discord, first(attempt, flags.guilds)),
    );
    const channel = await runStep(io, '3. The staff channel (new orders are posted there)', (attempt) =>
      pickChannel(io, bot.discord, guilds[0]!, first(attempt, flags.channel)),
    );
    const shopName = await runStep(io, "4. Your shop's name (customers see it in every email)", (attempt) =>
      askShopName(io, first(attempt, flags.shopName)),
    );
    const email = flags.noEmail
      ? undefined
      : await runStep(io, '5. Email (the confirmation customers receive)', (attempt) =>
          setupEmail(
            io,
            deps.mail,
            shopName,
            attempt === 1
              ? {
                  provider: flags.smtp,
                  host: flags.smtpHost,
                  port: flags.smtpPort,
                  security: flags.smtpSecurity,
                  sender: flags.senderEmail ?? env.SENDER_EMAIL,
                  password: flags.senderPassword ?? env.SENDER_PASSWORD,
                  testEmail: flags.testEmail,
                }
              : { testEmail: flags.testEmail },
          ),
        );
    // The files are made and checked before the commands change anything in Discord.
    const configDir = resolve(deps.cwd, env.CONFIG_DIR?.trim() || join('config', 'local'));
    const plan = planFiles(
      { token: bot.token, apiUrl, guilds, channel, shopName, email },
      { envPath: resolve(deps.cwd, '.env'), configPath: join(configDir, 'config.json') },
    );
    await runStep(io, `6. Registering ${COMMANDS.map((command) => `/${command.name}`).join(', ')}`, () =>
      registerCommands(io, bot.discord, bot.identity.applicationId, guilds),
    );
    writeFiles(plan);
    sayDone(io, plan.envPath, plan.configPath);
    return { envPath: plan.envPath, configPath: plan.configPath };
  } finally {
    bot.discord.close();
  }
}

/** A flag's value on a step's first attempt only: a retry asks again. */
function first<T>(attempt: number, value: T | undefined): T | undefined {
  return attempt === 1 ? value : undefined;
}

/** `DISCORD_API_URL` as the bot reads it (its own rule), without the rest of the environment. */
function envApiUrl(env: NodeJS.ProcessEnv): string {
  try {
    return readEnv({ DISCORD_BOT_TOKEN: 'unused', DISCORD_API_URL: env.DISCORD_API_URL }).apiUrl;
  } catch (error) {
    if (error instanceof ConfigError) throw new SetupError(error.message);
    throw error;
  }
}

function sayDone(io: SetupIo, envPath: string, configPath: string): void {
  io.say(`\n== Done. Written: ${envPath} (readable by you only) and ${configPath}.`);
  io.say('Start the bot:');
  io.say('  npm start                                   # in this terminal');
  io.say('  sudo systemctl enable --now lean-order-bot  # as a service (README, "Running it 24/7")');
  io.say(
    '  docker run -d --restart unless-stopped --env-file .env -v $PWD/config/local:/app/config/local:ro -v orderbot-data:/app/data --memory 128m lean-order-bot',
  );
  io.say('Then run /order_form in your server.');
}
