/**
 * @module handlers/order-buttons
 * The form's buttons: "Continue to …" and "Fix Step N" open a step's modal (prefilled with what
 * the customer typed last), "Cancel" discards the draft. A button of a session that no longer
 * exists answers that the form expired.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { languageOr } from '../i18n/languages.ts';
import { translator } from '../i18n/translate.ts';
import { firstMissingStep, isStep, type StepValues } from '../order/fields.ts';
import { formIn } from '../order/form.ts';
import { buildModal, OrderIds } from '../order/ui.ts';
import type { OrderRepository } from '../store/engine.ts';
import type { SessionStore } from '../store/sessions.ts';
import { type Component, type Ctx, openModal } from './context.ts';
import { answerIfFinished, answerIfReceived } from './order-received.ts';
import { refuseOutsideShop } from './shop-only.ts';

/** Creates the handler that opens a step's modal: `order_open:<step>:<nonce>`. */
export function createOpenStep({
  sessions,
  orders,
}: {
  sessions: SessionStore;
  orders: Pick<OrderRepository, 'bySessionKey'>;
}): Component {
  return {
    kind: 'component',
    prefix: OrderIds.Open,
    async run(ctx) {
      const refused = refuseOutsideShop(ctx);
      if (refused) return refused;
      const { userId, args, respond, log, t } = ctx;
      const step = Number(args[0]);
      const session = await sessions.get(userId, args[1] ?? '');
      if (!session) {
        // A "Continue" pressed again after the order was taken (its answer was lost): that order.
        if (await answerIfReceived(ctx, orders, args[1] ?? '', (data) => respond.update(data))) return;
        log.info('order.stale_button', { step: args[0] });
        return respond.reply({ content: t('expired'), flags: MessageFlags.Ephemeral });
      }
      // A form whose order may already be committed: that order, and the form is not reopened.
      if (await answerIfFinished(ctx, orders, session, (data) => respond.update(data))) return;
      if (session.formId !== ctx.form.id) return formChanged(ctx, sessions);
      // The whole form speaks the language it was started in (see `SessionStore.start`).
      const language = languageOr(session.language, ctx.language);
      const form = formIn(ctx.form, language);
      // Steps are taken in order; a button for a later step than the draft has reached is stale.
      if (!isStep(form, step) || step > firstMissingStep(session, form.steps.length)) {
        return respond.reply({ content: t('expired'), flags: MessageFlags.Ephemeral });
      }
      const prefill: StepValues | undefined = session.drafts[step] ?? session.accepted[step];
      await openModal(ctx, buildModal(translator(language), form, step, session.nonce, prefill));
    },
  };
}

/** Creates the handler that cancels the draft: `order_cancel:<nonce>`. */
export function createCancelOrder({
  sessions,
  orders,
}: {
  sessions: SessionStore;
  orders: Pick<OrderRepository, 'bySessionKey'>;
}): Component {
  return {
    kind: 'component',
    prefix: OrderIds.Cancel,
    async run(ctx) {
      const refused = refuseOutsideShop(ctx);
      if (refused) return refused;
      const { userId, args, respond, log } = ctx;
      const session = await sessions.get(userId, args[0] ?? '');
      if (!session) {
        return respond.update({ content: ctx.t('expired'), components: [], embeds: [] });
      }
      // Its order may already be committed (the process died before removing the form): then it
      // cannot be cancelled here, and the customer sees the order instead of "cancelled".
      if (await answerIfFinished(ctx, orders, session, (data) => respond.update(data))) return;
      await sessions.end(userId, 'cancelled');
      log.info('order.cancelled', {});
      await respond.update({
        content: translator(languageOr(session.language, ctx.language))('cancelled'),
        components: [],
        embeds: [],
      });
    },
  };
}

/**
 * Ends a session whose form the shop replaced (a reload) and tells the customer to start again:
 * a form is never completed with steps of two definitions.
 */
export async function formChanged(ctx: Ctx<unknown>, sessions: SessionStore): Promise<void> {
  await sessions.end(ctx.userId, 'cancelled');
  ctx.log.info('order.form_changed', {});
  return ctx.respond.reply({ content: ctx.t('form_changed'), flags: MessageFlags.Ephemeral });
}
