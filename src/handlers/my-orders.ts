/**
 * @module handlers/my-orders
 * `/my_orders`: the member's own newest orders (ephemeral; never anyone else's), each with its
 * reference, date, product, status and tracking link, and a button to cancel an order that is
 * still `received`, confirmed in a second step. The cancel is the same compare-and-set change as
 * the staff's, so a customer and a staff member acting at once cannot both win.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { CommandName } from '../commands.ts';
import { ownReference } from '../order/fields.ts';
import { changeJobs } from '../order/lifecycle.ts';
import {
  cancelledByCustomerText,
  cannotCancelText,
  confirmCancelText,
  myOrdersHeading,
} from '../order/texts.ts';
import { discordText, myCancelButtons, myOrdersMessage, OrderIds } from '../order/ui.ts';
import type { OrderRepository, StoredOrder } from '../store/engine.ts';
import type { OutboxWorker } from '../store/outbox.ts';
import type { Command, Component, Ctx } from './context.ts';
import { refuseOutsideShop } from './shop-only.ts';

/** Orders /my_orders shows. */
const SHOWN = 10;

/** What the /my_orders handlers use. */
export interface MyOrdersDeps {
  orders: Pick<OrderRepository, 'get' | 'list' | 'changeStatus'>;
  outbox: Pick<OutboxWorker, 'notify'>;
  mailEnabled: boolean;
  onStatusChanged?: () => void;
}

/** Creates `/my_orders`. */
export function createMyOrders(deps: MyOrdersDeps): Command {
  return {
    kind: 'command',
    name: CommandName.MyOrders,
    async run(ctx) {
      const refused = refuseOutsideShop(ctx);
      if (refused) return refused;
      const { userId, respond, config, t } = ctx;
      const orders = userId ? await deps.orders.list({ userId, limit: SHOWN }) : [];
      const shown = orders.filter((order) => order.purgedAt === null);
      if (shown.length === 0)
        return respond.reply({ content: t('no_orders'), flags: MessageFlags.Ephemeral });
      const { content, components } = myOrdersMessage(t, shown, config.order_reference_format);
      return respond.reply({
        content: `${myOrdersHeading(t, shown.length)}\n${content}`.slice(0, 2000),
        components,
        flags: MessageFlags.Ephemeral,
        allowed_mentions: { parse: [] },
      });
    },
  };
}

/** The member's own order named by the custom_id, or undefined (someone else's is as good as missing). */
async function ownOrder(ctx: Ctx<unknown>, deps: MyOrdersDeps): Promise<StoredOrder | undefined> {
  const id = Number(ctx.args[0]);
  if (!Number.isSafeInteger(id) || id <= 0 || !ctx.userId) return undefined;
  const order = await deps.orders.get(id);
  return order && order.userId === ctx.userId && order.purgedAt === null ? order : undefined;
}

/**
 * The member's own order of the custom_id while it can still be cancelled (`received`); else the
 * member is answered (outside the shop, or why it cannot be cancelled) and undefined returned.
 */
async function cancellableOrder(ctx: Ctx<unknown>, deps: MyOrdersDeps): Promise<StoredOrder | undefined> {
  const refused = refuseOutsideShop(ctx);
  if (refused) {
    await refused;
    return undefined;
  }
  const order = await ownOrder(ctx, deps);
  if (order?.lifecycle === 'received') return order;
  await ctx.respond.update({ content: cannotCancelText(ctx.t, order?.lifecycle), components: [] });
  return undefined;
}

const reference = (ctx: Ctx<unknown>, order: StoredOrder) =>
  discordText(ownReference(order.id, ctx.config.order_reference_format), 50);

/** Creates the first step of a customer's cancel: `my_order_cancel:<order id>` asks again. */
export function createMyCancel(deps: MyOrdersDeps): Component {
  return {
    kind: 'component',
    prefix: OrderIds.MyCancel,
    async run(ctx) {
      const order = await cancellableOrder(ctx, deps);
      if (!order) return;
      return ctx.respond.update({
        content: confirmCancelText(ctx.t, reference(ctx, order)),
        components: myCancelButtons(ctx.t, order.id),
      });
    },
  };
}

/** Creates the confirmed cancel: `my_order_confirm:<order id>`. */
export function createMyConfirm(deps: MyOrdersDeps): Component {
  return {
    kind: 'component',
    prefix: OrderIds.MyConfirm,
    async run(ctx) {
      const order = await cancellableOrder(ctx, deps);
      if (!order) return;
      const result = await deps.orders.changeStatus(
        {
          orderId: order.id,
          from: 'received',
          to: 'cancelled',
          actor: ctx.userId,
          at: ctx.clock(),
          reason: ctx.t('customer_cancel_reason'),
        },
        changeJobs({ config: ctx.config, mailEnabled: deps.mailEnabled }),
      );
      if (!result.ok) {
        return ctx.respond.update({
          content: cannotCancelText(ctx.t, result.reason === 'stale' ? result.order.lifecycle : undefined),
          components: [],
        });
      }
      deps.outbox.notify();
      deps.onStatusChanged?.();
      ctx.log.info('order.status_changed', { order_id: order.id, from: 'received', to: 'cancelled' });
      return ctx.respond.update({
        content: cancelledByCustomerText(ctx.t, reference(ctx, order)),
        components: [],
      });
    },
  };
}

/** Creates "Keep it": `my_order_keep`. */
export function createMyKeep(): Component {
  return {
    kind: 'component',
    prefix: OrderIds.MyKeep,
    async run(ctx) {
      return ctx.respond.update({ content: ctx.t('kept'), components: [] });
    },
  };
}
