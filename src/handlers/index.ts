/**
 * @module handlers
 * The static registry: every handler imported explicitly; a duplicate key throws at start-up.
 */
import { cancelOrder, openStep } from './order-buttons.ts';
import orderForm from './order-form.ts';
import orderModal from './order-modal.ts';
import ping from './ping.ts';
import { createRegistry } from './registry.ts';
import runDiagnostics from './run-diagnostics.ts';

/** Every handler the bot has. */
export const HANDLERS = [ping, runDiagnostics, orderForm, openStep, cancelOrder, orderModal] as const;

/** The registry the dispatcher uses. */
export const registry = createRegistry(HANDLERS);
