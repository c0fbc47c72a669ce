/**
 * @module order/delivery
 * The jobs that deliver a committed order, run by the outbox worker: the confirmation email (with
 * a stable Message-ID, so a resend after a crash is recognisably the same message), the staff
 * channel post (a try cut short by a crash looks for its post in the channel before posting again,
 * and an enforced nonce covers the minutes in which Discord remembers it), and the message
 * that tells the customer how the email went. Each failure is classified: a temporary one is
 * retried, a permanent one is kept as `failed` with a reason the owner can act on.
 */
import type { REST } from '@discordjs/rest';
import { type APIMessage, MessageFlags, Routes } from 'discord-api-types/v10';
import { type BotConfig, type EmailTemplate, staffLanguageOf } from '../config.ts';
import { describeDiscordFailure } from '../discord/failure.ts';
import { DiscordRequestError, type InteractionApi } from '../discord/interactions.ts';
import { httpStatusOf } from '../discord/rest.ts';
import { MailError } from '../errors.ts';
import { languageOr } from '../i18n/languages.ts';
import { type Translator, translator } from '../i18n/translate.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { CounterName } from '../metrics.ts';
import type { JobQueue, NewJob, OrderRepository, StoredJob, StoredOrder } from '../store/engine.ts';
import type { JobEvent, JobHandler, JobOutcome } from '../store/outbox.ts';
import { confirmationJob, type LanguageTemplates } from './email.ts';
import { type Order, toOrder } from './fields.ts';
import { formIn, formOfOrder, type OrderForm } from './form.ts';
import { createdWebhookJob } from './lifecycle.ts';
import { emailOutcomeText } from './texts.ts';
import { discordText, staffMessage } from './ui.ts';

/** The kinds of job an order commits. */
export const JobKind = {
  Email: 'email',
  StaffPost: 'staff_post',
  /** Tells the customer how the email went, by editing the summary (or a follow-up). */
  CustomerMessage: 'customer_message',
} as const;

/** The counter a job event moves (see `COUNTERS` in metrics.ts), if any. */
export function countedAs({ job, outcome }: JobEvent): CounterName | undefined {
  if (job.kind === JobKind.Email) {
    return (
      {
        done: 'emails_sent',
        retry: 'emails_retried',
        failed: 'emails_failed',
        gave_up: 'emails_gave_up',
      } as const
    )[outcome];
  }
  if (job.kind === JobKind.StaffPost && outcome !== 'retry') {
    return outcome === 'done' ? 'staff_posts_sent' : 'staff_posts_failed';
  }
  return undefined;
}

/** Interaction tokens are valid for 15 minutes; a message job later than this is not tried. */
const TOKEN_LIFETIME_MS = 15 * 60_000 - 30_000;

/** What the customer message job needs: the interaction's webhook, and how to answer on it. */
export interface CustomerMessagePayload {
  application_id: string;
  token: string;
  /** `edit` the summary, or send an ephemeral `followup` (public summaries). */
  mode: 'edit' | 'followup';
  interaction_at: number;
}

/** The staff post job's target, and why no email went out when one did not. */
interface StaffPostPayload {
  channel_id: string;
  /** Why the confirmation email was not sent (a cap), for the staff to decide. */
  email_note?: string;
}

/** The jobs to commit with an order (indexes matter: the customer message waits for the email). */
export function orderJobs(options: {
  config: BotConfig;
  /** Whether to send the confirmation email. */
  sendEmail: boolean;
  /** Why it is not sent, when a cap refused it (told to the staff). */
  emailNote?: string | undefined;
  customer: CustomerMessagePayload | undefined;
  /** When the order is committed (the webhook's `at`). */
  at?: number;
}): NewJob[] {
  const jobs: NewJob[] = [];
  if (options.config.orders_channel_id) {
    const payload: StaffPostPayload = { channel_id: options.config.orders_channel_id };
    if (options.emailNote) payload.email_note = options.emailNote;
    jobs.push({ kind: JobKind.StaffPost, payload });
  }
  if (options.sendEmail) {
    const email = jobs.push({ kind: JobKind.Email }) - 1;
    if (options.customer) {
      jobs.push({
        kind: JobKind.CustomerMessage,
        payload: options.customer,
        after: email,
        affectsStatus: false,
        // Held until the summary has gone out (the handler releases it); 3 s if it never says so.
        delayMs: 3000,
      });
    }
  }
  // Last: the indexes above are what `after` refers to.
  jobs.push(...createdWebhookJob(options.config, options.at ?? Date.now()));
  return jobs;
}

/** What the customer is told once the email job has settled (words in texts.ts). */
export function emailOutcome(t: Translator, email: string, emailJob: StoredJob | undefined): string {
  const to = discordText(email, 300);
  if (emailJob?.status === 'done') return emailOutcomeText(t, to, 'sent');
  return emailOutcomeText(t, to, emailJob?.reason === 'recipient_rejected' ? 'address_refused' : 'not_sent');
}

/** What the handlers use. */
export interface DeliveryOptions {
  orders: Pick<OrderRepository, 'get' | 'formDefinition' | 'storeId' | 'history'>;
  jobs: Pick<JobQueue, 'markStarted' | 'job'>;
  mailer: Mailer;
  /** Bot-token REST routes (the staff channel). */
  rest: REST;
  interactions: InteractionApi;
  /** The configuration in force now (`byLanguage`: the emails of each language). */
  settings: () => {
    config: BotConfig;
    template: EmailTemplate;
    form: OrderForm;
    byLanguage?: LanguageTemplates | undefined;
  };
  /** Called right after the SMTP server accepted a message (a crash test point). */
  afterEmailAccepted?: () => void;
  /** Called right after Discord accepted the staff post (a crash test point). */
  afterStaffPost?: () => void;
  now?: () => number;
}

const failed = (reason: string, detail: string): JobOutcome => ({ status: 'failed', reason, detail });
const retry = (reason: string, detail: string, afterMs?: number): JobOutcome =>
  afterMs === undefined ? { status: 'retry', reason, detail } : { status: 'retry', reason, detail, afterMs };

/** How many of the channel's latest messages are searched for a post a crash may have left. */
const STAFF_POST_SEARCH = 100;

/**
 * The ID of the staff post already in the channel for this order (same title, mention and time,
 * sent by a bot), or undefined when there is none or the channel cannot be read.
 */
async function findStaffPost(
  rest: REST,
  channelId: string,
  post: ReturnType<typeof staffMessage>,
): Promise<string | undefined> {
  let messages: APIMessage[];
  try {
    messages = (await rest.get(Routes.channelMessages(channelId), {
      query: new URLSearchParams({ limit: String(STAFF_POST_SEARCH) }),
    })) as APIMessage[];
  } catch {
    // No Read Message History, say: the nonce is what is left.
    return undefined;
  }
  const [embed] = post.embeds;
  return messages.find(
    (message) =>
      message.author?.bot === true &&
      message.content === post.content &&
      message.embeds?.[0]?.title === embed?.title &&
      message.embeds?.[0]?.timestamp !== undefined &&
      Date.parse(message.embeds[0].timestamp) === Date.parse(embed?.timestamp ?? ''),
  )?.id;
}

/**
 * How an order job finds its order: `load` the job's order, or the outcome when it cannot be
 * delivered (missing, purged; tell them apart by `orderNumber`); `read` it with the form it was
 * taken under (its own fields, whatever the form in force). Shared by the delivery and the
 * lifecycle jobs.
 */
export function orderReader(
  orders: Pick<OrderRepository, 'get' | 'formDefinition'>,
  currentForm: () => OrderForm,
) {
  const load = async (job: StoredJob): Promise<StoredOrder | JobOutcome> => {
    const record = await orders.get(job.orderId);
    if (!record) return failed('missing_order', `order ${job.orderId} is not in the database`);
    if (record.purgedAt !== null) return failed('purged', 'the order was purged before it was delivered');
    return record;
  };
  const formOf = async (record: StoredOrder): Promise<OrderForm> => {
    const current = currentForm();
    const stored =
      record.formId && record.formId !== current.id ? await orders.formDefinition(record.formId) : undefined;
    return formOfOrder(record.formId, current, () => stored);
  };
  const read = async (record: StoredOrder): Promise<{ order: Order; form: OrderForm }> => {
    const form = await formOf(record);
    return { order: toOrder(record.fields, record.email, form), form };
  };
  return { load, formOf, read };
}

/** The outbox handlers of the three order jobs. */
export function createDeliveryHandlers(options: DeliveryOptions): Record<string, JobHandler> {
  const { orders, jobs, mailer, settings } = options;
  const now = options.now ?? Date.now;
  const domain = mailer.from?.split('@')[1] ?? 'localhost';
  const { load, read } = orderReader(orders, () => settings().form);

  const email: JobHandler = {
    concurrency: 2,
    get maxAttempts() {
      return settings().config.mail_max_attempts;
    },
    get initialDelayMs() {
      return settings().config.mail_retry_initial_seconds * 1000;
    },
    async run(job) {
      const order = await load(job);
      if (!('orderNumber' in order)) return order;
      const { config, template, byLanguage } = settings();
      const taken = await read(order);
      const language = languageOr(order.language, config.default_language);
      try {
        await mailer.send({
          ...confirmationJob(
            taken.order,
            { config, template, form: taken.form, byLanguage },
            order.id,
            language,
          ),
          messageId: `<order-${order.id}.${orders.storeId}@${domain}>`,
        });
      } catch (error) {
        const mailError = error instanceof MailError ? error : new MailError(String(error), 'unknown');
        return mailError.kind === 'transient'
          ? retry(mailError.reason, mailError.message)
          : failed(mailError.reason, mailError.message);
      }
      options.afterEmailAccepted?.();
      return { status: 'done' };
    },
  };

  const staffPost: JobHandler = {
    concurrency: 2,
    maxAttempts: 8,
    initialDelayMs: 5000,
    async run(job) {
      const record = await load(job);
      if (!('orderNumber' in record)) return record;
      const { channel_id: channelId, email_note: emailNote } = (job.payload ??
        {}) as Partial<StaffPostPayload>;
      if (!channelId) return failed('no_channel', 'the job names no channel');
      const taken = await read(record);
      // Posted late (Discord was down), the order may have moved on already: the post shows it as it is.
      const last = record.lifecycle === 'received' ? undefined : (await orders.history(record.id)).at(-1);
      const { config } = settings();
      const staffLanguage = staffLanguageOf(config);
      const post = staffMessage(
        translator(staffLanguage),
        formIn(taken.form, staffLanguage),
        taken.order,
        record.userId,
        record.id,
        record.createdAt,
        config.order_reference_format,
        emailNote,
        {
          status: record.lifecycle,
          by: last?.actor,
          at: last?.at,
          trackingNumber: record.trackingNumber,
          trackingUrl: record.trackingUrl,
          reason: last?.to === 'cancelled' ? last.reason : null,
          language: record.language,
        },
      );
      if (job.startedAt !== null) {
        // An earlier try began and never recorded its outcome (the process died): its post may be
        // in the channel. Discord remembers a nonce for minutes only, so look rather than trust it.
        const earlier = await findStaffPost(options.rest, channelId, post);
        if (earlier) return { status: 'done', result: earlier };
      }
      try {
        // Written before the post, so a try cut short after it is known to have begun.
        await jobs.markStarted(job.id, now());
      } catch (error) {
        return retry('store_unwritable', error instanceof Error ? error.message : String(error));
      }
      try {
        const message = (await options.rest.post(Routes.channelMessages(channelId), {
          body: {
            ...post,
            // Discord returns the message it already made for this nonce instead of posting twice. The
            // database's own ID keeps it unique across reinstalls (a nonce holds 25 characters).
            nonce: `${orders.storeId.slice(0, 12)}-${record.id}`,
            enforce_nonce: true,
          },
        })) as APIMessage;
        options.afterStaffPost?.();
        return { status: 'done', result: message.id };
      } catch (error) {
        const status = httpStatusOf(error);
        const detail = describeDiscordFailure(error);
        if (status === undefined || status >= 500 || status === 429)
          return retry('discord_unavailable', detail);
        if (status === 403) return failed('forbidden', detail);
        if (status === 404) return failed('unknown_channel', detail);
        if (status === 401) return failed('unauthorized', detail);
        return failed('rejected', detail);
      }
    },
  };

  const customerMessage: JobHandler = {
    concurrency: 8,
    maxAttempts: 4,
    initialDelayMs: 2000,
    // The token is a credential: forgotten in the same write as the job's outcome, whatever it is.
    clearPayload: true,
    async run(job) {
      const payload = job.payload as CustomerMessagePayload | undefined;
      if (!payload?.token) return failed('no_token', 'nothing to answer on');
      const done = (outcome: JobOutcome) => outcome;
      if (now() - payload.interaction_at > TOKEN_LIFETIME_MS) {
        return done(failed('expired', "the interaction's 15 minutes had passed"));
      }
      const record = await load(job);
      if (!('orderNumber' in record)) return done(record);
      const emailJob = job.afterJob === null ? undefined : await jobs.job(job.afterJob);
      const language = languageOr(record.language, settings().config.default_language);
      const content = emailOutcome(translator(language), record.email, emailJob);
      try {
        if (payload.mode === 'edit') {
          await options.interactions.editOriginal(payload.application_id, payload.token, { content });
        } else {
          await options.interactions.followUp(payload.application_id, payload.token, {
            content,
            flags: MessageFlags.Ephemeral,
          });
        }
        return done({ status: 'done' });
      } catch (error) {
        const detail = describeDiscordFailure(error);
        if (!(error instanceof DiscordRequestError)) return retry('unknown', detail);
        // A follow-up may have been posted before the error: never sent twice.
        if (payload.mode === 'edit' && (error.status === 0 || error.status >= 500)) {
          return retry('discord_unavailable', detail);
        }
        return done(failed(error.status === 404 ? 'unknown_message' : 'rejected', detail));
      }
    },
  };

  return {
    [JobKind.Email]: email,
    [JobKind.StaffPost]: staffPost,
    [JobKind.CustomerMessage]: customerMessage,
  };
}
