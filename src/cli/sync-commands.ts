/**
 * @module cli/sync-commands
 * Registers the slash commands: `npm run sync-commands -- [--guild <id>] [--dry-run]`.
 * Bulk-overwrites (PUT) globally or for one guild, with their names and descriptions in every
 * language `config.json` offers (`languages`), and prints what Discord registered.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { API } from '@discordjs/core/http-only';
import { commandsFor } from '../commands.ts';
import { loadConfigFiles, loadDotEnv, readEnv, readToolEnv } from '../config.ts';
import { describeDiscordFailure } from '../discord/failure.ts';
import { createDiscordTransport } from '../discord/rest.ts';
import { ConfigError } from '../errors.ts';
import { LANGUAGES, type Language } from '../i18n/languages.ts';

const USAGE = 'Usage: npm run sync-commands -- [--guild <id>] [--dry-run]';

function die(message: string): never {
  console.error(message);
  process.exit(1);
}

async function run(): Promise<void> {
  let values: { guild?: string | undefined; 'dry-run'?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: {
        guild: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    die(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) {
    die(`--guild: expected a Discord server ID (17-20 digits), got ${JSON.stringify(values.guild)}`);
  }
  const scope = values.guild
    ? `guild ${values.guild}`
    : 'all servers (global; may take up to an hour to appear)';

  loadDotEnv();
  // The shop's languages (`languages` in config.json); every shipped one without a config folder.
  let languages: readonly Language[] = LANGUAGES;
  try {
    const { configDir } = readToolEnv();
    if (existsSync(configDir)) languages = loadConfigFiles(configDir).config.languages;
  } catch (error) {
    die(error instanceof ConfigError ? error.message : String(error));
  }
  const commands = commandsFor(languages);

  if (values['dry-run']) {
    console.log(
      `Dry run: would register ${commands.length} commands for ${scope}, in ${languages.join(', ')}:`,
    );
    console.log(JSON.stringify(commands, null, 2));
    return;
  }

  let env: ReturnType<typeof readEnv>;
  try {
    env = readEnv();
  } catch (error) {
    die(error instanceof ConfigError ? error.message : String(error));
  }
  // A CLI should answer quickly: no long retries against an unreachable API.
  const { rest, destroy } = createDiscordTransport({ token: env.token, apiUrl: env.apiUrl, retries: 0 });
  const api = new API(rest);
  try {
    const me = await api.applications.getCurrent();
    const registered = values.guild
      ? await api.applicationCommands.bulkOverwriteGuildCommands(me.id, values.guild, commands)
      : await api.applicationCommands.bulkOverwriteGlobalCommands(me.id, commands);
    console.log(`Registered ${registered.length} commands for ${scope} (application ${me.id}):`);
    for (const command of registered) {
      console.log(`  /${command.name}  ${command.description}  (id ${command.id})`);
    }
  } catch (error) {
    die(describeDiscordFailure(error, { apiUrl: env.apiUrl }));
  } finally {
    destroy();
  }
}

await run();
