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
  const order = await orders.bySessionKey(nonce).catch(() => undefined);
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
