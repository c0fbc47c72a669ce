/**
 * @module order/sample
 * A complete sample order for a form, used to preview and test the confirmation email.
 */
import type { Order } from './fields.ts';
import type { FormField, OrderForm } from './form.ts';

/** A plausible order of the shipped form, as a customer would type it. */
export const SAMPLE_ORDER: Order = {
  email: 'customer@example.com',
  fields: {
    order_number: 'ORD-12345',
    estimated_arrival_start_date: '2025-03-10',
    estimated_arrival_end_date: '2025-03-14',
    product_image_url: 'https://example.com/shoe.jpg',
    product_name: 'Runner 2',
    style_id: 'STY-789',
    product_size: '10',
    product_condition: 'New',
    purchase_price: '$150.00',
    color: 'Black',
    shipping_address: '123 Main St\nSpringfield, IL 62701',
    notes: 'Leave at the door',
  },
};

/** A valid sample answer to one field (`today` as YYYY-MM-DD for dates). */
function sampleValue(field: FormField, today: string): string {
  switch (field.type) {
    case 'email':
      return 'customer@example.com';
    case 'url':
      return 'https://example.com/';
    case 'date':
      return today;
    case 'number':
      return String(field.min ?? 1);
    case 'price':
      return '$25.00';
    case 'select':
    case 'radio':
      return field.options[0]!;
    case 'checkboxes':
      return field.options.slice(0, Math.max(1, field.min ?? 1)).join('\n');
    case 'paragraph':
      return `Sample ${field.label.toLowerCase()}\nsecond line`.slice(0, field.maxLength);
    default:
      return field.placeholder ?? `Sample ${field.label.toLowerCase()}`.slice(0, field.maxLength);
  }
}

/** A sample order of `form`: the shipped sample for the shipped form, else a valid answer to every field. */
export function sampleOrder(form: OrderForm, now = Date.now()): Order {
  if (form.isDefault) return SAMPLE_ORDER;
  const today = new Date(now).toISOString().slice(0, 10);
  return {
    email: SAMPLE_ORDER.email,
    fields: Object.fromEntries(form.fields.map((field) => [field.key, sampleValue(field, today)])),
  };
}
