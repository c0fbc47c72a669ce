/**
 * @module handlers/staff-actions
 * The buttons on the staff post (Accept, Mark shipped, Mark delivered, Cancel order) and the two
 * modals they open (tracking for Mark shipped, a reason for Cancel order). Only staff may use them
 * (Manage Server or Administrator, or a role in `staff_role_ids`), checked on the button and again
 * on the modal submit (a forged submit needs no button). Each change is a compare-and-set on the
 * status the post showed: when two staff press at once one change wins, and the other is told.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { ownReference } from '../order/fields.ts';
import {
  ACTION_TARGET,
  canMove,
  changeJobs,
  isLifecycleStatus,
  isStaff,
  isStaffAction,
  LIMITS,
  type StaffAction,
} from '../order/lifecycle.ts';
import { alreadyChangedText, badTrackingUrlText, changedText } from '../order/texts.ts';
import { discordText, fixButton, modalText, OrderIds, staffModal } from '../order/ui.ts';
import { isHttpUrl } from '../order/validate.ts';
import type { LifecycleStatus, OrderRepository, StatusChange, StoredOrder } from '../store/engine.ts';
import type { OutboxWorker } from '../store/outbox.ts';
import { type Component, type Ctx, type Modal, openModal } from './context.ts';
import { refuseOutsideShop } from './shop-only.ts';

/** Most staff drafts kept at once, and for how long (a bad tracking link to fix). */
const DRAFTS = { max: 200, ttlMs: 15 * 60_000 } as const;

/**
 * What a staff member typed into Mark shipped when it was refused (a tracking link that is not a
 * web address), kept in this process so that "Fix the tracking link" reopens the form prefilled.
 * Bounded and short-lived; a press that reaches another process opens it empty.
 */
export interface StaffDrafts {
  put(userId: string, orderId: number, values: Readonly<Record<string, string>>): void;
  /** The draft, removed; undefined when there is none (or it expired). */
  take(userId: string, orderId: number): Readonly<Record<string, string>> | undefined;
}

/** Creates the drafts (`now` from the bot's clock). */
export function createStaffDrafts(now: () => number): StaffDrafts {
  const drafts = new Map<string, { values: Readonly<Record<string, string>>; at: number }>();
  return {
    put(userId, orderId, values) {
      const key = `${userId}:${orderId}`;
      drafts.delete(key);
      drafts.set(key, { values, at: now() });
      // The oldest goes first (a Map keeps insertion order).
      while (drafts.size > DRAFTS.max) drafts.delete(drafts.keys().next().value as string);
    },
    take(userId, orderId) {
      const key = `${userId}:${orderId}`;
      const draft = drafts.get(key);
      drafts.delete(key);
      return draft && now() - draft.at <= DRAFTS.ttlMs ? draft.values : undefined;
    },
  };
}

/** What the staff handlers use. */
export interface StaffActionDeps {
  /** What a refused Mark shipped kept, to prefill its retry. */
  drafts: StaffDrafts;
  orders: Pick<OrderRepository, 'get' | 'changeStatus'>;
  outbox: Pick<OutboxWorker, 'notify'>;
  /** Whether status emails can be sent (SENDER_EMAIL is set). */
  mailEnabled: boolean;
  /** Told of each change committed (for the counters). */
  onStatusChanged?: () => void;
  /** Test crash points (see `faults.ts`): `after_status_change`, right after a change commits. */
  crashPoint?: (name: string) => void;
}

/** The parts of a staff custom_id: action, order and the status the post showed. */
interface Target {
  action: StaffAction;
  orderId: number;
  from: LifecycleStatus;
}

const reply = (ctx: Ctx<unknown>, content: string) =>
  ctx.respond.reply({ content, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } });

/**
 * Checks everything before a change: where it was pressed (the staff channel, or one of the shop's
 * servers), staff, a well-formed target, an order of this server (any order of the shop in the
 * staff channel). Answers and returns undefined when something fails.
 */
async function admit(
  ctx: Ctx<unknown>,
  deps: StaffActionDeps,
): Promise<{ target: Target; order: StoredOrder } | undefined> {
  const { args, log, config } = ctx;
  // The staff post lives in orders_channel_id, which may be in another server than the orders
  // (a shop with several servers in allowed_guild_ids, or a staff-only server): there, every order
  // of the shop may be acted on. Elsewhere only the shop's servers, and their own orders.
  const channel = (ctx.interaction as { channel?: { id?: string }; channel_id?: string }).channel;
  const channelId = channel?.id ?? (ctx.interaction as { channel_id?: string }).channel_id;
  const inStaffChannel = config.orders_channel_id !== undefined && channelId === config.orders_channel_id;
  const refused = inStaffChannel ? undefined : refuseOutsideShop(ctx);
  if (refused) {
    await refused;
    return undefined;
  }
  const member = (ctx.interaction as { member?: { permissions?: string; roles?: string[] } }).member;
  if (!isStaff(member, config.staff_role_ids)) {
    log.warn('staff.denied', { action: args[0]?.slice(0, 20) });
    await reply(ctx, ctx.t('not_staff'));
    return undefined;
  }
  const [action = '', id = '', from = ''] = args;
  const orderId = Number(id);
  if (!isStaffAction(action) || !isLifecycleStatus(from) || !Number.isSafeInteger(orderId) || orderId <= 0) {
    log.warn('staff.bad_custom_id', {});
    await reply(ctx, ctx.t('expired'));
    return undefined;
  }
  const order = await deps.orders.get(orderId);
  // Outside the staff channel, an order of another server (a forged custom_id) is as good as missing.
  if (!order || order.purgedAt !== null || (!inStaffChannel && order.guildId !== ctx.guildId)) {
    await reply(ctx, ctx.staffT('order_not_found'));
    return undefined;
  }
  return { target: { action, orderId, from }, order };
}

/** Applies a change and answers the staff member. */
async function apply(
  ctx: Ctx<unknown>,
  deps: StaffActionDeps,
  order: StoredOrder,
  change: StatusChange,
): Promise<void> {
  const { config, log } = ctx;
  if (!canMove(change.from, change.to)) {
    await reply(ctx, alreadyChangedText(ctx.staffT, order.lifecycle, undefined));
    return;
  }
  const result = await deps.orders.changeStatus(
    change,
    changeJobs({ config, mailEnabled: deps.mailEnabled }),
  );
  if (!result.ok) {
    if (result.reason === 'missing') return reply(ctx, ctx.staffT('order_not_found'));
    log.info('staff.change_lost', { order_id: order.id, to: change.to, now: result.order.lifecycle });
    return reply(ctx, alreadyChangedText(ctx.staffT, result.order.lifecycle, result.last?.actor));
  }
  deps.crashPoint?.('after_status_change');
  deps.outbox.notify();
  deps.onStatusChanged?.();
  log.info('order.status_changed', { order_id: order.id, from: change.from, to: change.to });
  const reference = discordText(ownReference(order.id, config.order_reference_format), 50);
  await reply(ctx, changedText(ctx.staffT, reference, change.to));
}

/** Creates the staff buttons' handler: `order_staff:<action>:<order id>:<status shown>`. */
export function createStaffButton(deps: StaffActionDeps): Component {
  return {
    kind: 'component',
    prefix: OrderIds.Staff,
    async run(ctx) {
      const admitted = await admit(ctx, deps);
      if (!admitted) return;
      const { target, order } = admitted;
      if (order.lifecycle !== target.from) {
        return reply(ctx, alreadyChangedText(ctx.staffT, order.lifecycle, undefined));
      }
      if (target.action === 'ship' || target.action === 'cancel') {
        const reference = ownReference(order.id, ctx.config.order_reference_format);
        const prefill = target.action === 'ship' ? deps.drafts.take(ctx.userId, order.id) : undefined;
        return openModal(
          ctx,
          staffModal(ctx.staffT, target.action, order.id, target.from, reference, prefill),
        );
      }
      return apply(ctx, deps, order, {
        orderId: order.id,
        from: target.from,
        to: ACTION_TARGET[target.action],
        actor: ctx.userId,
        at: ctx.clock(),
      });
    },
  };
}

/** Creates the staff modals' handler: `order_staff_modal:<ship|cancel>:<order id>:<status shown>`. */
export function createStaffModal(deps: StaffActionDeps): Modal {
  return {
    kind: 'modal',
    prefix: OrderIds.StaffModal,
    async run(ctx) {
      const admitted = await admit(ctx, deps);
      if (!admitted) return;
      const { target, order } = admitted;
      const data = ctx.interaction.data;
      const change: StatusChange = {
        orderId: order.id,
        from: target.from,
        to: ACTION_TARGET[target.action],
        actor: ctx.userId,
        at: ctx.clock(),
      };
      if (target.action === 'ship') {
        const trackingNumber = modalText(data, 'tracking_number', LIMITS.trackingNumber);
        const trackingUrl = modalText(data, 'tracking_url', LIMITS.trackingUrl);
        if (trackingUrl && !isHttpUrl(trackingUrl)) {
          deps.drafts.put(ctx.userId, order.id, {
            tracking_number: trackingNumber,
            tracking_url: trackingUrl,
          });
          return ctx.respond.reply({
            content: badTrackingUrlText(ctx.staffT),
            components: fixButton(ctx.staffT, order.id, target.from),
            flags: MessageFlags.Ephemeral,
          });
        }
        if (trackingNumber) change.trackingNumber = trackingNumber;
        if (trackingUrl) change.trackingUrl = trackingUrl;
      } else if (target.action === 'cancel') {
        const reason = modalText(data, 'reason', LIMITS.reason);
        if (!reason) return reply(ctx, ctx.staffT('reason_required'));
        change.reason = reason;
      } else {
        // Accept and Mark delivered open no modal: a submit naming them is forged.
        ctx.log.warn('staff.bad_custom_id', {});
        return reply(ctx, ctx.t('expired'));
      }
      return apply(ctx, deps, order, change);
    },
  };
}
