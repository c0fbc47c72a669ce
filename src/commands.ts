/**
 * @module commands
 * The slash command definitions: registered by `sync-commands` and matched by the dispatcher.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';

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
