/**
 * @module cli/setup
 * `npm run setup`: the guided first run. Checks the bot token against Discord, picks the shop's
 * server(s) and staff channel (and checks the bot can post there), asks the shop name, sets up and
 * checks email (login and a sample confirmation), registers the commands in the shop's server, and
 * writes `.env` (mode 0600) and `config/local/config.json`, checked first with the bot's own rules.
 * Every step that fails says why and asks again. Secrets are typed hidden.
 *
 * It also runs without questions, from flags and the environment (for scripts and CI); see
 * `npm run setup -- --help` (`./setup/flags.ts`). This file only wires: flags, the terminal, the
 * real Discord and mail clients, and exit codes (0 done, 1 stopped, 2 a bad command line, 130
 * Ctrl-C). The steps live in `./setup/`.
 */
import { cleanEnv } from '../config.ts';
import { connectDiscord } from './setup/discord.ts';
import { parseSetupFlags, type SetupFlags, USAGE, UsageError } from './setup/flags.ts';
import { createSetupMail } from './setup/mail.ts';
import { createTerminalIo, SetupCancelled } from './setup/prompt.ts';
import { runSetup } from './setup/run.ts';

async function main(): Promise<number> {
  let flags: SetupFlags;
  try {
    flags = parseSetupFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`Setup: ${error.message} (npm run setup -- --help lists the flags)\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const io = createTerminalIo({
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true || process.env.SETUP_PROMPTS === '1',
  });
  try {
    await runSetup({
      io,
      flags,
      env: cleanEnv(process.env).env,
      connect: connectDiscord,
      mail: createSetupMail(),
      cwd: process.cwd(),
    });
    return 0;
  } catch (error) {
    if (error instanceof SetupCancelled) {
      process.stderr.write('\nSetup cancelled: nothing was written.\n');
      return 130;
    }
    process.stderr.write(`Setup stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    io.close();
  }
}

process.exitCode = await main();
