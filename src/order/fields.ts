/**
 * @module order/fields
 * An order as the form took it: the customer's address and one value per field key (the shop's
 * form, `order/form.ts`, names the keys), and how a session's accepted steps become one.
 */
import type { FormField, OrderForm } from './form.ts';

/**
 * A completed order: every field of its form as accepted (trimmed; a checkbox group's choices one
 * a line), by key, and the customer's email address.
 */
export interface Order {
  readonly email: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Values a customer typed into one step, by field key. */
export type StepValues = Partial<Record<string, string>>;

/** Whether `step` is a step number (1-based) of `form`. */
export function isStep(form: OrderForm, step: number): boolean {
  return Number.isInteger(step) && step >= 1 && step <= form.steps.length;
}

/** What {@link sessionFields} reads of a session: the address and the accepted values of each step. */
export interface CompletedSteps {
  readonly email: string;
  readonly accepted: Readonly<Partial<Record<number, Readonly<Partial<Record<string, string>>>>>>;
}

/**
 * The order as typed, from its fields by key (a stored order's, or a session's merged steps) and
 * the address: every field of `form` (a missing one is empty), then any other stored key (an
 * order taken under an older form keeps its own fields). The one way an {@link Order} is made.
 */
export function toOrder(
  fields: Readonly<Partial<Record<string, string>>>,
  email: string,
  form: OrderForm,
): Order {
  const known: Record<string, string> = {};
  for (const field of form.fields) known[field.key] = fields[field.key] ?? '';
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in known) && typeof value === 'string') known[key] = value;
  }
  return { email, fields: known };
}

/** A session's accepted steps merged into one record of fields (for {@link toOrder}). */
export function sessionFields(session: Pick<CompletedSteps, 'accepted'>): Partial<Record<string, string>> {
  return Object.assign({}, ...Object.values(session.accepted));
}

/** The first step (1-based) whose values are not accepted yet (the last when all are). */
export function firstMissingStep(session: Pick<CompletedSteps, 'accepted'>, steps: number): number {
  for (let step = 1; step <= steps; step++) if (!session.accepted[step]) return step;
  return steps;
}

/** Splits a checkbox group's stored value (one choice a line) into its choices. */
export function choicesOf(value: string): string[] {
  return value.split('\n').filter((choice) => choice !== '');
}

/**
 * A field's value as people read it: a choice in the form's language (see `formIn`), a checkbox
 * group's choices separated by commas.
 */
export function shownValue(
  field: (Pick<FormField, 'type'> & Partial<Pick<FormField, 'options' | 'optionLabels'>>) | undefined,
  value: string,
): string {
  const label = (choice: string) => {
    const at = field?.options?.indexOf(choice) ?? -1;
    return at >= 0 ? (field?.optionLabels?.[at] ?? choice) : choice;
  };
  if (field?.type === 'checkboxes') return choicesOf(value).map(label).join(', ');
  return field?.type === 'select' || field?.type === 'radio' ? label(value) : value;
}

/**
 * The order's reference as the shop and customer see it: the order number the customer gave when
 * the form asks for one, else the bot's own (`order_reference_format`, `{id}` the order ID).
 */
export function orderReference(order: Order, orderId: number, format: string): string {
  return order.fields.order_number || ownReference(orderId, format);
}

/** The bot's own reference of an order (`order_reference_format`, default `#{id}`). */
export function ownReference(orderId: number, format: string): string {
  return format.replaceAll('{id}', String(orderId));
}
