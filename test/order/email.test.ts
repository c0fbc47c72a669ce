import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.ts';
import type { TemplateSource } from '../../src/mail/template.ts';
import { checkTemplate, escapeHtml, headerSafe, safeUrl } from '../../src/mail/template.ts';
import {
  type ConfirmationOptions,
  defang,
  isShopImage,
  loadShopSettings,
  placeholdersOf,
  renderConfirmation as render,
} from '../../src/order/email.ts';
import type { Order } from '../../src/order/fields.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';
import { SAMPLE, sampleWith } from '../support/sample-order.ts';

const PLACEHOLDERS = placeholdersOf(DEFAULT_FORM);
/** Renders with the shipped form. */
const renderConfirmation = (
  template: TemplateSource,
  order: Order,
  options: Omit<ConfirmationOptions, 'form'>,
) => render(template, order, { form: DEFAULT_FORM, ...options });

const shipped = JSON.parse(readFileSync('config/defaults/email_template.json', 'utf8')) as {
  subject: string;
  html_body: string;
};
const acme = { shopName: 'Acme Sneakers', orderId: 42, year: 2026 };

test('the shipped template shows every order field and the shop name, never another brand', () => {
  for (const name of PLACEHOLDERS.filter(
    (p) => !['current_year', 'product_image_url', 'order_reference', 'order_table'].includes(p),
  )) {
    assert.ok(shipped.html_body.includes(`{{${name}}}`), `missing {{${name}}}`);
  }
  assert.equal(checkTemplate(shipped, PLACEHOLDERS), undefined);
  const { html, subject, text } = renderConfirmation(shipped, SAMPLE, {
    ...acme,
    imageHosts: ['example.com'],
  });
  assert.equal(subject, 'Your Acme Sneakers order #42 is confirmed');
  for (const value of [
    'ORD-12345',
    '#42',
    '2025-03-10',
    '2025-03-14',
    'Runner 2',
    'STY-789',
    'Black',
    'New',
    '$150.00',
    'Leave at the door',
    'customer@example.com',
    '&copy; 2026 Acme Sneakers',
  ]) {
    assert.ok(html.includes(value), `html lacks ${value}`);
  }
  assert.ok(html.includes('<img src="https://example.com/shoe.jpg"'), 'a listed host shows the image');
  assert.ok(html.includes('123 Main St\nSpringfield, IL 62701'), 'the address is kept as typed (pre-line)');
  assert.match(html, /someone entered this address in Acme Sneakers's Discord order form/);
  assert.match(html, /prefers-color-scheme: dark/);
  assert.match(html, /max-width: 480px/);
  assert.doesNotMatch(html, /nike|adidas|stockx|goat/i);
  assert.match(text, /Order Number: +ORD-12345/);
  assert.match(text, /Shipping Address: +123 Main St\n +Springfield, IL 62701/);
  assert.match(text, /someone entered this address in Acme Sneakers's Discord order form/);
});

test('an image from a host the shop does not list is plain, unlinked text: no <img>, no <a>', () => {
  const order = sampleWith({ product_image_url: 'https://tracker.evil.example/pixel.gif?victim=1' });
  const { html, text } = renderConfirmation(shipped, order, acme);
  assert.doesNotMatch(html, /<img|<a /);
  assert.ok(html.includes('https[:]//tracker[.]evil[.]example/pixel[.]gif?victim=1'), html.slice(0, 200));
  assert.doesNotMatch(text, /https:\/\/tracker/);
  assert.ok(isShopImage('https://img.cdn.example/a.jpg', ['cdn.example']), 'subdomains of a listed host');
  assert.ok(!isShopImage('https://cdn.example.evil/a.jpg', ['cdn.example']));
});

test('web addresses and domains typed by the customer are written so mail programs do not link them', () => {
  assert.equal(defang('see https://evil.example/login now'), 'see https[:]//evil[.]example/login now');
  assert.equal(
    defang('visit evil.example or www.evil.example'),
    'visit evil[.]example or www[.]evil[.]example',
  );
  assert.equal(defang('St. Louis, size 10.5, v1.2'), 'St. Louis, size 10.5, v1.2', 'ordinary text is kept');
  const order = sampleWith({
    notes: 'Log in at https://evil.example/verify',
    product_name: 'bank.example refund',
  });
  const { html, text } = renderConfirmation(shipped, order, acme);
  for (const part of [html, text]) {
    assert.doesNotMatch(part, /https:\/\/evil|bank\.example/);
    assert.ok(part.includes('https[:]//evil[.]example/verify'));
  }
});

test('values are HTML-escaped and unsafe URLs are dropped', () => {
  const hostile = sampleWith({
    product_name: '<script>alert("x")</script>',
    notes: `"'><img src=x onerror=alert(1)>`,
    product_image_url: 'javascript:alert(1)',
  });
  const { html } = renderConfirmation(
    {
      subject: 's',
      html_body: '<p>{{product_name}}</p><a href="{{ product_image_url }}">{{notes}}</a>{{product_image}}',
    },
    hostile,
    { shopName: 'S', imageHosts: ['example.com'] },
  );
  assert.equal(
    html,
    '<p>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;</p><a href="">&#34;&#39;&#62;&#60;img src=x onerror=alert(1)&#62;</a>',
  );
});

test('the subject carries no customer text; headers lose CR/LF and are length-limited', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-subject-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ smtp_server: 'h', smtp_port: 1 }));
  writeFileSync(
    join(dir, 'email_template.json'),
    JSON.stringify({ subject: 'Order {{order_number}} for {{ product_name }}', html_body: 'x' }),
  );
  assert.throws(
    () => loadShopSettings(dir),
    (error: unknown) =>
      error instanceof ConfigError &&
      /subject: \{\{order_number\}\}, \{\{product_name\}\} would put text the customer typed into your subject line; a subject may use \{\{shop_name\}\}, \{\{order_id\}\}, \{\{current_year\}\}/.test(
        error.message,
      ),
  );
  const { subject } = renderConfirmation(
    { subject: '{{shop_name}}\r\nBcc: x@y.z{{order_id}}', html_body: 'x' },
    SAMPLE,
    {
      shopName: `S${'x'.repeat(500)}`,
      orderId: 1,
    },
  );
  assert.ok(!/[\r\n]/.test(subject));
  assert.ok(subject.length <= 250);
  assert.equal(headerSafe('a\r\n\tb'), 'a b');
});

test('sections: {{#name}}…{{/name}} is kept when name has a value, dropped when empty, nested too; a stray or unknown one is named', () => {
  const template = {
    subject: 's',
    html_body: '{{#notes}}<p>Notes: {{notes}}{{#color}} ({{color}}){{/color}}</p>{{/notes}}[end]',
  };
  const render = (notes: string, color: string) =>
    renderConfirmation(template, sampleWith({ notes, color }), { shopName: 'S' }).html;
  assert.equal(render('', 'Black'), '[end]');
  assert.equal(render('ring first', ''), '<p>Notes: ring first</p>[end]');
  assert.equal(render('ring first', 'Black'), '<p>Notes: ring first (Black)</p>[end]');
  assert.equal(checkTemplate(template, PLACEHOLDERS), undefined);
  assert.match(
    String(checkTemplate({ subject: 's', html_body: '{{#notes}}open' }, PLACEHOLDERS)),
    /section \{\{#notes\}\} has no partner/,
  );
  assert.match(
    String(checkTemplate({ subject: 's', html_body: '{{#nope}}x{{/nope}}' }, PLACEHOLDERS)),
    /unknown placeholder \{\{nope\}\}/,
  );
});

test('unknown placeholders are named; missing values render empty', () => {
  assert.match(
    String(
      checkTemplate({ subject: '{{nope}}', html_body: '{{ also_nope }}{{order_number}}' }, PLACEHOLDERS),
    ),
    /unknown placeholders \{\{nope\}\}, \{\{also_nope\}\}/,
  );
  const { html } = renderConfirmation({ subject: 's', html_body: '[{{notes}}]' }, sampleWith({ notes: '' }), {
    shopName: 'S',
  });
  assert.equal(html, '[]');
});

test('a text_body template is used as given, unescaped', () => {
  const { text } = renderConfirmation(
    { subject: 's', html_body: 'h', text_body: 'Hi, order {{order_number}} of {{product_name}}' },
    sampleWith({ product_name: 'A & B' }),
    { shopName: 'S' },
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

test('a placeholder with a brace missing or extra stops the bot instead of reaching customers as text', () => {
  for (const broken of ['{{order_number}', '{order_number}}', '{order_number}', '{{{order_number}}}']) {
    assert.match(
      String(checkTemplate({ subject: 's', html_body: `<p>${broken}</p>` }, PLACEHOLDERS)),
      /^malformed placeholder .*write a placeholder with two braces on each side, like \{\{order_number\}\}$/,
      broken,
    );
  }
  assert.equal(
    checkTemplate(
      { subject: 's', html_body: '<style>body { margin: 0; }</style>{{order_number}}' },
      PLACEHOLDERS,
    ),
    undefined,
    'CSS braces are not placeholders',
  );
});
