/**
 * @module test/support/recording-discord
 * An in-memory Discord for in-process tests: an {@link InteractionApi} that records every answer
 * instead of sending it, and builders of the interaction payloads Discord delivers (the shapes the
 * fake Discord of the end-to-end suites sends, typed with discord-api-types). No socket, no port.
 */
import { randomBytes } from 'node:crypto';
import {
  type APIChatInputApplicationCommandInteraction,
  type APIInteractionResponse,
  type APIMessage,
  type APIMessageComponentInteraction,
  type APIModalInteractionResponseCallbackData,
  type APIModalSubmitInteraction,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
} from 'discord-api-types/v10';
import type { InteractionApi } from '../../src/discord/interactions.ts';

/** The route an answer took: the first answer, an edit of it, or another message. */
export type AnswerRoute = 'callback' | 'edit' | 'followup';

/** One recorded answer. */
export interface RecordedAnswer {
  route: AnswerRoute;
  /** The interaction's token (every route carries it). */
  token: string;
  /** The interaction callback's body, or the message body of an edit or follow-up. */
  body: unknown;
}

/** A recording {@link InteractionApi}: answers succeed at once unless a failure is queued. */
export function createRecordingDiscord() {
  const answers: RecordedAnswer[] = [];
  const failures: { route: AnswerRoute; error: Error }[] = [];
  const record = (route: AnswerRoute, token: string, body: unknown): Promise<void> => {
    answers.push({ route, token, body });
    const index = failures.findIndex((failure) => failure.route === route);
    if (index < 0) return Promise.resolve();
    const [failure] = failures.splice(index, 1);
    return Promise.reject(failure!.error);
  };
  const api: InteractionApi = {
    callback: (_id, token, body) => record('callback', token, body),
    editOriginal: (_applicationId, token, body) => record('edit', token, body),
    followUp: (_applicationId, token, body) => record('followup', token, body),
    queued: 0,
  };
  return {
    api,
    answers,
    /** The answers to one interaction, in order. */
    answersTo(interaction: { token: string }): RecordedAnswer[] {
      return answers.filter((answer) => answer.token === interaction.token);
    },
    /** Makes the next request on `route` fail with `error` (it is still recorded). */
    failNext(route: AnswerRoute, error: Error = new Error(`${route} failed`)) {
      failures.push({ route, error });
    },
  };
}

/** A recording Discord. */
export type RecordingDiscord = ReturnType<typeof createRecordingDiscord>;

/** A member the tests act as. */
export interface TestUser {
  id: string;
  username?: string;
  /** Permission bit string in the channel. @defaultValue an everyday member's */
  permissions?: string;
  roles?: string[];
}

/** Permissions an everyday member has (view, send, read history, use commands). */
export const MEMBER_PERMISSIONS = String(1024n | 2048n | 65536n | 2147483648n);
/** Administrator (and what comes with it). */
export const ADMIN_PERMISSIONS = String(8n | 32n | 1024n | 2048n);

let sequence = 0n;
/** A fresh snowflake (the fake Discord's are alike; that module loads a websocket server and an OpenAPI checker). */
export function snowflake(): string {
  sequence = (sequence + 1n) & 0xfffn;
  return String(((BigInt(Date.now()) - 1_420_070_400_000n) << 22n) | (1n << 17n) | sequence);
}

/** The shop's server in these tests. */
export const GUILD_ID = '1300000000000000001';
const CHANNEL_ID = '1300000000000000002';
const APPLICATION_ID = '1300000000000000003';

/** What every interaction in a server carries (as Discord sends it), for `user` in `guildId`. */
function base(user: TestUser, guildId: string) {
  return {
    id: snowflake(),
    application_id: APPLICATION_ID,
    token: `aW50ZXJhY3Rpb246${randomBytes(24).toString('base64url')}`,
    version: 1 as const,
    guild_id: guildId,
    guild: { id: guildId, locale: Locale.EnglishUS, features: [] },
    guild_locale: Locale.EnglishUS,
    channel_id: CHANNEL_ID,
    channel: { id: CHANNEL_ID, type: ChannelType.GuildText as const, name: 'orders' },
    member: {
      user: {
        id: user.id,
        username: user.username ?? `user${user.id.slice(-4)}`,
        global_name: null,
        discriminator: '0',
        avatar: null,
      },
      roles: user.roles ?? [],
      permissions: user.permissions ?? MEMBER_PERMISSIONS,
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
    },
    app_permissions: '2251799813685247',
    locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
  };
}

/** A message the bot sent, as a button or a modal opened from it carries it back. */
function messageFrom(content: unknown): APIMessage {
  return {
    id: snowflake(),
    channel_id: CHANNEL_ID,
    flags: 64,
    ...(content as object),
  } as APIMessage;
}

/** `/name` with string options, from `user` (in the shop's server unless `guildId` says otherwise). */
export function slashCommand(
  user: TestUser,
  name: string,
  options: Readonly<Record<string, string>> = {},
  guildId = GUILD_ID,
): APIChatInputApplicationCommandInteraction {
  return {
    ...base(user, guildId),
    type: InteractionType.ApplicationCommand,
    data: {
      id: snowflake(),
      name,
      type: ApplicationCommandType.ChatInput,
      options: Object.entries(options).map(([optionName, value]) => ({
        name: optionName,
        type: ApplicationCommandOptionType.String,
        value,
      })),
    },
  };
}

/** A press of the button `customId` on `message` (the body of the bot's earlier answer). */
export function buttonPress(
  user: TestUser,
  customId: string,
  message: unknown = {},
  guildId = GUILD_ID,
): APIMessageComponentInteraction {
  return {
    ...base(user, guildId),
    type: InteractionType.MessageComponent,
    message: messageFrom(message),
    data: { custom_id: customId, component_type: ComponentType.Button },
  };
}

/**
 * The submit of `modal` (as the bot opened it) with `values` by text input custom_id; inputs not
 * named are sent empty, as Discord sends an optional input left blank. `fromMessage` when the modal
 * was opened from a button on that message.
 */
export function modalSubmit(
  user: TestUser,
  modal: APIModalInteractionResponseCallbackData,
  values: Readonly<Record<string, string>>,
  fromMessage?: unknown,
  guildId = GUILD_ID,
): APIModalSubmitInteraction {
  let id = 0;
  const components = modal.components.map((component) => {
    if (component.type !== ComponentType.Label || component.component.type !== ComponentType.TextInput) {
      throw new Error(
        `modalSubmit: only text inputs in labels are filled in, got ${JSON.stringify(component)}`,
      );
    }
    const input = component.component;
    return {
      type: ComponentType.Label as const,
      id: ++id,
      component: {
        type: ComponentType.TextInput as const,
        id: ++id,
        custom_id: input.custom_id,
        value: values[input.custom_id] ?? '',
      },
    };
  });
  return {
    ...base(user, guildId),
    type: InteractionType.ModalSubmit,
    ...(fromMessage === undefined ? {} : { message: messageFrom(fromMessage) }),
    data: { custom_id: modal.custom_id, components },
  };
}

/** The body of an interaction callback, narrowed to the modal it opens (throws when it is not one). */
export function modalOf(answer: RecordedAnswer | undefined): APIModalInteractionResponseCallbackData {
  const body = answer?.body as APIInteractionResponse | undefined;
  if (answer?.route !== 'callback' || body?.type !== 9) {
    throw new Error(`expected a modal, got ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return body.data;
}
