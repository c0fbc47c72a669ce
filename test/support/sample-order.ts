/** A complete order as a customer would type it (the one the preview CLI uses). */
export { SAMPLE_ORDER as SAMPLE } from '../../src/order/sample.ts';
