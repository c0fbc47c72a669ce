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
  return new InteractionResponder(api, target, options);
}

/**
 * A class, not an object literal with closures: one is made per interaction, and an object literal
 * with `get` accessors gets accessor functions of its own each time, which V8 keeps reachable from
 * old space (measured: every such object survived its first scavenge and was promoted, about
 * 5 KB per interaction, so the old generation grew until a full mark-compact). Methods and
 * accessors on the prototype cost nothing per instance.
 */
class InteractionResponder implements Responder {
  readonly #api: InteractionApi;
  readonly #target: ResponderTarget;
  readonly #now: () => number;
  readonly #createdAt: number;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #options: ResponderOptions;
  #state: ResponderState = 'pending';
  #firstResponseMs: number | undefined;
  /** The last call, settled; only read while {@link #busy} > 0. */
  #chain: Promise<unknown> | undefined;
  /** Calls started and not yet settled. */
  #busy = 0;

  constructor(api: InteractionApi, target: ResponderTarget, options: ResponderOptions) {
    this.#api = api;
    this.#target = target;
    this.#options = options;
    this.#now = options.now ?? performanceNow;
    this.#createdAt = this.#now();
    const deferAfter = options.deferAfterMs ?? 2000;
    if (deferAfter > 0) {
      this.#timer = setTimeout(autoDefer, deferAfter, this);
      this.#timer.unref();
    }
  }

  get state(): ResponderState {
    return this.#state;
  }

  get firstResponseMs(): number | undefined {
    return this.#firstResponseMs;
  }

  reply(data: MessageData): Promise<void> {
    return this.#serial(() =>
      this.#state === 'pending'
        ? this.#first(
            { type: InteractionResponseType.ChannelMessageWithSource, data: withNoMentions(data) },
            'replied',
          )
        : this.#state === 'deferred'
          ? this.#edit(data)
          : this.#followUp(data),
    );
  }

  modal(data: APIModalInteractionResponseCallbackData): Promise<void> {
    return this.#serial(() => {
      if (this.#state !== 'pending')
        throw new Error('A modal can only be the first answer to an interaction');
      return this.#first({ type: InteractionResponseType.Modal, data }, 'replied');
    });
  }

  update(data: MessageData): Promise<void> {
    return this.#serial(() =>
      this.#state === 'pending'
        ? this.#first({ type: InteractionResponseType.UpdateMessage, data: withNoMentions(data) }, 'replied')
        : this.#edit(data),
    );
  }

  defer(ephemeral: boolean): Promise<void> {
    return this.#serial(() =>
      this.#state === 'pending'
        ? this.#first(
            {
              type: InteractionResponseType.DeferredChannelMessageWithSource,
              ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}),
            },
            'deferred',
          )
        : Promise.resolve(),
    );
  }

  editReply(data: MessageData): Promise<void> {
    return this.#serial(() => this.#edit(data));
  }

  followUp(data: MessageData): Promise<void> {
    return this.#serial(() => this.#followUp(data));
  }

  settle(): void {
    clearTimeout(this.#timer);
  }

  /** Runs the automatic defer (from the timer) if nothing was sent yet. */
  autoDefer(): void {
    if (this.#state !== 'pending') return;
    this.defer(this.#options.deferEphemeral ?? true).catch((error: unknown) =>
      this.#options.onAutoDeferError?.(error),
    );
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    let next: Promise<T>;
    if (this.#busy === 0 || !this.#chain) {
      // Nothing is in progress: start now, in this turn of the event loop, so the answer is on its
      // way before the next interaction that arrived in the same socket read is handled.
      try {
        next = task();
      } catch (error) {
        next = Promise.reject(error);
      }
    } else {
      next = this.#chain.then(task, task);
    }
    this.#busy++;
    const done = () => {
      this.#busy--;
    };
    this.#chain = next.then(done, done);
    return next;
  }

  /** The first answer (an interaction callback); dropped unsent if it could no longer reach Discord in time. */
  async #first(body: APIInteractionResponse, nextState: ResponderState): Promise<void> {
    this.#firstResponseMs = this.#now() - this.#createdAt;
    const { id, token } = this.#target;
    if (trace.enabled) trace.stamp(id, 'queued');
    await this.#api.callback(id, token, body, this.#createdAt);
    this.#state = nextState;
  }

  async #edit(data: MessageData): Promise<void> {
    await this.#api.editOriginal(this.#target.application_id, this.#target.token, withoutFlags(data));
    this.#state = 'replied';
  }

  #followUp(data: MessageData): Promise<void> {
    return this.#api.followUp(this.#target.application_id, this.#target.token, withNoMentions(data));
  }
}

function autoDefer(responder: InteractionResponder): void {
  responder.autoDefer();
}

function performanceNow(): number {
  return performance.now();
}

/** An edit cannot change the ephemeral flag; Discord rejects it, so it is dropped. */
function withoutFlags(data: MessageData): MessageData {
  const { flags: _flags, ...rest } = data;
  return withNoMentions(rest);
}

/**
 * `data` with no allowed mentions unless it names its own. Written with the default first and the
 * spread last: `{ ...NO_MENTIONS, ...data }` gains properties after a spread, which V8 keeps alive
 * into the old generation (see {@link InteractionResponder}).
 */
function withNoMentions(data: MessageData): MessageData {
  return { allowed_mentions: NO_MENTIONS.allowed_mentions, ...data };
}
