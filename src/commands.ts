/**
 * @module commands
 * The slash command definitions: registered by `sync-commands` (with their names and descriptions
 * in every offered language, from the message catalogs) and matched by the dispatcher.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type LocalizationMap,
  PermissionFlagsBits,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { Language } from './i18n/languages.ts';
import { type MessageKey, translator } from './i18n/translate.ts';

/** Names of the bot's slash commands. */
export const CommandName = {
  Ping: 'ping',
  RunDiagnostics: 'run_diagnostics',
  OrderForm: 'order_form',
  MyOrders: 'my_orders',
} as const;

const inGuilds = () => ({
  type: ApplicationCommandType.ChatInput as const,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
});

/** The body of the bulk-overwrite PUT: every command the bot answers. */
export const COMMANDS = [
  {
    ...inGuilds(),
    name: CommandName.Ping,
    description: 'Check that the bot is online and see its gateway latency.',
  },
  {
    ...inGuilds(),
    name: CommandName.RunDiagnostics,
    description: "Check bot's status and diagnostic information.",
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  },
  {
    ...inGuilds(),
    name: CommandName.OrderForm,
    description: 'Open an order submission form.',
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: 'email',
        description: 'Where to send your order confirmation',
        required: true,
        max_length: 254,
      },
    ],
  },
  {
    ...inGuilds(),
    name: CommandName.MyOrders,
    description: 'See your orders here and where each one stands.',
  },
] satisfies RESTPutAPIApplicationCommandsJSONBody;

/** The catalog keys of each command's name and description, and of its options'. */
const TEXTS: Readonly<Record<string, { name: MessageKey; description: MessageKey }>> = {
  [CommandName.Ping]: { name: 'command_ping_name', description: 'command_ping_description' },
  [CommandName.RunDiagnostics]: {
    name: 'command_diagnostics_name',
    description: 'command_diagnostics_description',
  },
  [CommandName.OrderForm]: { name: 'command_order_form_name', description: 'command_order_form_description' },
  [CommandName.MyOrders]: { name: 'command_my_orders_name', description: 'command_my_orders_description' },
  email: { name: 'command_email_name', description: 'command_email_description' },
};

/** A text in each of `languages` (Discord locale codes are the catalogs' language codes). */
function localized(languages: readonly Language[], key: MessageKey): LocalizationMap {
  return Object.fromEntries(languages.map((language) => [language, translator(language)(key)]));
}

/** The names and descriptions of `item` (a command or an option) in each of `languages`. */
function withLocalizations<T extends { name: string }>(item: T, languages: readonly Language[]) {
  const texts = TEXTS[item.name];
  // A command added without its catalog keys: caught by the tests, never at a customer.
  if (!texts) throw new Error(`commands.ts: no catalog texts for ${item.name}`);
  return {
    ...item,
    name_localizations: localized(languages, texts.name),
    description_localizations: localized(languages, texts.description),
  };
}

/**
 * The commands as `sync-commands` registers them: {@link COMMANDS} with `name_localizations` and
 * `description_localizations` (and the `email` option's) for every offered language, so Discord
 * shows each member the commands in their own language (the bot matches them by the base name).
 */
export function commandsFor(languages: readonly Language[]) {
  return COMMANDS.map((command) => {
    const localizedCommand = withLocalizations(command, languages);
    return 'options' in command
      ? {
          ...localizedCommand,
          options: command.options.map((option) => withLocalizations(option, languages)),
        }
      : localizedCommand;
  });
}
