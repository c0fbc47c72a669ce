/**
 * @module discord/responder
 * Answers one interaction and remembers how far it got, so that the right REST call is made:
 * the first answer is an interaction callback, later ones edit the original or follow up.
 * A handler still running after `deferAfterMs` is deferred automatically, and Discord never
 * shows "This interaction failed".
 */
import {
  type APIInteractionResponse,
  type APIInteractionResponseCallbackData,
  type APIModalInteractionResponseCallbackData,
  InteractionResponseType,
  MessageFlags,
} from 'discord-api-types/v10';
import { trace } from '../trace.ts';
import type { InteractionApi } from './interactions.ts';

/** Message content a handler sends. */
export type MessageData = APIInteractionResponseCallbackData;

/** Where the interaction is in its life: nothing sent, deferred, or answered. */
export type ResponderState = 'pending' | 'deferred' | 'replied';

/** Answers one interaction. Calls are serialized, so a late auto-defer and a reply never race. */
export interface Responder {
  readonly state: ResponderState;
  /** Milliseconds from creation to the first callback leaving, once one has. */
  readonly firstResponseMs: number | undefined;
  /** A new message (type 4); after a defer, edits the deferred message instead. */
  reply(data: MessageData): Promise<void>;
  /** Opens a modal (type 9); only possible as the first answer. */
  modal(data: APIModalInteractionResponseCallbackData): Promise<void>;
  /** Edits the message the button was on (type 7); after a defer, edits the deferred message. */
  update(data: MessageData): Promise<void>;
  /** Defers (type 5) if nothing was sent yet. */
  defer(ephemeral: boolean): Promise<void>;
  /** Edits the original answer. */
  editReply(data: MessageData): Promise<void>;
  /** Sends another message after the first answer. */
  followUp(data: MessageData): Promise<void>;
  /** Stops the auto-defer timer. */
  settle(): void;
}

/** What {@link createResponder} needs to know about the interaction. */
export interface ResponderTarget {
  id: string;
  token: string;
  application_id: string;
}

/** Options for {@link createResponder}. */
export interface ResponderOptions {
  /** Defer automatically when nothing was sent after this many ms; 0 disables. @defaultValue `2000` */
  deferAfterMs?: number;
  /** Whether an automatic defer is ephemeral. @defaultValue `true` */
  deferEphemeral?: boolean;
  /** Called when an automatic defer fails. */
  onAutoDeferError?: (error: unknown) => void;
  now?: () => number;
}

/** Mentions are never pinged from user text: every message defaults to no allowed mentions. */
const NO_MENTIONS: Pick<MessageData, 'allowed_mentions'> = { allowed_mentions: { parse: [] } };

/** Creates the {@link Responder} for one interaction. */
export function createResponder(
  api: InteractionApi,
  target: ResponderTarget,
  options: ResponderOptions = {},
): Responder {
  const now = options.now ?? performance.now.bind(performance);
  const createdAt = now();
  let state: ResponderState = 'pending';
  let firstResponseMs: number | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  /** Calls started and not yet settled. */
  let busy = 0;

  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    let next: Promise<T>;
    if (busy === 0) {
      // Nothing is in progress: start now, in this turn of the event loop, so the answer is on its
      // way before the next interaction that arrived in the same socket read is handled.
      try {
        next = task();
      } catch (error) {
        next = Promise.reject(error);
      }
    } else {
      next = chain.then(task, task);
    }
    busy++;
    const settled = next.then(
      () => {
        busy--;
      },
      () => {
        busy--;
      },
    );
    chain = settled;
    return next;
  };
  const first = async (send: () => Promise<unknown>, nextState: ResponderState) => {
    firstResponseMs = now() - createdAt;
    if (trace.enabled) trace.stamp(target.id, 'queued');
    await send();
    state = nextState;
  };
  const edit = (data: MessageData) =>
    api.editOriginal(target.application_id, target.token, withoutFlags(data)).then(() => {
      state = 'replied';
    });
  const followUp = (data: MessageData) =>
    api.followUp(target.application_id, target.token, { ...NO_MENTIONS, ...data });
  /** The first answer; it is dropped unsent if it could no longer reach Discord in time. */
  const callback = (body: APIInteractionResponse) => api.callback(target.id, target.token, body, createdAt);

  const deferAfter = options.deferAfterMs ?? 2000;
  const timer =
    deferAfter > 0
      ? setTimeout(() => {
          if (state === 'pending') {
            responder
              .defer(options.deferEphemeral ?? true)
              .catch((error: unknown) => options.onAutoDeferError?.(error));
          }
        }, deferAfter)
      : undefined;
  timer?.unref();

  const responder: Responder = {
    get state() {
      return state;
    },
    get firstResponseMs() {
      return firstResponseMs;
    },
    reply: (data) =>
      serial(() =>
        state === 'pending'
          ? first(
              () =>
                callback({
                  type: InteractionResponseType.ChannelMessageWithSource,
                  data: { ...NO_MENTIONS, ...data },
                }),
              'replied',
            )
          : state === 'deferred'
            ? edit(data)
            : followUp(data),
      ),
    modal: (data) =>
      serial(() => {
        if (state !== 'pending') throw new Error('A modal can only be the first answer to an interaction');
        return first(() => callback({ type: InteractionResponseType.Modal, data }), 'replied');
      }),
    update: (data) =>
      serial(() =>
        state === 'pending'
          ? first(
              () =>
                callback({ type: InteractionResponseType.UpdateMessage, data: { ...NO_MENTIONS, ...data } }),
              'replied',
            )
          : edit(data),
      ),
    defer: (ephemeral) =>
      serial(() =>
        state === 'pending'
          ? first(
              () =>
                callback({
                  type: InteractionResponseType.DeferredChannelMessageWithSource,
                  ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}),
                }),
              'deferred',
            )
          : Promise.resolve(),
      ),
    editReply: (data) => serial(() => edit(data)),
    followUp: (data) => serial(() => followUp(data)),
    settle: () => clearTimeout(timer),
  };
  return responder;
}

/** An edit cannot change the ephemeral flag; Discord rejects it, so it is dropped. */
function withoutFlags(data: MessageData): MessageData {
  const { flags: _flags, ...rest } = data;
  return { ...NO_MENTIONS, ...rest };
}
