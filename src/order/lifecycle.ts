/**
 * @module order/lifecycle
 * The rules of an order's life after it is taken: which status may follow which, which buttons
 * the staff post carries in each, who counts as staff, and the notification jobs a change commits
 * with it (the customer's status email and direct message, the staff post's edit, the webhook).
 * The store applies a change as a compare-and-set; what is allowed is decided here.
 */
import { randomUUID } from 'node:crypto';
import type { BotConfig } from '../config.ts';
import type { ChangeJobs, LifecycleStatus, NewJob, OrderEvent, StoredOrder } from '../store/engine.ts';

/** The job kinds a status change (or a new order, for the webhook) commits. */
export const LifecycleJob = {
  /** The customer's email for the new status (`status_email_<status>.json`). */
  StatusEmail: 'status_email',
  /** The customer's direct message in Discord. */
  Dm: 'status_dm',
  /** The staff post, edited to show the status, who changed it and the buttons that now apply. */
  StaffEdit: 'staff_post_edit',
  /** `order.created` or `order.status_changed`, POSTed to `webhook_url`. */
  Webhook: 'webhook',
} as const;

/** Where each status may go. `cancelled` is possible from any status before `delivered`. */
const NEXT: Readonly<Record<LifecycleStatus, readonly LifecycleStatus[]>> = {
  received: ['accepted', 'cancelled'],
  accepted: ['shipped', 'cancelled'],
  shipped: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};

/** Whether an order in `from` may move to `to`. */
export function canMove(from: LifecycleStatus, to: LifecycleStatus): boolean {
  return NEXT[from].includes(to);
}

/** What a staff button does. */
export type StaffAction = 'accept' | 'ship' | 'deliver' | 'cancel';

/** The status each action moves an order to. */
export const ACTION_TARGET: Readonly<Record<StaffAction, LifecycleStatus>> = {
  accept: 'accepted',
  ship: 'shipped',
  deliver: 'delivered',
  cancel: 'cancelled',
};

/** The buttons the staff post carries in each status (shipped orders are cancelled from the CLI). */
const ACTIONS: Readonly<Record<LifecycleStatus, readonly StaffAction[]>> = {
  received: ['accept', 'cancel'],
  accepted: ['ship', 'cancel'],
  shipped: ['deliver'],
  delivered: [],
  cancelled: [],
};

/** The staff actions that apply to an order in `status`. */
export function staffActions(status: LifecycleStatus): readonly StaffAction[] {
  return ACTIONS[status];
}

/** Whether `value` names a staff action. */
export function isStaffAction(value: string): value is StaffAction {
  return Object.hasOwn(ACTION_TARGET, value);
}

/** Whether `value` names a lifecycle status. */
export function isLifecycleStatus(value: string): value is LifecycleStatus {
  return Object.hasOwn(NEXT, value);
}

/** Discord's Administrator and Manage Server permission bits. */
const ADMINISTRATOR = 0x8n;
const MANAGE_GUILD = 0x20n;

/**
 * Whether a member may act on orders: Administrator or Manage Server in the interaction's
 * `member.permissions` (Discord computes them for the channel), or a role in `staff_role_ids`.
 */
export function isStaff(
  member: { permissions?: string | undefined; roles?: readonly string[] | undefined } | undefined,
  staffRoleIds: readonly string[],
): boolean {
  if (!member) return false;
  let bits = 0n;
  try {
    bits = BigInt(member.permissions ?? '0');
  } catch {
    // not a number: no permissions
  }
  if ((bits & (ADMINISTRATOR | MANAGE_GUILD)) !== 0n) return true;
  return (member.roles ?? []).some((role) => staffRoleIds.includes(role));
}

/** Longest tracking number, tracking URL and reason kept (Discord's text input caps them too). */
export const LIMITS = { trackingNumber: 100, trackingUrl: 500, reason: 500 } as const;

/** What a notification job keeps of the change that made it (so it says what happened then). */
export interface ChangeSnapshot {
  event_id: number;
  from: LifecycleStatus;
  to: LifecycleStatus;
  /** A Discord user ID, or `cli`. */
  by: string;
  at: number;
  tracking_number: string | null;
  tracking_url: string | null;
  reason: string | null;
  note: string | null;
}

/** The payload of a webhook job. */
export interface WebhookPayload {
  event: 'order.created' | 'order.status_changed';
  /** The same on every try of this delivery (receivers deduplicate by it). */
  delivery_id: string;
  at: number;
  change?: ChangeSnapshot;
}

/** The payload of a status email or DM job. */
export interface NotificationPayload {
  change: ChangeSnapshot;
}

/** The event as kept in job payloads. */
export function snapshotOf(event: OrderEvent): ChangeSnapshot {
  return {
    event_id: event.id,
    from: event.from,
    to: event.to,
    by: event.actor,
    at: event.at,
    tracking_number: event.trackingNumber,
    tracking_url: event.trackingUrl,
    reason: event.reason,
    note: event.note,
  };
}

/** The webhook job of a new order, when `webhook_url` is set. */
export function createdWebhookJob(config: Pick<BotConfig, 'webhook_url'>, at: number): NewJob[] {
  if (!config.webhook_url) return [];
  const payload: WebhookPayload = { event: 'order.created', delivery_id: randomUUID(), at };
  return [{ kind: LifecycleJob.Webhook, payload, affectsStatus: false }];
}

/**
 * The jobs a status change commits: the customer's email (when mail is on and the order has an
 * address) and DM, the staff post's edit (when there is a staff channel), the webhook (when set).
 */
export function changeJobs(options: {
  config: Pick<BotConfig, 'webhook_url' | 'orders_channel_id'>;
  mailEnabled: boolean;
}): ChangeJobs {
  return (order: StoredOrder, event: OrderEvent) => {
    const change = snapshotOf(event);
    const jobs: NewJob[] = [];
    const notification: NotificationPayload = { change };
    if (options.mailEnabled && order.email)
      jobs.push({ kind: LifecycleJob.StatusEmail, payload: notification });
    if (order.userId) jobs.push({ kind: LifecycleJob.Dm, payload: notification });
    if (options.config.orders_channel_id) jobs.push({ kind: LifecycleJob.StaffEdit });
    if (options.config.webhook_url) {
      const payload: WebhookPayload = {
        event: 'order.status_changed',
        delivery_id: randomUUID(),
        at: event.at,
        change,
      };
      jobs.push({ kind: LifecycleJob.Webhook, payload });
    }
    return jobs;
  };
}
