import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EN } from '../../src/i18n/translate.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';
import { isCalendarDate, isHttpUrl, isPrice, validateStep as validate } from '../../src/order/validate.ts';

/** A step of the shipped form (1-based, as the customer sees it). */
const validateStep = (step: number, typed: Record<string, string>) => validate(DEFAULT_FORM, step - 1, typed);

const STEP1 = {
  order_number: 'ORD-12345',
  estimated_arrival_start_date: '2025-03-10',
  estimated_arrival_end_date: '2025-03-14',
  product_image_url: 'https://example.com/shoe.jpg',
  product_name: 'Runner 2',
};

test('a valid step passes with trimmed values', () => {
  const result = validateStep(1, { ...STEP1, product_name: '  Runner 2  ' });
  assert.ok(result.ok);
  assert.equal(result.values.product_name, 'Runner 2');
});

test('every problem of a step comes back at once, one per field, in form order', () => {
  const result = validateStep(1, {
    order_number: '   ',
    estimated_arrival_start_date: '2025-02-30',
    estimated_arrival_end_date: '14/03/2025',
    product_image_url: 'javascript:alert(1)',
    product_name: 'x'.repeat(101),
  });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((p) => [p.key, EN(p.message, p.params)]),
    [
      ['order_number', 'is required'],
      ['estimated_arrival_start_date', 'must be a real date written YYYY-MM-DD, for example 2025-03-14'],
      ['estimated_arrival_end_date', 'must be a real date written YYYY-MM-DD, for example 2025-03-14'],
      ['product_image_url', 'must be a web address starting with http:// or https://'],
      ['product_name', 'is too long: at most 100 characters'],
    ],
  );
});

test('the end date may not be before the start date', () => {
  const result = validateStep(1, { ...STEP1, estimated_arrival_end_date: '2025-03-01' });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((p) => ({ key: p.key, label: p.label, message: EN(p.message, p.params) })),
    [
      {
        key: 'estimated_arrival_end_date',
        label: 'Arrival End',
        message: 'must not be before Arrival Start',
      },
    ],
  );
  assert.ok(validateStep(1, { ...STEP1, estimated_arrival_end_date: STEP1.estimated_arrival_start_date }).ok);
});

test('missing inputs count as blank', () => {
  const result = validateStep(2, {});
  assert.ok(!result.ok);
  assert.equal(result.problems.length, 5);
});

test('notes are optional, the address is not', () => {
  assert.ok(validateStep(3, { shipping_address: '1 Main St' }).ok);
  const result = validateStep(3, { shipping_address: '', notes: 'n'.repeat(1001) });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((p) => p.key),
    ['shipping_address', 'notes'],
  );
});

test('calendar dates', () => {
  assert.ok(isCalendarDate('2024-02-29'));
  assert.ok(!isCalendarDate('2023-02-29'));
  assert.ok(!isCalendarDate('2025-13-01'));
  assert.ok(!isCalendarDate('2025-1-01'));
  assert.ok(!isCalendarDate('tomorrow'));
});

test('image URLs must be http(s)', () => {
  assert.ok(isHttpUrl('https://cdn.example.com/a.png?x=1'));
  assert.ok(isHttpUrl('http://example.com/a.png'));
  for (const bad of [
    'ftp://x/a',
    'javascript:alert(1)',
    'data:image/png;base64,AA',
    'example.com/a.png',
    'https://exa mple.com',
  ]) {
    assert.ok(!isHttpUrl(bad), bad);
  }
});

test('prices', () => {
  for (const good of [
    '$150.00',
    '150',
    '€99,99',
    '150 USD',
    'USD 150',
    '1,299.99',
    '£5',
    '99.5',
    '1 299,00 €',
  ]) {
    assert.ok(isPrice(good), good);
  }
  for (const bad of ['free', '$', '-5', '150$USD', '$150 USD', '1.2.3', '12.3456', 'abc 150']) {
    assert.ok(!isPrice(bad), bad);
  }
});
