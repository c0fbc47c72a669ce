/**
 * @module trace
 * Where an interaction's time goes inside the bot, for `npm run bench:latency`'s breakdown: cheap
 * high-resolution timestamps at each stage of the round trip, garbage-collection pauses, and the
 * event loop's delay, written to a file when the process exits. Off unless `ORDERBOT_TRACE` names
 * that file; then every call below is a no-op and nothing is loaded or kept.
 *
 * Stages (all on one clock, `performance.timeOrigin + performance.now()`, which another process on
 * the same machine shares to within microseconds, so the fake Discord's stamps line up):
 * `read` the socket chunk that held the frame was read; `dispatch` @discordjs/ws handed the parsed
 * event to the bot; `handler` its handler started; `queued` the first answer was handed to the
 * HTTP client; `written` the answer's request was written to the socket.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** The stages stamped in the bot, in order. */
export const TRACE_STAGES = ['read', 'dispatch', 'handler', 'queued', 'written'] as const;
export type TraceStage = (typeof TRACE_STAGES)[number];

/** What the trace file holds. */
export interface TraceFile {
  /** Interaction id to its stamps (ms on the shared clock; 0 when a stage was not reached). */
  interactions: Record<string, number[]>;
  /** Garbage collections: [start, duration] in ms. */
  gc: [number, number][];
  /** Event-loop delay between marks (SIGUSR2): when the mark was taken, and the delay since the last one. */
  loopDelay: { at: number; p50: number; p99: number; max: number }[];
}

/** The tracer; all methods are no-ops when tracing is off. */
export interface Tracer {
  readonly enabled: boolean;
  /** When the last socket chunk was read (the chunk that held the frame being dispatched now). */
  lastRead(): number;
  stamp(interactionId: string, stage: TraceStage, at?: number): void;
  /** The shared clock, for stamps taken now. */
  now(): number;
}

const clock = () => performance.timeOrigin + performance.now();

function createTracer(file: string | undefined): Tracer {
  if (!file) return { enabled: false, lastRead: () => 0, stamp: () => {}, now: clock };

  const interactions = new Map<string, number[]>();
  const gc: [number, number][] = [];
  const loopDelay: TraceFile['loopDelay'] = [];
  let lastRead = 0;

  // Every TCP client socket the bot opens (the gateway's among them) stamps its reads. A frame is
  // dispatched in the same turn of the event loop as the read that completed it, so the latest
  // read is that frame's.
  subscribe('net.client.socket', (message) => {
    (message as { socket: Socket }).socket.prependListener('data', () => {
      lastRead = clock();
    });
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      gc.push([performance.timeOrigin + entry.startTime, entry.duration]);
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const mark = () => {
    loopDelay.push({
      at: clock(),
      p50: delay.percentile(50) / 1e6,
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
    });
    delay.reset();
  };
  process.on('SIGUSR2', mark);
  process.on('exit', () => {
    const out: TraceFile = { interactions: Object.fromEntries(interactions), gc, loopDelay };
    writeFileSync(file, JSON.stringify(out));
  });

  return {
    enabled: true,
    lastRead: () => lastRead,
    stamp(id, stage, at = clock()) {
      let stamps = interactions.get(id);
      if (!stamps) {
        stamps = TRACE_STAGES.map(() => 0);
        interactions.set(id, stamps);
      }
      stamps[TRACE_STAGES.indexOf(stage)] ||= at;
    },
    now: clock,
  };
}

/** The process's tracer (on when `ORDERBOT_TRACE` names a file). */
export const trace: Tracer = createTracer(process.env.ORDERBOT_TRACE || undefined);
