/**
 * @module cli/setup/discord
 * The Discord calls the wizard makes, behind {@link SetupDiscord} so its steps can be tested with a
 * fake. {@link createDiscordConnector} builds it on the bot's own transport (`discord/rest.ts`, no
 * retries: a person is waiting) and `@discordjs/core`'s typed routes; every failure it throws is a
 * {@link SetupDiscordError} worded by `describeDiscordFailure`, the one wording of the bot and CLIs.
 */
import { API } from '@discordjs/core/http-only';
import { ChannelType } from 'discord-api-types/v10';
import { COMMANDS } from '../../commands.ts';
import { describeDiscordFailure } from '../../discord/failure.ts';
import { createDiscordTransport, httpStatusOf } from '../../discord/rest.ts';

/** A failed Discord call: `message` is one line for the owner; `status` the HTTP status, if any. */
export class SetupDiscordError extends Error {
  override readonly name = 'SetupDiscordError';
  constructor(
    message: string,
    /** Undefined when no answer arrived. */
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** A server or channel as the wizard lists it. */
export interface Named {
  id: string;
  name: string;
}

/** The bot the token belongs to. */
export interface BotIdentity {
  username: string;
  applicationId: string;
  /** Whether anyone may add the bot to a server (Developer Portal → Bot → Public Bot). */
  isPublic: boolean;
}

/** What the wizard asks of Discord; every method rejects with a {@link SetupDiscordError}. */
export interface SetupDiscord {
  /** The bot user and its application (checks the token). */
  whoAmI(): Promise<BotIdentity>;
  /** The servers the bot is in. */
  guilds(): Promise<Named[]>;
  /** A server's text channels. */
  textChannels(guildId: string): Promise<Named[]>;
  /** Posts a message (no mentions). */
  post(channelId: string, content: string): Promise<void>;
  /** Overwrites the bot's commands in one server with the bot's own (`COMMANDS`). */
  registerCommands(applicationId: string, guildId: string): Promise<void>;
  /** Closes the connections. */
  close(): void;
}

/**
 * A {@link SetupDiscord} for `token` on Discord's API at `apiUrl` (`DISCORD_API_URL`); nothing is
 * sent until a method is called.
 */
export function connectDiscord({ token, apiUrl }: { token: string; apiUrl: string }): SetupDiscord {
  const transport = createDiscordTransport({ token, apiUrl, retries: 0 });
  const api = new API(transport.rest);
  const call = async <T>(route: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new SetupDiscordError(describeDiscordFailure(error, { apiUrl, route }), httpStatusOf(error));
    }
  };
  return {
    async whoAmI() {
      const [user, app] = await Promise.all([
        call('GET /users/@me', () => api.users.getCurrent()),
        call('GET /applications/@me', () => api.applications.getCurrent()),
      ]);
      return { username: user.username, applicationId: app.id, isPublic: app.bot_public };
    },
    async guilds() {
      const list = await call('GET /users/@me/guilds', () => api.users.getGuilds());
      return list.map(({ id, name }) => ({ id, name }));
    },
    async textChannels(guildId) {
      const list = await call(`GET /guilds/${guildId}/channels`, () => api.guilds.getChannels(guildId));
      return list
        .filter((channel) => channel.type === ChannelType.GuildText)
        .map(({ id, name }) => ({ id, name: name ?? id }));
    },
    async post(channelId, content) {
      await call(`POST /channels/${channelId}/messages`, () =>
        api.channels.createMessage(channelId, { content, allowed_mentions: { parse: [] } }),
      );
    },
    async registerCommands(applicationId, guildId) {
      await call(`PUT /applications/${applicationId}/guilds/${guildId}/commands`, () =>
        api.applicationCommands.bulkOverwriteGuildCommands(applicationId, guildId, COMMANDS),
      );
    },
    close: () => transport.destroy(),
  };
}
