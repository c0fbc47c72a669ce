/**
 * @module store/rows
 * Rows of the orders and jobs tables as the store's types, for every engine (SQLite and PostgreSQL
 * store the same columns; PostgreSQL hands BIGINT columns over as strings). A damaged value reads as
 * none, or marks the job `damaged`, so one bad row never stops a list, an export or the outbox.
 */

/** Where an order stands: jobs outstanding, one failed, or all delivered. */
export type OrderStatus = 'pending' | 'sent' | 'failed';
/**
 * Where an order is in its life, set by the staff (or the owner's CLI): separate from
 * {@link OrderStatus}, which says whether its email and staff post went out.
 */
export type LifecycleStatus = 'received' | 'accepted' | 'shipped' | 'delivered' | 'cancelled';

/** Every lifecycle status, in order. */
export const LIFECYCLE_STATUSES: readonly LifecycleStatus[] = [
  'received',
  'accepted',
  'shipped',
  'delivered',
  'cancelled',
];

/** One change of an order's lifecycle status (its history, oldest first). */
export interface OrderEvent {
  id: number;
  orderId: number;
  at: number;
  /** A Discord user ID, or `cli`. */
  actor: string;
  from: LifecycleStatus;
  to: LifecycleStatus;
  note: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  reason: string | null;
}

/** Where a job stands. */
export type JobStatus = 'pending' | 'done' | 'failed';

/** A stored order. */
export interface StoredOrder {
  /** The bot's own order ID: unique, even when two customers type the same order number. */
  id: number;
  orderNumber: string;
  userId: string;
  guildId: string | null;
  email: string;
  fields: Record<string, string>;
  /** The form it was taken under (see {@link OrderStore.formDefinition}); null: the shipped form of 0.2. */
  formId: string | null;
  /** The customer's language (a Discord locale code); null: an order from before 0.3 (the default language). */
  language: string | null;
  status: OrderStatus;
  /** Where the order is in its life (see {@link LifecycleStatus}). */
  lifecycle: LifecycleStatus;
  /** When the lifecycle status last changed, else null. */
  lifecycleAt: number | null;
  /** The latest tracking number and address given when it was shipped, else null. */
  trackingNumber: string | null;
  trackingUrl: string | null;
  createdAt: number;
  /** When personal data was removed (`purge`), else null. */
  purgedAt: number | null;
  /** Why no confirmation email was sent although mail is on (a cap's wording), else null. */
  emailRefused: string | null;
}

/** A stored job. */
export interface StoredJob {
  id: number;
  orderId: number;
  kind: string;
  status: JobStatus;
  afterJob: number | null;
  attempts: number;
  nextAt: number;
  reason: string | null;
  detail: string | null;
  payload: unknown;
  result: string | null;
  createdAt: number;
  updatedAt: number;
  /** When the latest try began ({@link OrderStore.markStarted}), else null. */
  startedAt: number | null;
  /** Why the row could not be read in full (its payload is not JSON), else null. */
  damaged: string | null;
}

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

export const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const str = (value: unknown) => (value === null || value === undefined ? null : String(value));
export const num = (value: unknown) => Number(value);

export function readOrderRow(row: Row): StoredOrder {
  return {
    id: num(row.id),
    orderNumber: String(row.order_number),
    userId: String(row.user_id),
    guildId: str(row.guild_id),
    email: String(row.email),
    fields: readFields(row.fields),
    formId: str(row.form_id),
    language: str(row.language),
    status: String(row.status) as OrderStatus,
    lifecycle: readLifecycle(row.lifecycle),
    lifecycleAt: row.lifecycle_at === null || row.lifecycle_at === undefined ? null : num(row.lifecycle_at),
    trackingNumber: str(row.tracking_number),
    trackingUrl: str(row.tracking_url),
    createdAt: num(row.created_at),
    purgedAt: row.purged_at === null ? null : num(row.purged_at),
    emailRefused: str(row.email_refused),
  };
}

/** A stored lifecycle status; anything else (a hand edit) reads as `received`. */
export function readLifecycle(value: unknown): LifecycleStatus {
  return LIFECYCLE_STATUSES.includes(value as LifecycleStatus) ? (value as LifecycleStatus) : 'received';
}

/** A status change as an `order_events` row is written from it (both engines). */
export interface EventInput {
  orderId: number;
  at: number;
  actor: string;
  from: string;
  to: string;
  note?: string | undefined;
  trackingNumber?: string | undefined;
  trackingUrl?: string | undefined;
  reason?: string | undefined;
}

/**
 * The values of an `order_events` INSERT, in its column order: order_id, at, actor, from_status,
 * to_status, note, tracking_number, tracking_url, reason.
 */
export function eventValues(change: EventInput): (string | number | null)[] {
  return [
    change.orderId,
    change.at,
    change.actor,
    change.from,
    change.to,
    change.note ?? null,
    change.trackingNumber ?? null,
    change.trackingUrl ?? null,
    change.reason ?? null,
  ];
}

/** An `order_events` row as an {@link OrderEvent}. */
export function readEventRow(row: Row): OrderEvent {
  return {
    id: num(row.id),
    orderId: num(row.order_id),
    at: num(row.at),
    actor: String(row.actor),
    from: readLifecycle(row.from_status),
    to: readLifecycle(row.to_status),
    note: str(row.note),
    trackingNumber: str(row.tracking_number),
    trackingUrl: str(row.tracking_url),
    reason: str(row.reason),
  };
}

/** An order's fields; a damaged value reads as none, so one bad row never stops a list or export. */
export function readFields(value: unknown): Record<string, string> {
  try {
    const fields = JSON.parse(String(value)) as unknown;
    return typeof fields === 'object' && fields !== null ? (fields as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function readJobRow(row: Row): StoredJob {
  let payload: unknown;
  let damaged: string | null = null;
  try {
    payload = row.payload === null ? undefined : (JSON.parse(String(row.payload)) as unknown);
  } catch (error) {
    damaged = `its payload is not JSON (${describe(error)})`;
  }
  return {
    id: num(row.id),
    orderId: num(row.order_id),
    kind: String(row.kind),
    status: String(row.status) as JobStatus,
    afterJob: row.after_job === null ? null : num(row.after_job),
    attempts: num(row.attempts),
    nextAt: num(row.next_at),
    reason: str(row.reason),
    detail: str(row.detail),
    payload,
    result: str(row.result),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    startedAt: row.started_at === null || row.started_at === undefined ? null : num(row.started_at),
    damaged,
  };
}
