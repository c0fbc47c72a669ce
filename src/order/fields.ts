/**
 * @module order/fields
 * The order form's fields, in the seed's order, with labels, placeholders and limits. One table
 * drives the modals, validation, the summary, the staff message and the plain-text email.
 */

/** Short single-line input or a multi-line paragraph. */
export type FieldStyle = 'short' | 'paragraph';

/** How a field's value is checked beyond being present and within length. */
export type FieldKind = 'text' | 'date' | 'url' | 'price';

/** One text input of the order form. */
export interface FieldSpec {
  readonly key: OrderFieldKey;
  readonly label: string;
  readonly placeholder: string;
  readonly style: FieldStyle;
  readonly required: boolean;
  readonly maxLength: number;
  readonly kind: FieldKind;
}

/** The keys of every field the customer types, which are also email template placeholders. */
export type OrderFieldKey =
  | 'order_number'
  | 'estimated_arrival_start_date'
  | 'estimated_arrival_end_date'
  | 'product_image_url'
  | 'product_name'
  | 'style_id'
  | 'product_size'
  | 'product_condition'
  | 'purchase_price'
  | 'color'
  | 'shipping_address'
  | 'notes';

/** A step of the form: 1, 2 or 3. */
export type StepNumber = 1 | 2 | 3;

/** A completed order: every field as typed (trimmed) and the customer's email address. */
export type Order = Record<OrderFieldKey, string> & { readonly email: string };

/** Values a customer typed into one step, by field key. */
export type StepValues = Partial<Record<OrderFieldKey, string>>;

const field = (
  key: OrderFieldKey,
  label: string,
  placeholder: string,
  maxLength: number,
  kind: FieldKind = 'text',
  style: FieldStyle = 'short',
  required = true,
): FieldSpec => ({ key, label, placeholder, maxLength, kind, style, required });

/** The three steps: modal title and fields. */
export const STEPS: Readonly<
  Record<StepNumber, { readonly title: string; readonly fields: readonly FieldSpec[] }>
> = {
  1: {
    title: 'Order Details - Step 1',
    fields: [
      field('order_number', 'Order Number', 'ORD-12345', 50),
      field('estimated_arrival_start_date', 'Arrival Start', 'YYYY-MM-DD', 20, 'date'),
      field('estimated_arrival_end_date', 'Arrival End', 'YYYY-MM-DD', 20, 'date'),
      field('product_image_url', 'Image URL', 'https://example.com/image.jpg', 500, 'url'),
      field('product_name', 'Product Name', 'Product Name', 100),
    ],
  },
  2: {
    title: 'Order Details - Step 2',
    fields: [
      field('style_id', 'Style ID', 'STY-789', 50),
      field('product_size', 'Product Size', '10', 20),
      field('product_condition', 'Condition', 'New', 50),
      field('purchase_price', 'Purchase Price', '$150.00', 20, 'price'),
      field('color', 'Color', 'Black', 30),
    ],
  },
  3: {
    title: 'Order Details - Step 3',
    fields: [
      field(
        'shipping_address',
        'Shipping Address',
        '123 Main St, City, State 12345',
        500,
        'text',
        'paragraph',
      ),
      field(
        'notes',
        'Additional Notes',
        'Additional delivery instructions',
        1000,
        'text',
        'paragraph',
        false,
      ),
    ],
  },
};

/** Every field, steps 1 to 3. */
export const ALL_FIELDS: readonly FieldSpec[] = [...STEPS[1].fields, ...STEPS[2].fields, ...STEPS[3].fields];

/** Whether `value` is 1, 2 or 3. */
export function isStep(value: number): value is StepNumber {
  return value === 1 || value === 2 || value === 3;
}

/** What {@link sessionFields} reads of a session: the address and the accepted values of each step. */
export interface CompletedSteps {
  readonly email: string;
  readonly accepted: Readonly<Partial<Record<number, Readonly<Partial<Record<string, string>>>>>>;
}

/**
 * The order as typed, from its fields by key (a stored order's, or a session's merged steps) and
 * the address; a missing field is empty. The one way an {@link Order} is made.
 */
export function toOrder(fields: Readonly<Partial<Record<string, string>>>, email: string): Order {
  const known = Object.fromEntries(ALL_FIELDS.map((spec) => [spec.key, fields[spec.key] ?? '']));
  return { ...(known as Record<OrderFieldKey, string>), email };
}

/** A session's accepted steps merged into one record of fields (for {@link toOrder}). */
export function sessionFields(session: CompletedSteps): Partial<Record<string, string>> {
  return { ...session.accepted[1], ...session.accepted[2], ...session.accepted[3] };
}

/** The first step whose values are not accepted yet (3 when all are). */
export function firstMissingStep(session: Pick<CompletedSteps, 'accepted'>): StepNumber {
  return ([1, 2, 3] as const).find((step) => !session.accepted[step]) ?? 3;
}
