/**
 * @module handlers/order-received
 * A form's "Continue" buttons and final step after its order was committed. The session is gone
 * (its order completed it), but the nonce in the custom_id names that order (`session_key`): a
 * customer who never saw the answer (the process that took the order died before it could answer,
 * or the answer was lost) is shown the order they placed, instead of "this form expired" and a
 * second order from the start.
 */
import { toOrder } from '../order/fields.ts';
import { summaryEmbed } from '../order/ui.ts';
import type { OrderRepository } from '../store/engine.ts';
import type { Ctx } from './context.ts';

/**
 * The key an order is committed under (`NewOrder.sessionKey`): the member and the form session's
 * nonce. With the member in it, two members' nonces (48 random bits) can never name one order.
 */
export function sessionKeyOf(userId: string, nonce: string): string {
  return `${userId}:${nonce}`;
}

/**
 * Whether `session`'s order may already be committed: its final step was accepted (`finish`), and
 * the session stays until `completed`, so a process that died in between leaves it. Before anything
 * changes such a session (a step, Cancel, Continue), the order it made is looked for: if there is
 * one, the customer is shown it (through `answer`) and true is returned; nothing else happens.
 */
export async function answerIfFinished(
  ctx: Ctx<unknown>,
  orders: Pick<OrderRepository, 'bySessionKey'>,
  session: { nonce: string; accepted: Readonly<Partial<Record<number, unknown>>> },
  answer: Parameters<typeof answerIfReceived>[3],
): Promise<boolean> {
  if (session.accepted[ctx.form.steps.length] === undefined) return false;
  return answerIfReceived(ctx, orders, session.nonce, answer);
}

/**
 * Answers with the customer's own order that completed session `nonce`, through `answer`; false
 * (nothing answered) when there is none, it is someone else's, or the store cannot say.
 */
export async function answerIfReceived(
  ctx: Ctx<unknown>,
  orders: Pick<OrderRepository, 'bySessionKey'>,
  nonce: string,
  answer: (data: {
    content: string;
    embeds: ReturnType<typeof summaryEmbed>[];
    components: [];
  }) => Promise<void>,
): Promise<boolean> {
  if (nonce === '') return false;
  const order = await orders.bySessionKey(sessionKeyOf(ctx.userId, nonce)).catch(() => undefined);
  if (!order || order.userId !== ctx.userId || order.purgedAt !== null) return false;
  const { form, config, log, t } = ctx;
  log.info('order.already_received', { order_id: order.id });
  // Taken under a form the shop has since replaced: the reference alone, not fields it no longer names.
  const embeds =
    order.formId === null || order.formId === form.id
      ? [
          summaryEmbed(
            t,
            form,
            toOrder(order.fields, order.email, form),
            config.order_summary !== 'public' || config.show_address_publicly,
            order.id,
            config.order_reference_format,
          ),
        ]
      : [];
  await answer({ content: t('already_received'), embeds, components: [] });
  return true;
}
