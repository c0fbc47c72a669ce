/**
 * @module handlers/order-modal
 * A submitted step: validate, keep what was typed, and either ask for a fix (prefilled retry),
 * offer the next step, or complete the order. Completing commits the order and its delivery jobs
 * (staff post, email, the customer's outcome message) in one transaction and only then answers:
 * if the answer fails, the order still exists and its jobs still run.
 */
import { type APIModalSubmitInteraction, ButtonStyle, MessageFlags } from 'discord-api-types/v10';
import { ALREADY_ACKNOWLEDGED, DiscordRequestError } from '../discord/interactions.ts';
import type { MessageData } from '../discord/responder.ts';
import { type Language, languageOr } from '../i18n/languages.ts';
import { type Translator, translator } from '../i18n/translate.ts';
import { JobKind, orderJobs } from '../order/delivery.ts';
import { firstMissingStep, isStep, sessionFields, toOrder } from '../order/fields.ts';
import { formIn, type OrderForm } from '../order/form.ts';
import { emailRefusedText, emailStatusText, receivedFallback, stepComplete } from '../order/texts.ts';
import {
  continueLabel,
  discordText,
  OrderIds,
  problemsMessage,
  readModalValues,
  stepButtons,
  summaryEmbed,
} from '../order/ui.ts';
import { validateStep } from '../order/validate.ts';
import type { Committed, OrderRepository } from '../store/engine.ts';
import type { MailCapCheck, MailCapReason, MailCaps } from '../store/limits.ts';
import type { OutboxWorker } from '../store/outbox.ts';
import type { OrderSession, SessionStore } from '../store/sessions.ts';
import type { Ctx, Modal } from './context.ts';
import { formChanged } from './order-buttons.ts';
import { answerIfFinished, answerIfReceived, sessionKeyOf } from './order-received.ts';
import { refuseOutsideShop } from './shop-only.ts';

/** What the modal handler uses. */
export interface OrderModalDeps {
  sessions: SessionStore;
  orders: Pick<OrderRepository, 'commit' | 'bySessionKey'>;
  outbox: Pick<OutboxWorker, 'notify' | 'release'>;
  /** Whether confirmation emails can be sent (SENDER_EMAIL is set). */
  mailEnabled: boolean;
  /** The caps on confirmation emails (per address, per server, in all). */
  mailCaps: MailCaps;
  /** Told when a cap kept an order's email from being sent (for the counters). */
  onEmailRefused?: (reason: MailCapReason) => void;
  /** Test crash points (see `faults.ts`). */
  crashPoint: (name: string) => void;
}

/** Creates the handler of the form's modals: `order_modal:<step>:<nonce>`. */
export function createOrderModal(deps: OrderModalDeps): Modal {
  const { sessions } = deps;
  return {
    kind: 'modal',
    prefix: OrderIds.Modal,
    async run(ctx) {
      const refused = refuseOutsideShop(ctx);
      if (refused) return refused;
      const { interaction, userId, args, respond, log } = ctx;
      const step = Number(args[0]);
      const nonce = args[1] ?? '';
      const found = await sessions.get(userId, nonce);
      /** Where a message answer goes: the message the modal was opened from, else a new one. */
      const answerHere = (data: MessageData) =>
        interaction.message
          ? respond.update(data)
          : respond.reply({ ...data, flags: MessageFlags.Ephemeral });
      // A form whose order may already be committed (its process died before removing it): a
      // submit of any step shows that order and changes nothing.
      if (found && (await answerIfFinished(ctx, deps.orders, found, answerHere))) return;
      if (found && found.formId !== ctx.form.id) return formChanged(ctx, sessions);
      // The whole form speaks the language it was started in (see `SessionStore.start`).
      const language = languageOr(found?.language, ctx.language);
      const t = translator(language);
      const form = formIn(ctx.form, language);
      const steps = form.steps.length;
      const current = found && isStep(form, step) ? found : undefined;
      // Steps are taken in order: a submit for a step the form has not reached (a forged or
      // replayed custom_id) is refused like a stale one, and nothing is saved.
      if (current && step > firstMissingStep(current, steps)) {
        log.warn('order.out_of_order', { step, reached: firstMissingStep(current, steps) });
        return respond.reply({ content: t('expired'), flags: MessageFlags.Ephemeral });
      }
      const typed = readModalValues(form, step, interaction.data);
      // "today" is a date a person reads: wall time.
      const result = current
        ? validateStep(form, step - 1, typed, sessionFields(current), Date.now())
        : undefined;
      // The final step takes the session out of the store for this submit alone: the same submit
      // arriving twice (or at two processes) completes one order.
      const session = !result
        ? undefined
        : !result.ok
          ? await sessions.saveDraft(userId, nonce, step, typed)
          : step === steps
            ? await sessions.finish(userId, nonce, step, result.values)
            : await sessions.accept(userId, nonce, step, result.values);
      if (!session || !result) {
        // The final step again, after its order was taken (its first answer was lost): that order.
        if (step === steps && (await answerIfReceived(ctx, deps.orders, nonce, answerHere))) return;
        log.info('order.stale_modal', { step: args[0] });
        return respond.reply({
          content: `${t('expired')}\n${t('step_not_saved')}`,
          flags: MessageFlags.Ephemeral,
        });
      }

      // A modal opened from one of our buttons replaces that message, so the chat stays tidy.
      const answer = (data: MessageData) =>
        interaction.message
          ? respond.update(data)
          : respond.reply({ ...data, flags: MessageFlags.Ephemeral });

      if (!result.ok) {
        // The Discord client offers only the configured choices: another value was forged.
        if (result.forged.length > 0) log.warn('order.forged_choice', { step, fields: result.forged });
        log.info('order.step_invalid', { step, fields: result.problems.map((p) => p.key) });
        return answer({
          content: problemsMessage(t, step, steps, result.problems),
          components: stepButtons(t, step, session.nonce, t('button_fix', { step }), ButtonStyle.Danger),
          embeds: [],
        });
      }

      log.info('order.step_done', { step });
      if (step < steps) {
        const next = step + 1;
        return answer({
          content: stepComplete(t, step, steps, session.replacedEarlier),
          components: stepButtons(t, next, session.nonce, continueLabel(t, next, steps)),
          embeds: [],
        });
      }
      return complete(ctx, deps, session, answer, { language, t, form });
    },
  };
}

async function complete(
  ctx: Ctx<APIModalSubmitInteraction>,
  deps: OrderModalDeps,
  session: OrderSession,
  answer: (data: MessageData) => Promise<void>,
  speaking: { language: Language; t: Translator; form: OrderForm },
): Promise<void> {
  const { respond, config, log, interaction, userId, guildId, clock, staffT } = ctx;
  const { language, t, form } = speaking;
  let order = toOrder(sessionFields(session), session.email, form);
  const steps = form.steps.length;
  const isPublic = config.order_summary === 'public';
  const createdAt = clock();
  let cap = { ok: true } as MailCapCheck;
  let refused: string | undefined;

  let committed: Committed;
  const commitStarted = performance.now();
  try {
    deps.crashPoint('before_commit');
    committed = await deps.orders.commit(
      {
        orderNumber: order.fields.order_number ?? '',
        userId,
        guildId,
        email: order.email,
        fields: order.fields,
        createdAt,
        form: { id: form.id, definition: form.definition },
        sessionKey: sessionKeyOf(userId, session.nonce),
        language,
      },
      {
        // The caps are checked inside the transaction that commits the order: no other order, of
        // this process or another, can be counted between the check and the commit.
        caps: deps.mailEnabled ? deps.mailCaps.rules(order.email, guildId, userId) : [],
        decide: (rule) => {
          cap = rule ? { ok: false, reason: rule.reason as MailCapReason, limit: rule.limit } : { ok: true };
          refused = cap.ok ? undefined : emailRefusedText(t, cap.reason, cap.limit);
          // The staff read why in their own language (the order keeps it for the staff post).
          const staffNote = cap.ok ? undefined : emailRefusedText(staffT, cap.reason, cap.limit);
          return {
            emailRefused: staffNote,
            jobs: orderJobs({
              config,
              sendEmail: deps.mailEnabled && cap.ok,
              emailNote: staffNote,
              customer: {
                application_id: interaction.application_id,
                token: interaction.token,
                mode: isPublic ? 'followup' : 'edit',
                interaction_at: createdAt,
              },
              at: createdAt,
            }),
          };
        },
      },
    );
  } catch (error) {
    // Nothing was written: the customer is told so, and the form is kept for another try.
    log.error('order.commit_failed', { error });
    await deps.sessions.restore(session).catch((restoreError: unknown) => {
      log.error('order.session_restore_failed', { error: restoreError });
    });
    return answer({
      content: t('save_failed'),
      components: stepButtons(t, steps, session.nonce, t('button_submit_again')),
      embeds: [],
    });
  }
  deps.crashPoint('after_commit');
  const orderId = committed.order.id;
  const olog = log.child({ order_id: orderId });
  await deps.sessions.completed(session).catch((error: unknown) => {
    // The session expires by itself; a submit meanwhile finds the order committed.
    olog.warn('order.session_remove_failed', { error });
  });
  if (committed.existing) {
    // This form's order was committed before: by this submit on a process that died before it
    // could answer, or by the same submit on another process. The customer sees that order.
    olog.info('order.already_committed', {});
    refused = committed.order.emailRefused ?? undefined;
    // What was stored, not what this submit carried (the same submit, or a form changed since).
    order = toOrder(committed.order.fields, committed.order.email, form);
  } else {
    deps.outbox.notify();
    olog.info('order.completed', { commit_ms: Math.round((performance.now() - commitStarted) * 100) / 100 });
  }
  if (!committed.existing && !cap.ok) {
    olog.warn('order.email_refused', { reason: cap.reason, limit: cap.limit });
    deps.onEmailRefused?.(cap.reason);
  }

  const embed = summaryEmbed(
    t,
    form,
    order,
    !isPublic || config.show_address_publicly,
    orderId,
    config.order_reference_format,
  );
  const status = emailStatusText(t, {
    mailEnabled: deps.mailEnabled,
    refused,
    to: discordText(order.email, 300),
  });
  try {
    if (isPublic) {
      await respond.reply({ embeds: [embed] });
      if (interaction.message) {
        await respond.followUp({ content: status, flags: MessageFlags.Ephemeral }).catch(() => undefined);
      }
    } else {
      await answer({ content: status, embeds: [embed], components: [] });
    }
  } catch (error) {
    // The order is committed and its jobs run whatever happens here; try a plainer answer once.
    olog.warn('order.answer_failed', { error });
    if (error instanceof DiscordRequestError && error.code === ALREADY_ACKNOWLEDGED) {
      // The same submit was delivered to another process too (test/e2e/cluster.test.ts), which
      // found the form already taken by this one and answered "expired" first, while this one was
      // committing: without this the customer was told the form had expired (and the email status
      // later replaced that text) though the order was taken. Turn that answer into the summary.
      await respond
        .editReply({ content: status, embeds: [embed], components: [] })
        .catch((editError: unknown) => olog.warn('order.answer_fallback_failed', { error: editError }));
    } else {
      await respond
        .reply({
          content: receivedFallback(t, orderId, status),
          flags: MessageFlags.Ephemeral,
        })
        .catch((fallbackError: unknown) =>
          olog.warn('order.answer_fallback_failed', { error: fallbackError }),
        );
    }
  }
  deps.crashPoint('after_answer');
  const message = committed.jobs.find((job) => job.kind === JobKind.CustomerMessage);
  if (message && !committed.existing) deps.outbox.release(message.id);
}
