/**
 * @module order/sample
 * A complete sample order, used to preview and test the confirmation email.
 */
import type { Order } from './fields.ts';

/** A plausible order as a customer would type it. */
export const SAMPLE_ORDER: Order = {
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
  email: 'customer@example.com',
};
