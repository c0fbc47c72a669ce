import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComponentType } from 'discord-api-types/v10';
import { ConfigError } from '../../src/errors.ts';
import { EN } from '../../src/i18n/translate.ts';
import { loadShopSettings, renderConfirmation } from '../../src/order/email.ts';
import { exportColumns } from '../../src/order/export.ts';
import { toOrder } from '../../src/order/fields.ts';
import { DEFAULT_FORM, formOfOrder, loadForm, type OrderForm, parseForm } from '../../src/order/form.ts';
import { buildModal, readModalValues, staffMessage, summaryEmbed } from '../../src/order/ui.ts';
import { validateStep } from '../../src/order/validate.ts';
import { checkMessage, checkModal } from '../support/discord-limits.ts';

const BAKERY = {
  steps: [
    {
      title: 'Your order',
      fields: [
        { key: 'product', label: 'Product', type: 'select', options: ['Sourdough', 'Rye', 'Baguette'] },
        { key: 'quantity', label: 'How many', type: 'number', min: 1, max: 20, integer: true },
        { key: 'size', label: 'Size', type: 'radio', options: ['Small', 'Large'] },
        { key: 'extras', label: 'Extras', type: 'checkboxes', options: ['Sliced', 'Gift box'], max: 2 },
        { key: 'notes', label: 'Notes', type: 'paragraph', required: false, max_length: 500 },
      ],
    },
    {
      title: 'Pick-up',
      fields: [
        { key: 'pickup', label: 'Pick-up day', type: 'date', not_before: 'today' },
        { key: 'last_day', label: 'Latest day', type: 'date', not_before: 'pickup', required: false },
        { key: 'contact', label: 'Contact email', type: 'email' },
        { key: 'site', label: 'Website', type: 'url', required: false },
        { key: 'budget', label: 'Budget', type: 'price', required: false },
      ],
    },
  ],
};
const bakery = parseForm(BAKERY, 'form.json');
const NOW = Date.UTC(2026, 11, 2, 12);

/** The one error line parseForm gives for `form`. */
function problem(form: unknown): string {
  try {
    parseForm(form, 'form.json');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('the form was accepted');
}

const oneStep = (fields: unknown[]) => ({ steps: [{ title: 'A', fields }] });

test('an invalid form is refused in one line naming the file and the path of the field', () => {
  const text = (key: string) => ({ key, label: key.toUpperCase(), type: 'text' });
  assert.equal(
    problem(oneStep([text('a'), text('a')])),
    'form.json: steps[0].fields[1].key: "a" is already the key of steps[0].fields[0]: keys must differ',
  );
  assert.equal(
    problem(oneStep(['a', 'b', 'c', 'd', 'e', 'f'].map(text))),
    'form.json: steps[0].fields: a step has 1-5 fields (a Discord modal shows 5), got 6 items',
  );
  assert.equal(
    problem({
      steps: [
        { title: 'A', fields: [text('a')] },
        { title: 'B', fields: [text('b'), text('c'), { key: 's', label: 'S', type: 'select' }] },
      ],
    }),
    'form.json: steps[1].fields[2].options: a select needs 1-25 options, missing',
  );
  assert.equal(
    problem(oneStep([{ key: 's', label: 'S', type: 'select', options: [] }])),
    'form.json: steps[0].fields[0].options: a select needs 1-25 options, got 0 items',
  );
  assert.match(
    problem(oneStep([{ key: 'a', label: 'x'.repeat(46), type: 'text' }])),
    /^form\.json: steps\[0\]\.fields\[0\]\.label: a label is at most 45 characters \(Discord's limit\), got "x+/,
  );
  assert.equal(
    problem(oneStep([{ key: 'a', label: 'A', type: 'colour' }])),
    'form.json: steps[0].fields[0].type: unknown type: expected one of text, paragraph, email, url, date, number, price, select, radio, checkboxes, got "colour"',
  );
  assert.equal(
    problem(oneStep([{ key: 'r', label: 'R', type: 'radio', options: ['only'] }])),
    'form.json: steps[0].fields[0].options: a radio group needs 2-10 options, got 1 item',
  );
  assert.equal(
    problem(oneStep([{ key: 'email', label: 'E', type: 'email' }])),
    'form.json: steps[0].fields[0].key: "email" is a built-in name (an email placeholder or a column of the CSV export): choose another key',
  );
  for (const taken of ['status', 'created_at', 'discord_user_id', 'constructor']) {
    assert.match(problem(oneStep([{ key: taken, label: 'T', type: 'text' }])), /is a built-in name/, taken);
  }
  assert.equal(
    problem(oneStep([{ key: 'r', label: 'R', type: 'radio', options: ['a', 'b'], placeholder: 'Pick' }])),
    'form.json: steps[0].fields[0].placeholder: unknown key "placeholder": remove it, or check its spelling',
  );
  assert.match(
    problem(
      oneStep([
        { key: 'c', label: 'C', type: 'checkboxes', options: ['a', 'b', 'c'], required: false, min: 2 },
      ]),
    ),
    /^form\.json: steps\[0\]\.fields\[0\]\.min: a checkbox group that is not required cannot ask for at least 2/,
  );
  assert.equal(
    problem(oneStep([{ key: 'a', label: 'A', type: 'text', colour: 'red' }])),
    'form.json: steps[0].fields[0].colour: unknown key "colour": remove it, or check its spelling',
  );
  assert.match(
    problem(
      oneStep([1, 2, 3, 4].map((n) => ({ key: `p${n}`, label: 'P', type: 'paragraph', max_length: 1001 }))),
    ),
    /^form\.json: steps: the fields hold up to 4004 characters together .*at most 4000/,
  );
  assert.equal(
    problem(oneStep([{ key: 'd', label: 'D', type: 'date', not_before: 'later' }])),
    'form.json: steps[0].fields[0].not_before: expected "today" or the key of an earlier date field, got "later"',
  );
  assert.equal(problem({ steps: [] }), 'form.json: steps: a form has 1-5 steps, got 0 items');
});

test('no form.json: the shipped form, the original three steps field for field; the same file is the shipped form', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-form-'));
  assert.equal(loadForm(dir), DEFAULT_FORM);
  assert.deepEqual(
    DEFAULT_FORM.steps.map((step) => [step.title, step.fields.map((field) => field.key)]),
    [
      [
        'Order Details - Step 1',
        [
          'order_number',
          'estimated_arrival_start_date',
          'estimated_arrival_end_date',
          'product_image_url',
          'product_name',
        ],
      ],
      [
        'Order Details - Step 2',
        ['style_id', 'product_size', 'product_condition', 'purchase_price', 'color'],
      ],
      ['Order Details - Step 3', ['shipping_address', 'notes']],
    ],
  );
  writeFileSync(join(dir, 'form.json'), DEFAULT_FORM.definition);
  assert.equal(loadForm(dir), DEFAULT_FORM);
  writeFileSync(join(dir, 'form.json'), '{"steps": [');
  assert.throws(() => loadForm(dir), /form\.json: not valid JSON/);
});

test('each type renders as its Discord component inside a Label, within Discord limits, and reopens prefilled', () => {
  const modal = buildModal(EN, bakery, 1, 'n1');
  assert.equal(modal.title, 'Your order');
  assert.deepEqual(checkModal(modal), []);
  const inner = modal.components.map((label) => {
    assert.equal(label.type, ComponentType.Label);
    return label.type === ComponentType.Label ? label.component : undefined;
  });
  assert.deepEqual(
    inner.map((component) => component?.type),
    [
      ComponentType.StringSelect,
      ComponentType.TextInput,
      ComponentType.RadioGroup,
      ComponentType.CheckboxGroup,
      ComponentType.TextInput,
    ],
  );
  const prefilled = buildModal(EN, bakery, 1, 'n1', {
    product: 'Rye',
    quantity: '3',
    size: 'Large',
    extras: 'Sliced\nGift box',
  });
  assert.deepEqual(checkModal(prefilled), []);
  const json = JSON.stringify(prefilled);
  for (const chosen of [
    '{"label":"Rye","value":"Rye","default":true}',
    '{"label":"Large","value":"Large","default":true}',
    '{"label":"Sliced","value":"Sliced","default":true}',
    '{"label":"Gift box","value":"Gift box","default":true}',
    '"value":"3"',
  ]) {
    assert.ok(json.includes(chosen), chosen);
  }
  assert.ok(!json.includes('{"label":"Sourdough","value":"Sourdough","default":true}'));
});

test('submitted components are read by type; a forged payload stays bounded and typed', () => {
  const values = readModalValues(bakery, 1, {
    custom_id: 'order_modal:1:n1',
    components: [
      { type: 18, id: 1, component: { type: 3, id: 2, custom_id: 'product', values: ['Rye'] } },
      { type: 18, id: 3, component: { type: 4, id: 4, custom_id: 'quantity', value: '2' } },
      { type: 18, id: 5, component: { type: 21, id: 6, custom_id: 'size', value: null } },
      {
        type: 18,
        id: 7,
        component: { type: 22, id: 8, custom_id: 'extras', values: ['Sliced', 'Gift box'] },
      },
      { type: 18, id: 9, component: { type: 4, id: 10, custom_id: 'notes', value: 'x'.repeat(10_000) } },
      { type: 18, id: 11, component: { type: 4, id: 12, custom_id: 'unknown', value: 'dropped' } },
    ],
  } as never);
  assert.deepEqual(
    { ...values, notes: values.notes?.length },
    {
      product: 'Rye',
      quantity: '2',
      size: '',
      extras: 'Sliced\nGift box',
      notes: 501,
    },
  );
  // Only the submitted step's fields are kept: a forged submit cannot fill another step's.
  const forged = readModalValues(bakery, 1, {
    custom_id: 'order_modal:1:n1',
    components: [
      { type: 18, id: 1, component: { type: 4, id: 2, custom_id: 'pickup', value: '2030-01-01' } },
    ],
  } as never);
  assert.deepEqual(forged, {});
});

test('each type is validated with its own message; choices only among the options (forged ones named)', () => {
  const ok = validateStep(
    bakery,
    0,
    { product: 'Rye', quantity: '12', size: 'Small', extras: 'Gift box', notes: '' },
    {},
    NOW,
  );
  assert.ok(ok.ok);
  const bad = validateStep(
    bakery,
    0,
    { product: 'Cake', quantity: '21', size: 'Huge', extras: 'Sliced\nSliced', notes: '' },
    {},
    NOW,
  );
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.problems.map((p) => [p.key, EN(p.message, p.params)]),
    [
      ['product', 'is not one of the choices'],
      ['quantity', 'must be from 1 to 20'],
      ['size', 'is not one of the choices'],
      ['extras', 'names a choice twice'],
    ],
  );
  assert.deepEqual(bad.forged, ['product', 'size', 'extras']);
  const counted = validateStep(
    bakery,
    0,
    { product: 'Rye', quantity: '2.5', size: 'Small', extras: '' },
    {},
    NOW,
  );
  assert.ok(!counted.ok);
  assert.deepEqual(
    counted.problems.map((p) => [p.key, EN(p.message, p.params)]),
    [
      ['quantity', 'must be a whole number such as 3'],
      ['extras', 'needs a choice'],
    ],
  );
  const forgedSet = validateStep(
    bakery,
    0,
    { product: 'Rye', quantity: '2', size: 'Small', extras: 'Sliced\nCandle' },
    {},
    NOW,
  );
  assert.ok(!forgedSet.ok);
  assert.deepEqual(forgedSet.forged, ['extras']);

  const step2 = (values: Record<string, string>) =>
    validateStep(bakery, 1, { pickup: '2026-12-05', contact: 'a@example.com', ...values }, {}, NOW);
  assert.ok(step2({}).ok);
  const past = step2({
    pickup: '2026-11-30',
    last_day: '2026-02-30',
    contact: 'a@',
    site: 'ftp://x',
    budget: 'lots',
  });
  assert.ok(!past.ok);
  assert.deepEqual(
    past.problems.map((p) => [p.key, EN(p.message, p.params)]),
    [
      ['pickup', 'must not be in the past'],
      ['last_day', 'must be a real date written YYYY-MM-DD, for example 2025-03-14'],
      ['contact', 'must be an email address such as name@example.com'],
      ['site', 'must be a web address starting with http:// or https://'],
      ['budget', 'must be an amount such as $150.00, 150, €99,99 or 150 USD'],
    ],
  );
  const before = step2({ last_day: '2026-12-04' });
  assert.ok(!before.ok);
  assert.deepEqual(
    before.problems.map((p) => EN(p.message, p.params)),
    ['must not be before Pick-up day'],
  );
  // "today" is the earliest today on Earth (UTC−12), so no customer's today is refused: at 11:00 UTC
  // on 2 December it is still 1 December there; at noon it is not.
  const pickup = (day: string, at: number) =>
    validateStep(bakery, 1, { pickup: day, contact: 'a@example.com' }, {}, at).ok;
  assert.ok(pickup('2026-12-01', Date.UTC(2026, 11, 2, 11)));
  assert.ok(!pickup('2026-12-01', NOW));
  assert.ok(pickup('2026-12-02', NOW));
  const normalized = step2({ contact: ' A@Example.COM ' });
  assert.ok(normalized.ok);
  assert.equal(normalized.values.contact, 'A@example.com');
});

test('summary, staff post, email and CSV follow the form; an older order keeps its own fields', () => {
  const fields = {
    product: 'Rye',
    quantity: '2',
    size: 'Large',
    extras: 'Sliced\nGift box',
    notes: 'Ring twice',
    pickup: '2026-12-05',
    contact: 'a@example.com',
  };
  const order = toOrder(fields, 'c@example.com', bakery);
  const summary = summaryEmbed(EN, bakery, order, true, 7, 'BK-{id}');
  assert.equal(summary.description, 'Reference **BK-7**');
  assert.deepEqual(
    summary.fields?.slice(0, 4).map((f) => [f.name, f.value]),
    [
      ['Product', 'Rye'],
      ['How many', '2'],
      ['Size', 'Large'],
      ['Extras', 'Sliced, Gift box'],
    ],
  );
  assert.ok(
    !summaryEmbed(EN, bakery, order, false, 7, '#{id}').fields?.some((f) => f.name === 'Notes'),
    'a public summary leaves paragraphs out',
  );
  const post = staffMessage(EN, bakery, order, 'u1', 7, NOW, '#{id}');
  assert.equal(post.embeds[0]!.title, 'Order #7');
  assert.equal(post.embeds[0]!.description, '**Notes:**\nRing twice');
  assert.deepEqual(checkMessage(post), []);

  const { html, text } = renderConfirmation(
    { subject: 's', html_body: '<p>{{order_reference}}</p>{{order_table}}' },
    order,
    { shopName: 'Bakery', form: bakery, orderId: 7, referenceFormat: 'BK-{id}' },
  );
  assert.ok(html.startsWith('<p>BK-7</p><table'));
  assert.ok(html.includes('<tr><th>Extras</th><td>Sliced, Gift box</td></tr>'));
  assert.match(text, /Extras: +Sliced, Gift box/);

  // An order of the shipped form, exported after the shop changed its form: both forms' columns.
  const columns = exportColumns(bakery, [DEFAULT_FORM]).map((column) => column.key);
  assert.deepEqual(columns.slice(0, 3), ['product', 'quantity', 'size']);
  assert.ok(columns.includes('style_id') && columns.indexOf('notes') === columns.lastIndexOf('notes'));
  assert.equal(
    formOfOrder(null, bakery, () => undefined),
    DEFAULT_FORM,
    'an order of 0.2 was taken under the shipped form',
  );
  const stored = formOfOrder('old-form', bakery, (id) =>
    id === 'old-form'
      ? JSON.stringify(oneStep([{ key: 'colour', label: 'Colour', type: 'text' }]))
      : undefined,
  );
  assert.deepEqual(
    stored.fields.map((f) => f.label),
    ['Colour'],
  );
});

test('a form of its own gets the shipped template for any form; a template naming a field the form lacks is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-form-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ smtp_server: 'h', smtp_port: 1 }));
  writeFileSync(join(dir, 'form.json'), JSON.stringify(BAKERY));
  const settings = loadShopSettings(dir);
  assert.match(settings.template.html_body, /\{\{order_table\}\}/);
  writeFileSync(join(dir, 'email_template.json'), JSON.stringify({ html_body: '<p>{{style_id}}</p>' }));
  assert.throws(
    () => loadShopSettings(dir),
    /email_template\.json: unknown placeholder \{\{style_id\}\}.*your form\.json names the fields/,
  );
  const shipped = JSON.parse(readFileSync('config/defaults/email_template_any_form.json', 'utf8')) as {
    html_body: string;
  };
  assert.doesNotMatch(shipped.html_body, /order_number|style_id|product_name/);
});

test('the longest allowed form: 25 fields, 4,000 characters, every modal and the staff post within Discord limits', () => {
  const longest: OrderForm = parseForm(
    JSON.parse(readFileSync('bench/forms/longest.json', 'utf8')),
    'longest',
  );
  assert.equal(longest.fields.length, 25);
  for (let step = 1; step <= 5; step++) assert.deepEqual(checkModal(buildModal(EN, longest, step, 'n')), []);
  const order = toOrder(
    Object.fromEntries(longest.fields.map((f) => [f.key, '*'.repeat(f.maxLength)])),
    'a@example.com',
    longest,
  );
  const post = staffMessage(EN, longest, order, 'u', 1, NOW, '#{id}', 'a cap note');
  assert.deepEqual(checkMessage(post), [], 'escaped values are shortened to fit 6,000 characters');
  assert.deepEqual(checkMessage({ embeds: [summaryEmbed(EN, longest, order, true, 1, '#{id}')] }), []);
});

test('what a review found: thumbnails Discord would refuse, private fields in public, web addresses in templates, "99,999"', () => {
  const form = parseForm(
    oneStep([
      { key: 'product_image_url', label: 'Image', type: 'text' },
      { key: 'site', label: 'Website', type: 'url' },
      { key: 'contact', label: 'Email for proofs', type: 'email' },
      { key: 'phone', label: 'Phone', type: 'text', private: true },
      { key: 'amount', label: 'Amount', type: 'number', max: 100 },
    ]),
    'form.json',
  );
  const order = (image: string) =>
    toOrder(
      {
        product_image_url: image,
        site: 'https://shop.example/p?x=1',
        contact: 'c@example.com',
        phone: '555',
        amount: '5',
      },
      'a@example.com',
      form,
    );
  // A malformed or over-long image address would make Discord refuse the whole staff post.
  for (const bad of ['https://exa mple.com/x.png', 'http://', `https://cdn.example/${'a'.repeat(2100)}`]) {
    const post = staffMessage(EN, form, order(bad), 'u', 1, NOW, '#{id}');
    assert.equal(post.embeds[0]!.thumbnail, undefined, bad.slice(0, 30));
    assert.deepEqual(checkMessage(post), []);
  }
  assert.deepEqual(
    staffMessage(EN, form, order('https://cdn.example/a.png'), 'u', 1, NOW, '#{id}').embeds[0]!.thumbnail,
    {
      url: 'https://cdn.example/a.png',
    },
  );
  // A public summary leaves out email addresses and fields marked private, as it does paragraphs.
  const shown = summaryEmbed(EN, form, order(''), false, 1, '#{id}').fields?.map((f) => f.name);
  assert.deepEqual(shown, ['Image', 'Website', 'Amount']);
  // A web address field is a usable link in the owner's template (defanged, it was always empty).
  const { html } = renderConfirmation(
    { subject: 's', html_body: '<a href="{{site}}">{{site}}</a>' },
    order(''),
    {
      shopName: 'S',
      form,
    },
  );
  assert.equal(html, '<a href="https://shop.example/p?x=1">https://shop.example/p?x=1</a>');
  // "99,999" is neither read as 99.999 nor as 99999; "2,5" is a decimal comma.
  const amount = (value: string) =>
    validateStep(form, 0, { ...order('https://cdn.example/a.png').fields, amount: value }, {}, NOW);
  assert.ok(!amount('99,999').ok);
  assert.ok(amount('2,5').ok);
  assert.ok(amount('99.5').ok);
});
