/** A complete order as a customer would type it. */
import type { Order } from '../../src/order/fields.ts';

export const SAMPLE: Order = {
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
