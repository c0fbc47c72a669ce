/**
 * End to end: a shop's own order form (CONFIG_DIR/form.json) in the built bot, through the fake
 * Discord, to a real SMTP server: every field type rendered as its component, the per-type
 * messages and prefilled retries, the summary, staff post, email and CSV export of every value;
 * invalid forms stopping the bot with one line naming the field; forged choices refused; and a
 * form replaced on SIGHUP while customers are half-way through the old one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXPIRED, FORM_CHANGED, STEP_NOT_SAVED } from '../../src/order/texts.ts';
import {
  type BotProcess,
  ROOT,
  shopEnv,
  startBot,
  storeEnv,
  writeConfigDir,
} from '../support/bot-process.ts';
import { customer, messageOf, userMaker } from '../support/customer.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000042';
const newUser = userMaker(450_000_000_000_000_000n, 'form');

/** A cake shop's form: two steps, every field type. */
const CAKE_FORM = {
  steps: [
    {
      title: 'Your cake',
      fields: [
        { key: 'flavour', label: 'Flavour', type: 'select', options: ['Chocolate', 'Vanilla', 'Lemon'] },
        {
          key: 'quantity',
          label: 'How many',
          type: 'number',
          min: 1,
          max: 20,
          integer: true,
          description: 'From 1 to 20',
        },
        { key: 'size', label: 'Size', type: 'radio', options: ['Small', 'Medium', 'Large'] },
        {
          key: 'extras',
          label: 'Extras',
          type: 'checkboxes',
          options: ['Candles', 'Gift box', 'Card'],
          max: 2,
        },
        { key: 'budget', label: 'Budget', type: 'price' },
      ],
    },
    {
      title: 'Pick-up',
      fields: [
        { key: 'pickup_date', label: 'Pick-up day', type: 'date', not_before: 'today' },
        { key: 'name', label: 'Name on the cake', type: 'text', max_length: 40 },
        { key: 'contact', label: 'Contact email', type: 'email' },
        { key: 'inspiration', label: 'Inspiration link', type: 'url', required: false },
        { key: 'card_message', label: 'Card message', type: 'paragraph', max_length: 300 },
      ],
    },
  ],
};

/** The form that replaces it on SIGHUP: its step 2 shares the key `name` with the cake form's. */
const FLOWER_FORM = {
  steps: [
    {
      title: 'Flowers',
      fields: [{ key: 'bouquet', label: 'Bouquet', type: 'radio', options: ['Roses', 'Tulips'] }],
    },
    { title: 'Card', fields: [{ key: 'name', label: 'Name for the card', type: 'text' }] },
  ],
};

const PICKUP = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
/** Valid values, as submitted (checkboxes as the ticked list). */
const STEP1 = {
  flavour: 'Lemon',
  quantity: '3',
  size: 'Medium',
  extras: ['Candles', 'Card'],
  budget: '$24.50',
};
const STEP2 = {
  pickup_date: PICKUP,
  name: 'Ada Lovelace',
  contact: 'ada@example.com',
  inspiration: 'https://example.com/cakes/lemon',
  card_message: 'Happy birthday Ada\nFrom all of us',
};
/** Every field's label and value as people read it (checkboxes joined with commas). */
const SHOWN: [label: string, key: string, value: string][] = [
  ['Flavour', 'flavour', 'Lemon'],
  ['How many', 'quantity', '3'],
  ['Size', 'size', 'Medium'],
  ['Extras', 'extras', 'Candles, Card'],
  ['Budget', 'budget', '$24.50'],
  ['Pick-up day', 'pickup_date', PICKUP],
  ['Name on the cake', 'name', 'Ada Lovelace'],
  ['Contact email', 'contact', 'ada@example.com'],
  ['Inspiration link', 'inspiration', 'https://example.com/cakes/lemon'],
  ['Card message', 'card_message', 'Happy birthday Ada\nFrom all of us'],
];

/** Removes Discord markdown escapes. */
const plain = (text: unknown) => String(text).replace(/\\(.)/g, '$1');
const fieldsOf = (embed: Json) =>
  Object.fromEntries((embed.fields as Json[]).map((f) => [String(f.name), plain(f.value)]));

/** A modal's components by custom_id: the Label and the component inside it. */
function componentsOf(modal: Json): Map<string, { label: Json; input: Json }> {
  return new Map(
    (modal.components as Json[]).map((label) => {
      const input = label.component as Json;
      return [String(input.custom_id), { label, input }];
    }),
  );
}

/** The options a reopened modal marks as chosen, by custom_id. */
function defaultsOf(modal: Json): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, { input }] of componentsOf(modal)) {
    if (Array.isArray(input.options)) {
      out[id] = (input.options as Json[]).filter((o) => o.default === true).map((o) => String(o.value));
    }
  }
  return out;
}

/** The prefilled text of a reopened modal's text inputs, by custom_id. */
function textValuesOf(modal: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, { input }] of componentsOf(modal)) if (input.type === 4) out[id] = input.value;
  return out;
}

/** A strict RFC 4180 reader (every cell quoted, CRLF between records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const cell = /"((?:[^"]|"")*)"(,|\r\n)/gy;
  let row: string[] = [];
  let read = 0;
  for (let match = cell.exec(text); match; match = cell.exec(text)) {
    read = cell.lastIndex;
    row.push(match[1]!.replace(/""/g, '"'));
    if (match[2] === '\r\n') {
      rows.push(row);
      row = [];
    }
  }
  assert.equal(read, text.length, 'the whole text is quoted cells');
  return rows;
}

describe('a shop-defined order form', () => {
  let discord: FakeDiscord;
  let smtp: TestSmtpServer;
  let bot: BotProcess;
  let configDir: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-form-data-'));

  const orders = (...args: string[]) => {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...storeEnv(dataDir), CONFIG_DIR: configDir },
      cwd: mkdtempSync(join(tmpdir(), 'order-bot-form-cwd-')),
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  const exportCsv = () => {
    const [header, ...rows] = parseCsv(orders('export', '--csv').replace(/^\uFEFF/, ''));
    return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])));
  };

  before(async () => {
    discord = await startFakeDiscord();
    smtp = await startSmtpServer();
    const env = shopEnv(discord, smtp, {
      shop_name: 'Crumb Bakery',
      orders_channel_id: STAFF_CHANNEL,
      mail_retry_initial_seconds: 0.05,
    });
    configDir = env.CONFIG_DIR!;
    writeFileSync(join(configDir, 'form.json'), JSON.stringify(CAKE_FORM, null, 2));
    bot = startBot({ env: { ...env, DATA_DIR: dataDir } });
    const starting = await bot.waitForLog('bot.starting');
    assert.equal(starting.form, 'form.json: 2 step(s), 10 field(s)');
    await bot.waitForLog('bot.ready');
  });
  after(async () => {
    await bot?.stop('SIGKILL');
    await smtp?.close();
    await discord?.close();
  });

  test('every type renders as its component; wrong values get their message and a prefilled retry; the order holds every value everywhere', async () => {
    const user = newUser();
    const c = customer(discord, user);
    const opened = await c.command('order_form', { email: 'ada.buyer@example.com' });
    assert.equal(opened.callback.type, 9);
    const modal1 = opened.callback.data as Json;
    assert.match(String(modal1.custom_id), /^order_modal:1:[\w-]+$/);
    assert.equal(modal1.title, 'Your cake');
    const shape = (modal: Json) =>
      (modal.components as Json[]).map((label) => {
        const input = label.component as Json;
        return [label.type, label.label, input.type, input.custom_id, input.style];
      });
    assert.deepEqual(shape(modal1), [
      [18, 'Flavour', 3, 'flavour', undefined],
      [18, 'How many', 4, 'quantity', 1],
      [18, 'Size', 21, 'size', undefined],
      [18, 'Extras', 22, 'extras', undefined],
      [18, 'Budget', 4, 'budget', 1],
    ]);
    assert.equal(componentsOf(modal1).get('quantity')!.label.description, 'From 1 to 20');
    assert.deepEqual(
      ((componentsOf(modal1).get('size')!.input.options as Json[]) ?? []).map((o) => o.value),
      ['Small', 'Medium', 'Large'],
    );
    assert.deepEqual(defaultsOf(modal1), { flavour: [], size: [], extras: [] }, 'nothing chosen yet');

    // A choice that is not an option and a fraction: each field its own message.
    const bad1 = await c.submit(modal1, { ...STEP1, flavour: 'Pistachio', quantity: '2.5' });
    assert.equal(bad1.callback.type, 4);
    assert.equal(bad1.callback.data?.flags, 64);
    const lines1 = String(bad1.callback.data?.content).split('\n');
    assert.equal(lines1[0], '⚠️ Step 1 of 2 needs a fix:');
    assert.deepEqual(lines1.slice(1, 3), [
      '• **Flavour** is not one of the choices.',
      '• **How many** must be a whole number such as 3.',
    ]);
    const retry1 = await c.click('Fix Step 1', messageOf(bad1.entry));
    assert.equal(retry1.callback.type, 9);
    const reopened1 = retry1.callback.data as Json;
    assert.equal(reopened1.custom_id, modal1.custom_id);
    assert.deepEqual(textValuesOf(reopened1), { quantity: '2.5', budget: '$24.50' });
    assert.deepEqual(defaultsOf(reopened1), {
      flavour: [],
      size: ['Medium'],
      extras: ['Candles', 'Card'],
    });

    // Out of range.
    const bad2 = await c.submit(reopened1, { ...STEP1, quantity: '25' }, messageOf(bad1.entry));
    assert.equal(bad2.callback.type, 7, 'the problems message is updated in place');
    assert.deepEqual(String(bad2.callback.data?.content).split('\n').slice(0, 2), [
      '⚠️ Step 1 of 2 needs a fix:',
      '• **How many** must be from 1 to 20.',
    ]);
    const retry2 = await c.click('Fix Step 1', messageOf(bad2.entry));
    const reopened2 = retry2.callback.data as Json;
    assert.deepEqual(textValuesOf(reopened2), { quantity: '25', budget: '$24.50' });
    assert.deepEqual(defaultsOf(reopened2), {
      flavour: ['Lemon'],
      size: ['Medium'],
      extras: ['Candles', 'Card'],
    });
    const one = await c.submit(reopened2, STEP1, messageOf(bad2.entry));
    assert.match(String(one.callback.data?.content), /Step 1 of 2 complete/);

    const open2 = await c.click('Continue to Final Step', messageOf(one.entry));
    const modal2 = open2.callback.data as Json;
    assert.match(String(modal2.custom_id), /^order_modal:2:[\w-]+$/);
    assert.equal(modal2.title, 'Pick-up');
    assert.deepEqual(shape(modal2), [
      [18, 'Pick-up day', 4, 'pickup_date', 1],
      [18, 'Name on the cake', 4, 'name', 1],
      [18, 'Contact email', 4, 'contact', 1],
      [18, 'Inspiration link', 4, 'inspiration', 1],
      [18, 'Card message', 4, 'card_message', 2],
    ]);
    assert.equal(componentsOf(modal2).get('inspiration')!.input.required, false);

    // A date in the past.
    const bad3 = await c.submit(modal2, { ...STEP2, pickup_date: '2020-01-01' }, messageOf(one.entry));
    assert.deepEqual(String(bad3.callback.data?.content).split('\n').slice(0, 2), [
      '⚠️ Step 2 of 2 needs a fix:',
      '• **Pick-up day** must not be in the past.',
    ]);
    const retry3 = await c.click('Fix Step 2', messageOf(bad3.entry));
    const reopened3 = retry3.callback.data as Json;
    assert.deepEqual(textValuesOf(reopened3), { ...STEP2, pickup_date: '2020-01-01' });
    const final = await c.submit(reopened3, STEP2, messageOf(bad3.entry));

    // The summary: every label and value.
    assert.equal(final.callback.type, 7);
    const summary = (messageOf(final.entry).embeds as Json[])[0]!;
    assert.equal(summary.title, '📦 Order Submitted!');
    const summaryFields = fieldsOf(summary);
    for (const [label, , value] of SHOWN) assert.equal(summaryFields[label], value, label);
    const reference = /^Reference \*\*(#\d+)\*\*$/.exec(String(summary.description))?.[1];
    assert.ok(reference, String(summary.description));
    const orderId = reference.slice(1);

    // The staff post.
    const staff = await discord.waitFor(() =>
      discord.channelMessages.find((m) => String(m.body.content).includes(user.id)),
    );
    assert.equal(staff.channelId, STAFF_CHANNEL);
    const staffFields = fieldsOf((staff.body.embeds as Json[])[0]!);
    for (const [label, , value] of SHOWN) assert.equal(staffFields[label], value, label);
    assert.equal(staffFields.Email, 'ada.buyer@example.com');

    // The email: the shipped template for any form, a row per field (links and domains defanged).
    const [mail] = await smtp.waitForRecipients(['ada.buyer@example.com']);
    assert.equal(mail!.parsed.subject, `Your Crumb Bakery order ${reference} is confirmed`);
    const html = String(mail!.parsed.html);
    const inMail: Record<string, string> = {
      contact: 'ada@example[.]com',
      inspiration: 'https[:]//example[.]com/cakes/lemon',
    };
    for (const [label, key, value] of SHOWN) {
      const row = `<tr><th>${label}</th><td>${inMail[key] ?? value}</td></tr>`;
      assert.ok(html.includes(row), `email lacks ${row}`);
    }

    // The CSV export: a column per field key.
    const row = exportCsv().find((r) => r.order_id === orderId);
    assert.ok(row, 'the order is exported');
    assert.equal(row.email, 'ada.buyer@example.com');
    assert.equal(row.discord_user_id, user.id);
    for (const [, key, value] of SHOWN) assert.equal(row[key], value, key);

    // orders show: every field by its label.
    const shown = orders('show', orderId);
    for (const [label, , value] of SHOWN) {
      const first = value.split('\n')[0]!;
      assert.match(shown, new RegExp(`^  ${label}: +${first.replace(/[.$]/g, '\\$&')}$`, 'm'));
    }
    assert.match(shown, /^ +From all of us$/m, 'a paragraph keeps its second line');
  });

  test('forged choices (a select value and a checkbox set not among the options) are refused and logged', async () => {
    const user = newUser();
    const c = customer(discord, user);
    const opened = await c.command('order_form', { email: 'forger@example.com' });
    const modal = opened.callback.data as Json;
    const forged = await c.submit(modal, {
      ...STEP1,
      flavour: 'Pistachio',
      extras: ['Candles', 'Fireworks'],
    });
    const lines = String(forged.callback.data?.content).split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      '⚠️ Step 1 of 2 needs a fix:',
      '• **Flavour** is not one of the choices.',
      '• **Extras** is not one of the choices.',
    ]);
    const logged = await bot.waitForLog('order.forged_choice', (l) => l.user_id === user.id);
    assert.equal(logged.step, 1);
    assert.deepEqual(logged.fields, ['flavour', 'extras']);

    // Nothing accepted: the only way on is "Fix Step 1"; a forged step 2 button or submit is stale.
    const message = messageOf(forged.entry);
    const buttons = ((message.components as Json[])[0]!.components as Json[]).map((b) => b.label);
    assert.deepEqual(buttons, ['Fix Step 1', 'Cancel']);
    const nonce = String(modal.custom_id).split(':')[2]!;
    const jumped = await discord.waitForCallback(discord.click(user, message, `order_open:2:${nonce}`));
    assert.equal(jumped.data?.content, EXPIRED);
    const skipped = await c.submit(
      {
        custom_id: `order_modal:2:${nonce}`,
        components: CAKE_FORM.steps[1]!.fields.map((f) => ({
          type: 18,
          component: { type: 4, custom_id: f.key },
        })),
      },
      STEP2,
    );
    assert.equal(skipped.callback.data?.content, EXPIRED);
    await bot.waitForLog('order.out_of_order', (l) => l.user_id === user.id);

    // The reopened form keeps the real choices and drops the forged ones.
    const retry = await c.click('Fix Step 1', message);
    assert.deepEqual(defaultsOf(retry.callback.data as Json), {
      flavour: [],
      size: ['Medium'],
      extras: ['Candles'],
    });
    // More ticked than the client allows (max_values 2): the count is checked too, not as a forgery.
    const extras = componentsOf(retry.callback.data as Json).get('extras')!.input;
    assert.deepEqual([extras.min_values, extras.max_values], [1, 2]);
    const tooMany = await c.submit(
      retry.callback.data as Json,
      { ...STEP1, extras: ['Candles', 'Gift box', 'Card'] },
      message,
    );
    assert.deepEqual(String(tooMany.callback.data?.content).split('\n').slice(0, 3), [
      '⚠️ Step 1 of 2 needs a fix:',
      '• **Extras** takes at most 2 ticked.',
      '',
    ]);
    assert.equal(
      bot.logs.filter((l) => l.event === 'order.forged_choice' && l.user_id === user.id).length,
      1,
    );
    assert.equal(
      exportCsv().filter((r) => r.discord_user_id === user.id).length,
      0,
      'no order from forged choices',
    );
  });

  test('SIGHUP with a new form: new customers get it; customers half-way through the old one are told and never mixed', async () => {
    // Under the old form: A has step 1 done and step 2's modal open; B has step 1 done and
    // "Continue" not pressed yet; D has step 1's modal open.
    const userA = newUser();
    const a = customer(discord, userA);
    const aOpened = await a.command('order_form', { email: 'a@example.com' });
    const aOne = await a.submit(aOpened.callback.data as Json, STEP1);
    const aOpen2 = await a.click('Continue to Final Step', messageOf(aOne.entry));
    assert.equal((aOpen2.callback.data as Json).title, 'Pick-up');

    const userB = newUser();
    const b = customer(discord, userB);
    const bOpened = await b.command('order_form', { email: 'b@example.com' });
    const bOne = await b.submit(bOpened.callback.data as Json, STEP1);

    const userD = newUser();
    const d = customer(discord, userD);
    const dOpened = await d.command('order_form', { email: 'd@example.com' });

    writeFileSync(join(configDir, 'form.json'), JSON.stringify(FLOWER_FORM));
    bot.child.kill('SIGHUP');
    const reloaded = await bot.waitForLog('config.reloaded');
    assert.match(String(reloaded.note), /customers halfway through the old form are asked to start again/);

    // A new customer gets the new form.
    const userC = newUser();
    const c = customer(discord, userC);
    const cOpened = await c.command('order_form', { email: 'c@example.com' });
    const flowers = cOpened.callback.data as Json;
    assert.equal(flowers.title, 'Flowers');
    assert.deepEqual(
      (flowers.components as Json[]).map((label) => [label.label, (label.component as Json).type]),
      [['Bouquet', 21]],
    );

    // A submits the old step 2 (whose `name` the new step 2 also asks for): told, not completed.
    const aTwo = await a.submit(aOpen2.callback.data as Json, STEP2, messageOf(aOne.entry));
    assert.equal(aTwo.callback.data?.content, FORM_CHANGED);
    assert.equal(aTwo.callback.data?.flags, 64);
    const aAgain = await a.submit(aOpen2.callback.data as Json, STEP2, messageOf(aOne.entry));
    assert.equal(aAgain.callback.data?.content, `${EXPIRED}\n${STEP_NOT_SAVED}`, 'the session was ended');

    // B presses Continue (the new form has a step 2 too): told, nothing opened.
    const bContinue = await b.click('Continue to Final Step', messageOf(bOne.entry));
    assert.equal(bContinue.callback.type, 4);
    assert.equal(bContinue.callback.data?.content, FORM_CHANGED);
    const bAgain = await b.click('Continue to Final Step', messageOf(bOne.entry));
    assert.equal(bAgain.callback.data?.content, EXPIRED);

    // D submits the old form's step 1.
    const dOne = await d.submit(dOpened.callback.data as Json, STEP1);
    assert.equal(dOne.callback.data?.content, FORM_CHANGED);

    // C completes the new form.
    const cOne = await c.submit(flowers, { bouquet: 'Tulips' });
    const cOpen2 = await c.click('Continue to Final Step', messageOf(cOne.entry));
    assert.equal((cOpen2.callback.data as Json).title, 'Card');
    const cTwo = await c.submit(cOpen2.callback.data as Json, { name: 'Grace' }, messageOf(cOne.entry));
    const summary = fieldsOf((messageOf(cTwo.entry).embeds as Json[])[0]!);
    assert.equal(summary.Bouquet, 'Tulips');
    assert.equal(summary['Name for the card'], 'Grace');
    assert.equal(summary.Flavour, undefined);
    await discord.waitFor(() =>
      discord.channelMessages.find((m) => String(m.body.content).includes(userC.id)),
    );

    assert.equal(bot.logs.filter((l) => l.event === 'order.form_changed').length, 3);
    const rows = exportCsv();
    const mine = new Set([userA.id, userB.id, userD.id]);
    assert.deepEqual(
      rows.filter((r) => mine.has(String(r.discord_user_id))),
      [],
      'no order from a session of the old form',
    );
    const cRow = rows.find((r) => r.discord_user_id === userC.id)!;
    assert.equal(cRow.bouquet, 'Tulips');
    assert.equal(cRow.flavour, '', 'an order of the new form has no old field');
    assert.deepEqual(
      discord.channelMessages.filter((m) => [...mine].some((id) => String(m.body.content).includes(id))),
      [],
      'no staff post for them',
    );
    assert.deepEqual(discord.specViolations, []);
  });
});

describe('an invalid form.json', () => {
  const long = 'x'.repeat(46);
  const text = (key: string, more: Json = {}) => ({ key, label: key, type: 'text', ...more });
  const cases: { name: string; fields: Json[]; line: string }[] = [
    {
      name: 'a duplicate key',
      fields: [text('name'), text('phone'), text('name')],
      line: 'steps[1].fields[2].key: "name" is already the key of steps[1].fields[0]: keys must differ',
    },
    {
      name: 'six fields in a step',
      fields: ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => text(key)),
      line: 'steps[1].fields: a step has 1-5 fields (a Discord modal shows 5), got 6 items',
    },
    {
      name: 'a select without options',
      fields: [text('name'), { key: 'bread', label: 'Bread', type: 'select' }],
      line: 'steps[1].fields[1].options: a select needs 1-25 options, missing',
    },
    {
      name: 'a label of 46 characters',
      fields: [text('name', { label: long })],
      line: `steps[1].fields[0].label: a label is at most 45 characters (Discord's limit), got "${long}"`,
    },
    {
      name: 'an unknown type',
      fields: [text('name'), text('colour', { type: 'colour' })],
      line: 'steps[1].fields[1].type: unknown type: expected one of text, paragraph, email, url, date, number, price, select, radio, checkboxes, got "colour"',
    },
  ];

  test('the bot exits 1 with one line naming form.json and the field: a duplicate key, six fields, a select without options, a 46-character label, an unknown type', async () => {
    await Promise.all(
      cases.map(async ({ name, fields, line }) => {
        const dir = writeConfigDir();
        // A valid first step; the problem is in the second.
        const steps = [
          { title: 'Order', fields: [text('item')] },
          { title: 'Details', fields },
        ];
        writeFileSync(join(dir, 'form.json'), JSON.stringify({ steps }, null, 2));
        const bot = startBot({ env: { DISCORD_BOT_TOKEN: 'x', CONFIG_DIR: dir } });
        const { code } = await bot.exited;
        assert.equal(code, 1, name);
        assert.equal(bot.stderr.join('\n').trim(), `${dir}/form.json: ${line}`, name);
      }),
    );
  });
});
