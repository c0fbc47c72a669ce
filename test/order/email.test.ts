import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkTemplate, escapeHtml, headerSafe, safeUrl } from '../../src/mail/template.ts';
import { PLACEHOLDERS, renderConfirmation } from '../../src/order/email.ts';
import { SAMPLE } from '../support/sample-order.ts';

const shipped = JSON.parse(readFileSync('config/email_template.json', 'utf8')) as {
  subject: string;
  html_body: string;
};

test('the shipped template shows every order field and the shop name, never another brand', () => {
  for (const name of PLACEHOLDERS.filter((p) => p !== 'current_year')) {
    assert.ok(shipped.html_body.includes(`{{${name}}}`), `missing {{${name}}}`);
  }
  assert.equal(checkTemplate(shipped, PLACEHOLDERS), undefined);
  const { html, subject, text } = renderConfirmation(shipped, SAMPLE, 'Acme Sneakers', 2026);
  assert.equal(subject, 'Your Acme Sneakers order ORD-12345 is confirmed');
  for (const value of [
    'ORD-12345',
    '2025-03-10',
    '2025-03-14',
    'Runner 2',
    'STY-789',
    'Black',
    'New',
    '$150.00',
    'Leave at the door',
    'customer@example.com',
    '© 2026 Acme Sneakers'.replace('©', '&copy;'),
  ]) {
    assert.ok(html.includes(value), `html lacks ${value}`);
  }
  assert.ok(html.includes('src="https://example.com/shoe.jpg"'));
  assert.ok(html.includes('123 Main St\nSpringfield, IL 62701'), 'the address is kept as typed (pre-line)');
  assert.match(html, /prefers-color-scheme: dark/);
  assert.match(html, /max-width: 480px/);
  assert.doesNotMatch(html, /nike|adidas|stockx|goat/i);
  assert.match(text, /Order Number: +ORD-12345/);
  assert.match(text, /Shipping Address: +123 Main St\n +Springfield, IL 62701/);
});

test('values are HTML-escaped and unsafe URLs are dropped', () => {
  const hostile = {
    ...SAMPLE,
    product_name: '<script>alert("x")</script>',
    notes: `"'><img src=x onerror=alert(1)>`,
    product_image_url: 'javascript:alert(1)',
  };
  const { html } = renderConfirmation(
    { subject: 's', html_body: '<p>{{product_name}}</p><a href="{{ product_image_url }}">{{notes}}</a>' },
    hostile,
    'S',
  );
  assert.equal(
    html,
    '<p>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;</p><a href="">&#34;&#39;&#62;&#60;img src=x onerror=alert(1)&#62;</a>',
  );
});

test('headers lose CR/LF and are length-limited', () => {
  const order = { ...SAMPLE, order_number: `ORD-1\r\nBcc: victim@example.com${'x'.repeat(500)}` };
  const { subject } = renderConfirmation({ subject: 'Order {{order_number}}', html_body: 'x' }, order, 'S');
  assert.ok(!/[\r\n]/.test(subject));
  assert.ok(subject.length <= 250);
  assert.equal(headerSafe('a\r\n\tb'), 'a b');
});

test('unknown placeholders are named; missing values render empty', () => {
  assert.match(
    String(
      checkTemplate({ subject: '{{nope}}', html_body: '{{ also_nope }}{{order_number}}' }, PLACEHOLDERS),
    ),
    /unknown placeholders \{\{nope\}\}, \{\{also_nope\}\}/,
  );
  const { html } = renderConfirmation(
    { subject: 's', html_body: '[{{notes}}]' },
    { ...SAMPLE, notes: '' },
    'S',
  );
  assert.equal(html, '[]');
});

test('a text_body template is used as given, unescaped', () => {
  const { text } = renderConfirmation(
    { subject: 's', html_body: 'h', text_body: 'Hi, order {{order_number}} of {{product_name}}' },
    { ...SAMPLE, product_name: 'A & B' },
    'S',
  );
  assert.equal(text, 'Hi, order ORD-12345 of A & B');
});

test('helpers', () => {
  assert.equal(escapeHtml(`<&>"'\``), '&#60;&#38;&#62;&#34;&#39;&#96;');
  assert.equal(safeUrl('https://a.example/x y'), 'https://a.example/x%20y');
  assert.equal(safeUrl('data:text/html,hi'), '');
});

test('the config loader checks the template against the order placeholders', () => {
  assert.ok(PLACEHOLDERS.includes('order_number') && PLACEHOLDERS.includes('shop_name'));
  assert.equal(PLACEHOLDERS.length, new Set(PLACEHOLDERS).size, 'no duplicates');
});
