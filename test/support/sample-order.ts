import type { Order } from '../../src/order/fields.ts';
import { SAMPLE_ORDER } from '../../src/order/sample.ts';

/** A complete order of the shipped form as a customer would type it (the one the preview CLI uses). */
export const SAMPLE = SAMPLE_ORDER;

/** {@link SAMPLE} with some fields replaced. */
export function sampleWith(fields: Readonly<Record<string, string>>): Order {
  return { ...SAMPLE, fields: { ...SAMPLE.fields, ...fields } };
}
