/**
 * @module test/support/order-harness
 * The bot's handlers wired in-process as `main.ts` wires them (the real registry, context, router
 * and dispatcher, session store, limits and caps, and the order store over a temporary folder),
 * with a recording Discord instead of the network, a clock the test moves, and an outbox that only
 * records what it is asked to do (the worker has its own tests). Each interaction is handled to
 * the end before `send` resolves; its answers are then in `discord.answersTo(interaction)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIInteraction, APIInteractionResponse } from 'discord-api-types/v10';
import { type BotConfig, shippedFiles } from '../../src/config.ts';
import { createGatewayState } from '../../src/gateway/status.ts';
import { type AppContext, createAppContext } from '../../src/handlers/context.ts';
import { createHandlers } from '../../src/handlers/index.ts';
import { createLogger } from '../../src/log.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createSnapshot } from '../../src/ops/snapshot.ts';
import { JobKind } from '../../src/order/delivery.ts';
import { DEFAULT_FORM, type OrderForm } from '../../src/order/form.ts';
import { createDispatcher } from '../../src/router/dispatcher.ts';
import { createRouter } from '../../src/router/router.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createMailCaps, createOrderLimits } from '../../src/store/limits.ts';
import type { OutboxWorker } from '../../src/store/outbox.ts';
import { createSessionStore, type EndReason } from '../../src/store/sessions.ts';
import { createSqliteEngine } from '../../src/store/sqlite.ts';
import { createRecordingDiscord, type RecordedAnswer } from './recording-discord.ts';

type Json = Record<string, unknown>;

/** Options for {@link createOrderHarness}. */
export interface HarnessOptions {
  /** Keys of config.json over the shipped defaults. */
  config?: Partial<BotConfig>;
  /** Whether SENDER_EMAIL is set (confirmation emails on). @defaultValue `true` */
  mail?: boolean;
  /** The clock's start, ms since the epoch. @defaultValue 2025-03-01T12:00:00Z */
  start?: number;
  /** The shop's form. @defaultValue the shipped form */
  form?: OrderForm;
}

/** Builds the in-process bot. Call `close()` when done (it removes the temporary folder). */
export function createOrderHarness(options: HarnessOptions = {}) {
  let now = options.start ?? Date.UTC(2025, 2, 1, 12);
  const clock = () => now;
  const shipped = shippedFiles();
  const settings = {
    config: { ...shipped.config, ...options.config },
    template: shipped.template,
    form: options.form ?? DEFAULT_FORM,
  };
  const { config } = settings;

  const dir = mkdtempSync(join(tmpdir(), 'order-bot-handlers-'));
  const engine = createSqliteEngine(openDatabase(dir));
  /** The synchronous store under the engine, for the tests' own reads. */
  const orders = engine.store;
  const logLines: Json[] = [];
  const log = createLogger({
    level: 'debug',
    pretty: false,
    write: (line) => logLines.push(JSON.parse(line)),
  });
  const metrics = createMetrics(now);
  const ended: EndReason[] = [];
  const sessions = createSessionStore({
    ttlMs: config.session_ttl_seconds * 1000,
    maxSessions: config.max_sessions,
    now: clock,
    sweepIntervalMs: 0,
    onEnd: (_session, reason) => ended.push(reason),
  });
  const limits = createOrderLimits({
    orders: engine.orders,
    cooldownMs: config.order_cooldown_seconds * 1000,
    dailyCap: config.daily_order_limit,
    now: clock,
  });
  const mailCaps = createMailCaps({
    kind: JobKind.Email,
    settings: () => settings.config,
    now: clock,
  });
  // The handlers read only whether mail is on; no mail is sent here (the outbox's jobs send it),
  // so nodemailer is not even loaded.
  const mail = options.mail !== false;
  const mailer: Mailer = {
    enabled: mail,
    from: mail ? 'shop@example.com' : undefined,
    send: () => Promise.reject(new Error('the handlers never send mail themselves')),
    status: () =>
      mail
        ? { smtp: 'unchecked', detail: undefined, reason: undefined }
        : { smtp: 'disabled', detail: 'SENDER_EMAIL is not set', reason: 'disabled' },
    verify: async () => mail,
    close: () => {},
  };
  /** What the handlers asked of the outbox. */
  const outboxCalls = { notified: 0, released: [] as number[] };
  const outbox: OutboxWorker = {
    notify: () => void outboxCalls.notified++,
    release: (jobId) => void outboxCalls.released.push(jobId),
    running: 0,
    status: () => ({ paused: false }),
    drain: async () => 0,
  };
  const gateway = createGatewayState();
  const discord = createRecordingDiscord();
  const snapshot = createSnapshot({
    clock,
    startedAt: now,
    gateway: gateway.status,
    sessions,
    orders: engine.orders,
    outbox,
    mailer,
    metrics,
    answersQueued: () => 0,
  });
  const app = createAppContext({
    interactions: discord.api,
    log,
    metrics,
    clock,
    settings: () => settings,
    // Every handler here answers at once; no automatic defer timer is left behind.
    deferAfterMs: 0,
  });
  const router = createRouter<AppContext>({
    handlers: createHandlers({
      gateway: gateway.status,
      metrics,
      snapshot,
      sessions,
      limits,
      mailCaps,
      mailer,
      orders: engine.orders,
      outbox,
      crashPoint: () => {},
    }),
    notFound: app.notFound,
    onError: app.onError,
  });
  const dispatcher = createDispatcher({ router, context: app.context, finished: app.finished });

  return {
    discord,
    orders,
    sessions,
    metrics,
    gateway,
    settings,
    outboxCalls,
    /** Why sessions ended, in order. */
    ended,
    logLines,
    /** Moves the clock forward. */
    advance(ms: number) {
      now += ms;
    },
    now: clock,
    /** Handles one interaction to the end; resolves with its answers. */
    async send(interaction: APIInteraction): Promise<RecordedAnswer[]> {
      await dispatcher.handle(interaction);
      return discord.answersTo(interaction);
    },
    close() {
      sessions.close();
      orders.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The in-process bot. */
export type OrderHarness = ReturnType<typeof createOrderHarness>;

/**
 * The message an answer shows: a callback's message data (reply or update), or the body of an
 * edit or follow-up. Throws for a modal or a defer.
 */
export function messageOf(answer: RecordedAnswer | undefined): Json {
  if (!answer) throw new Error('no answer');
  if (answer.route !== 'callback') return answer.body as Json;
  const body = answer.body as APIInteractionResponse;
  if (body.type !== 4 && body.type !== 7) {
    throw new Error(`expected a message, got callback type ${body.type}`);
  }
  return (body.data ?? {}) as Json;
}

/** The buttons of a message, as `{ label, custom_id, style }`. */
export function buttonsOf(message: Json): { label: string; custom_id: string; style: number }[] {
  const rows = (message.components as { components?: Json[] }[] | undefined) ?? [];
  return rows.flatMap((row) =>
    (row.components ?? []).map((button) => ({
      label: String(button.label),
      custom_id: String(button.custom_id),
      style: Number(button.style),
    })),
  );
}

/** The custom_id of the button whose label contains `label` (throws when there is none). */
export function buttonId(message: Json, label: string): string {
  const button = buttonsOf(message).find((candidate) => candidate.label.includes(label));
  if (!button) throw new Error(`no button "${label}" on ${JSON.stringify(message).slice(0, 300)}`);
  return button.custom_id;
}
