/**
 * @module handlers
 * The static registry: every handler created explicitly with what it uses; the router refuses a
 * duplicate key at start-up.
 */
import type { GatewayStatus } from '../gateway/status.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Metrics, OpsSnapshot } from '../metrics.ts';
import type { Handler } from '../router/router.ts';
import type { OrderRepository } from '../store/engine.ts';
import type { MailCaps, OrderLimits } from '../store/limits.ts';
import type { OutboxWorker } from '../store/outbox.ts';
import type { SessionStore } from '../store/sessions.ts';
import type { AppContext } from './context.ts';
import { createMyCancel, createMyConfirm, createMyKeep, createMyOrders } from './my-orders.ts';
import { createCancelOrder, createOpenStep } from './order-buttons.ts';
import { createOrderForm } from './order-form.ts';
import { createOrderModal } from './order-modal.ts';
import { createPing } from './ping.ts';
import { createRunDiagnostics } from './run-diagnostics.ts';
import { createStaffButton, createStaffDrafts, createStaffModal } from './staff-actions.ts';

/** Everything the handlers use, built by the composition. */
export interface HandlerDeps {
  gateway: GatewayStatus;
  metrics: Metrics;
  /** The operations snapshot, for /run_diagnostics. */
  snapshot: () => Promise<OpsSnapshot>;
  sessions: SessionStore;
  limits: OrderLimits;
  mailCaps: MailCaps;
  mailer: Mailer;
  orders: OrderRepository;
  outbox: OutboxWorker;
  crashPoint: (name: string) => void;
}

/** Every handler the bot has. */
export function createHandlers(deps: HandlerDeps): Handler<AppContext>[] {
  return [
    createPing(deps),
    createRunDiagnostics(deps),
    createOrderForm(deps),
    createOpenStep(deps),
    createCancelOrder(deps),
    createOrderModal({
      ...deps,
      mailEnabled: deps.mailer.enabled,
      onEmailRefused: () => deps.metrics.count('emails_refused'),
    }),
    ...lifecycleHandlers(deps),
  ];
}

/** The handlers of an order's life after it is taken: the staff post's buttons and /my_orders. */
function lifecycleHandlers(deps: HandlerDeps): Handler<AppContext>[] {
  const shared = {
    orders: deps.orders,
    outbox: deps.outbox,
    mailEnabled: deps.mailer.enabled,
    onStatusChanged: () => deps.metrics.count('status_changes'),
  };
  const drafts = createStaffDrafts(Date.now);
  return [
    createStaffButton({ ...shared, drafts, crashPoint: deps.crashPoint }),
    createStaffModal({ ...shared, drafts }),
    createMyOrders(shared),
    createMyCancel(shared),
    createMyConfirm(shared),
    createMyKeep(),
  ];
}
