/**
 * @module handlers/order-buttons
 * The form's buttons: "Continue to …" and "Fix Step N" open a step's modal (prefilled with what
 * the customer typed last), "Cancel" discards the draft. A button of a session that no longer
 * exists answers that the form expired.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { firstMissingStep, isStep, type StepValues } from '../order/fields.ts';
import { CANCELLED, EXPIRED, FORM_CHANGED } from '../order/texts.ts';
import { buildModal, OrderIds } from '../order/ui.ts';
import type { OrderRepository } from '../store/engine.ts';
import type { SessionStore } from '../store/sessions.ts';
import { type Component, type Ctx, openModal } from './context.ts';
import { answerIfReceived } from './order-received.ts';
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
      const { userId, args, respond, log, form } = ctx;
      const step = Number(args[0]);
      const session = await sessions.get(userId, args[1] ?? '');
      if (!session) {
        // A "Continue" pressed again after the order was taken (its answer was lost): that order.
        if (await answerIfReceived(ctx, orders, args[1] ?? '', (data) => respond.update(data))) return;
        log.info('order.stale_button', { step: args[0] });
        return respond.reply({ content: EXPIRED, flags: MessageFlags.Ephemeral });
      }
      if (session.formId !== form.id) return formChanged(ctx, sessions);
      // Steps are taken in order; a button for a later step than the draft has reached is stale.
      if (!isStep(form, step) || step > firstMissingStep(session, form.steps.length)) {
        return respond.reply({ content: EXPIRED, flags: MessageFlags.Ephemeral });
      }
      const prefill: StepValues | undefined = session.drafts[step] ?? session.accepted[step];
      await openModal(ctx, buildModal(form, step, session.nonce, prefill));
    },
  };
}

/** Creates the handler that cancels the draft: `order_cancel:<nonce>`. */
export function createCancelOrder({ sessions }: { sessions: SessionStore }): Component {
  return {
    kind: 'component',
    prefix: OrderIds.Cancel,
    async run(ctx) {
      const refused = refuseOutsideShop(ctx);
      if (refused) return refused;
      const { userId, args, respond, log } = ctx;
      if (!(await sessions.get(userId, args[0] ?? ''))) {
        return respond.update({ content: EXPIRED, components: [], embeds: [] });
      }
      await sessions.end(userId, 'cancelled');
      log.info('order.cancelled', {});
      await respond.update({
        content: CANCELLED,
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
  return ctx.respond.reply({ content: FORM_CHANGED, flags: MessageFlags.Ephemeral });
}
