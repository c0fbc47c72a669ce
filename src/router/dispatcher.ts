/**
 * @module router/dispatcher
 * The small wrapper around routing: takes gateway dispatches, builds each interaction's context,
 * routes it, and reports when it finished and how long it took (the application logs and times
 * it there). Counts interactions in flight so shutdown can wait for running handlers. Generic over
 * the context; it knows no feature.
 */
import {
  type APIInteraction,
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
} from 'discord-api-types/v10';
import { trace } from '../trace.ts';
import type { Router } from './router.ts';

/** Options for {@link createDispatcher}. */
export interface DispatcherOptions<B> {
  router: Router<B>;
  /** Builds the context of one interaction (its responder, logger, settings). */
  context(interaction: APIInteraction): B;
  /** Called once per interaction when its route has finished, with the route and the time taken. */
  finished(base: B, route: string, totalMs: number): void;
  /**
   * Answers an interaction that is not routed: `closed` after {@link Dispatcher.close} (shutting
   * down), `busy` when {@link DispatcherOptions.maxInFlight} handlers are already running.
   */
  refused?(interaction: APIInteraction, reason: 'closed' | 'busy'): void;
  /**
   * Most handlers running at once (a handler runs until its answers are acknowledged); beyond it
   * interactions are refused as busy. @defaultValue `500`
   */
  maxInFlight?: number;
}

/** The dispatcher. */
export interface Dispatcher {
  /** Handles one gateway dispatch (INTERACTION_CREATE; others are ignored). */
  dispatch(payload: GatewayDispatchPayload): void;
  /** Handles one interaction; resolves with its route when its handler has finished. */
  handle(interaction: APIInteraction): Promise<string>;
  /**
   * Takes one interaction as {@link Dispatcher.dispatch} does (counted in flight, or refused when
   * closed or busy), from any transport (the HTTP interactions endpoint); resolves when it is done.
   */
  receive(interaction: APIInteraction): Promise<void>;
  /** Interactions whose handlers are still running. */
  readonly inFlight: number;
  /** Resolves when no handler is running, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>;
  /** Stops routing: later interactions go to `refused`. */
  close(): void;
}

/** Creates the dispatcher. */
export function createDispatcher<B>(options: DispatcherOptions<B>): Dispatcher {
  const { router } = options;
  let inFlight = 0;
  let closed = false;
  const maxInFlight = options.maxInFlight ?? 500;
  const idleWaiters = new Set<() => void>();

  async function handle(interaction: APIInteraction): Promise<string> {
    const started = performance.now();
    const base = options.context(interaction);
    if (trace.enabled) trace.stamp(interaction.id, 'handler');
    const route = await router.route(interaction, base);
    options.finished(base, route, performance.now() - started);
    return route;
  }

  async function receive(interaction: APIInteraction): Promise<void> {
    if (closed || inFlight >= maxInFlight) {
      options.refused?.(interaction, closed ? 'closed' : 'busy');
      return;
    }
    inFlight++;
    try {
      await handle(interaction);
    } finally {
      inFlight--;
      if (inFlight === 0) for (const resolve of idleWaiters) resolve();
    }
  }

  return {
    dispatch(payload) {
      if (payload.t !== GatewayDispatchEvents.InteractionCreate) return;
      if (trace.enabled) {
        trace.stamp(payload.d.id, 'read', trace.lastRead());
        trace.stamp(payload.d.id, 'dispatch');
      }
      void receive(payload.d);
    },
    handle,
    receive,
    close() {
      closed = true;
    },
    get inFlight() {
      return inFlight;
    },
    idle(timeoutMs) {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        idleWaiters.add(done);
      });
    },
  };
}
