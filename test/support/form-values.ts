/**
 * @module test/support/form-values
 * Answers to any form at its limits, for benchmarks and tests: free text at `max_length` in CJK (2
 * bytes a character in V8), the longest choice, every checkbox allowed, and valid values where a
 * format is checked.
 */
import type { FormField, OrderForm } from '../../src/order/form.ts';

/** A value of `length` UTF-16 units in CJK text, unique to customer `n`. */
export const cjk = (n: number, length: number) => `${n}界`.repeat(length).slice(0, length);

/** The most a field can hold that still passes validation. */
export function longestValue(field: FormField, n: number): string | string[] {
  switch (field.type) {
    case 'email':
      return `c${n}@example.com`;
    case 'url':
      return `https://cdn.example.com/${n}/${'p'.repeat(field.maxLength)}`.slice(0, field.maxLength);
    case 'date':
      return '2030-03-14';
    case 'number':
      return String(field.max ?? field.min ?? 1);
    case 'price':
      return '$150.00';
    case 'select':
    case 'radio':
      return field.options.reduce((a, b) => (b.length > a.length ? b : a));
    case 'checkboxes':
      return field.options.slice(0, field.max ?? field.options.length);
    default:
      return cjk(n, field.maxLength);
  }
}

/** Every step of `form` answered at its limits, for customer `n`. */
export function longestAnswers(form: OrderForm, n: number): Record<string, string | string[]>[] {
  return form.steps.map((step) =>
    Object.fromEntries(step.fields.map((field) => [field.key, longestValue(field, n)])),
  );
}
