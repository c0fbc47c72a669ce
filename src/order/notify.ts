/**
 * @module order/notify
 * The outbox handlers of what a status change commits (see `order/lifecycle.ts`): the customer's
 * status email (a stable Message-ID per change), the customer's direct message (open a DM channel,
 * then post with an enforced nonce; a user whose DMs are closed, Discord's 50007, is recorded as
 * `dm_closed` and not retried), the staff post's edit (it shows the order as it is when the edit
 * runs, so edits that run late or out of order still end on the latest status), and the signed
 * webhook (`order.created` and `order.status_changed`, retried until the receiver answers 2xx).
 */
import type { REST } from '@discordjs/rest';
import { type APIChannel, Routes } from 'discord-api-types/v10';
import { type BotConfig, staffLanguageOf } from '../config.ts';
import { DMS_CLOSED, describeDiscordFailure, discordCodeOf } from '../discord/failure.ts';
import { httpStatusOf } from '../discord/rest.ts';
import { MailError } from '../errors.ts';
import { languageOr } from '../i18n/languages.ts';
import { translator } from '../i18n/translate.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { CounterName } from '../metrics.ts';
import type { JobQueue, OrderRepository, StoredJob } from '../store/engine.ts';
import type { JobEvent, JobHandler, JobOutcome } from '../store/outbox.ts';
import { JobKind, orderReader } from './delivery.ts';
import { type EmailedStatus, type LanguageTemplates, type StatusTemplates, statusEmailJob } from './email.ts';
import { ownReference, toOrder } from './fields.ts';
import { formIn, type OrderForm } from './form.ts';
import { LifecycleJob, type NotificationPayload, type WebhookPayload } from './lifecycle.ts';
import { statusDm } from './texts.ts';
import { discordText, type StaffPostState, staffMessage } from './ui.ts';
import { postJson, signature, webhookBody } from './webhook.ts';

/** The counter a lifecycle job's event moves, if any (`orderbot_notifications_total`). */
export function notificationCounter({ job, outcome, reason }: JobEvent): CounterName | undefined {
  if (outcome === 'retry') return undefined;
  const ok = outcome === 'done';
  switch (job.kind) {
    case LifecycleJob.StatusEmail:
      return ok ? 'notify_email_sent' : 'notify_email_failed';
    case LifecycleJob.Dm:
      return ok ? 'notify_dm_sent' : reason === 'dm_closed' ? 'notify_dm_refused' : 'notify_dm_failed';
    case LifecycleJob.Webhook:
      return ok ? 'notify_webhook_sent' : 'notify_webhook_failed';
    default:
      return undefined;
  }
}

/** What the lifecycle handlers use. */
export interface NotifyOptions {
  orders: Pick<OrderRepository, 'get' | 'formDefinition' | 'storeId' | 'jobsOf' | 'history'>;
  jobs: Pick<JobQueue, 'markStarted'>;
  mailer: Mailer;
  rest: REST;
  settings: () => {
    config: BotConfig;
    form: OrderForm;
    statusTemplates: StatusTemplates;
    byLanguage?: LanguageTemplates | undefined;
  };
  /** The webhook's signing key (`WEBHOOK_SECRET`). */
  webhookSecret: string | undefined;
  /** The bot's version, for the webhook's User-Agent. */
  version: string;
}

const failed = (reason: string, detail: string): JobOutcome => ({ status: 'failed', reason, detail });
const retry = (reason: string, detail: string): JobOutcome => ({ status: 'retry', reason, detail });

/** A failed Discord request as an outcome: temporary ones retried, the rest kept with a reason. */
function discordOutcome(error: unknown): JobOutcome {
  const status = httpStatusOf(error);
  const detail = describeDiscordFailure(error);
  if (discordCodeOf(error) === DMS_CLOSED) return failed('dm_closed', detail);
  if (status === undefined || status >= 500 || status === 429) return retry('discord_unavailable', detail);
  if (status === 403) return failed('forbidden', detail);
  if (status === 404) return failed('not_found', detail);
  return failed('rejected', detail);
}

/** Creates the handlers of the lifecycle jobs, keyed by kind. */
export function createLifecycleHandlers(options: NotifyOptions): Record<string, JobHandler> {
  const { orders, mailer, settings } = options;
  const domain = mailer.from?.split('@')[1] ?? 'localhost';
  const { load, formOf } = orderReader(orders, () => settings().form);
  const changeOf = (job: StoredJob) => (job.payload as Partial<NotificationPayload> | undefined)?.change;

  const statusEmail: JobHandler = {
    concurrency: 2,
    get maxAttempts() {
      return settings().config.mail_max_attempts;
    },
    get initialDelayMs() {
      return settings().config.mail_retry_initial_seconds * 1000;
    },
    async run(job) {
      const change = changeOf(job);
      if (!change || change.to === 'received') return failed('bad_payload', 'the job names no status change');
      const record = await load(job);
      if (!('orderNumber' in record)) return record;
      const { config, statusTemplates, byLanguage } = settings();
      const form = await formOf(record);
      const language = languageOr(record.language, config.default_language);
      try {
        await mailer.send({
          ...statusEmailJob(
            toOrder(record.fields, record.email, form),
            {
              status: change.to as EmailedStatus,
              trackingNumber: change.tracking_number,
              trackingUrl: change.tracking_url,
              reason: change.reason,
            },
            { config, statusTemplates, form, byLanguage },
            record.id,
            language,
          ),
          messageId: `<order-${record.id}.status-${change.event_id}.${orders.storeId}@${domain}>`,
        });
      } catch (error) {
        const mailError = error instanceof MailError ? error : new MailError(String(error), 'unknown');
        return mailError.kind === 'transient'
          ? retry(mailError.reason, mailError.message)
          : failed(mailError.reason, mailError.message);
      }
      return { status: 'done' };
    },
  };

  const dm: JobHandler = {
    concurrency: 4,
    maxAttempts: 6,
    initialDelayMs: 5000,
    async run(job) {
      const change = changeOf(job);
      if (!change) return failed('bad_payload', 'the job names no status change');
      const record = await load(job);
      if (!('orderNumber' in record)) return record;
      const { config } = settings();
      const own = ownReference(record.id, config.order_reference_format);
      const number = record.fields.order_number;
      const reference = number
        ? `**${discordText(number, 100)}** (${discordText(own, 50)})`
        : `**${discordText(own, 50)}**`;
      // The customer's language, as the order was taken in.
      const t = translator(languageOr(record.language, config.default_language));
      const content = statusDm(t, {
        shopName: config.shop_name,
        reference,
        to: change.to,
        trackingNumber: change.tracking_number,
        trackingUrl: change.tracking_url,
        reason: change.reason,
      });
      try {
        const channel = (await options.rest.post(Routes.userChannels(), {
          body: { recipient_id: record.userId },
        })) as APIChannel;
        // Discord returns the message it already made for this nonce (a retry after a crash).
        await options.rest.post(Routes.channelMessages(channel.id), {
          body: {
            content,
            allowed_mentions: { parse: [] },
            nonce: `${orders.storeId.slice(0, 12)}-d${change.event_id}`.slice(0, 25),
            enforce_nonce: true,
          },
        });
        return { status: 'done' };
      } catch (error) {
        return discordOutcome(error);
      }
    },
  };

  const staffEdit: JobHandler = {
    concurrency: 2,
    maxAttempts: 8,
    initialDelayMs: 3000,
    async run(job) {
      const record = await load(job);
      if (!('orderNumber' in record)) return record;
      const post = (await orders.jobsOf(record.id)).find((each) => each.kind === JobKind.StaffPost);
      if (!post) return failed('no_staff_post', 'the order was never posted to a staff channel');
      if (post.status === 'pending')
        return retry('staff_post_pending', 'the staff post has not gone out yet');
      const channelId = (post.payload as { channel_id?: string } | undefined)?.channel_id;
      if (post.status === 'failed' || !post.result || !channelId) {
        return failed('no_staff_post', 'the staff post failed, so there is nothing to edit');
      }
      const form = await formOf(record);
      const { config } = settings();
      const last = (await orders.history(record.id)).at(-1);
      const state: StaffPostState = {
        status: record.lifecycle,
        by: last?.actor,
        at: last?.at,
        trackingNumber: record.trackingNumber,
        trackingUrl: record.trackingUrl,
        reason: last?.to === 'cancelled' ? last.reason : null,
        language: record.language,
      };
      const staffLanguage = staffLanguageOf(config);
      const message = staffMessage(
        translator(staffLanguage),
        formIn(form, staffLanguage),
        toOrder(record.fields, record.email, form),
        record.userId,
        record.id,
        record.createdAt,
        config.order_reference_format,
        record.emailRefused ?? undefined,
        state,
      );
      try {
        await options.rest.patch(Routes.channelMessage(channelId, post.result), {
          body: { content: message.content, embeds: message.embeds, components: message.components },
        });
        // Edits of two changes may land out of order (two processes, one held back by a rate
        // limit): an edit that rendered a state older than the order's latest runs again, so the
        // post always ends on the latest.
        const latest = (await orders.history(record.id)).at(-1);
        if (latest && latest.id !== last?.id) {
          return retry('stale_edit', 'the order changed while its staff post was being edited');
        }
        return { status: 'done' };
      } catch (error) {
        return discordOutcome(error);
      }
    },
  };

  const webhook: JobHandler = {
    concurrency: 2,
    // A receiver that is down for a day still gets every event: the waits double from
    // webhook_retry_initial_seconds up to an hour, 32 attempts in all (about 24 hours at the
    // default 10 s); then the event is kept as failed for `npm run orders -- retry`.
    maxAttempts: 32,
    maxDelayMs: 3_600_000,
    get initialDelayMs() {
      return settings().config.webhook_retry_initial_seconds * 1000;
    },
    async run(job) {
      const payload = job.payload as WebhookPayload | undefined;
      if (!payload?.delivery_id) return failed('bad_payload', 'the job carries no webhook event');
      const { config } = settings();
      if (!config.webhook_url) return failed('no_webhook_url', 'webhook_url is no longer set in config.json');
      if (!options.webhookSecret) {
        return failed('no_secret', 'WEBHOOK_SECRET is not set: webhooks are sent signed only');
      }
      const record = await load(job);
      if (!('orderNumber' in record)) return record;
      const body = webhookBody(payload, record, ownReference(record.id, config.order_reference_format));
      const result = await postJson(
        config.webhook_url,
        body,
        {
          'User-Agent': `lean-order-bot/${options.version}`,
          'X-Signature-256': signature(options.webhookSecret, body),
          'X-Delivery-Id': payload.delivery_id,
          'X-Event': payload.event,
        },
        10_000,
      );
      if ('error' in result) return retry('webhook_unreachable', result.error);
      if (result.status >= 200 && result.status < 300) return { status: 'done' };
      const detail = `the receiver answered ${result.status} at ${new URL(config.webhook_url).host}`;
      // A 4xx other than a timeout or rate limit is the receiver refusing this body: kept, not retried.
      if (result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429) {
        return failed('webhook_refused', detail);
      }
      return retry('webhook_unavailable', detail);
    },
  };

  return {
    [LifecycleJob.StatusEmail]: statusEmail,
    [LifecycleJob.Dm]: dm,
    [LifecycleJob.StaffEdit]: staffEdit,
    [LifecycleJob.Webhook]: webhook,
  };
}
