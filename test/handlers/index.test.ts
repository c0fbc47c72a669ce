/**
 * Every handler in-process, as `createHandlers` registers them and `main.ts` routes them: the
 * real context, router and dispatcher, session store, limits, caps and order store (temporary
 * folder), with a recording Discord and a clock the test moves (see `test/support/order-harness.ts`).
 *
 * - `/order_form`: the address check, who may order, the cooldown and daily cap, the first modal.
 * - The steps: specific problems with a prefilled "Fix", Continue, Cancel, the final submit that
 *   commits one order with its jobs before answering, replays, stale and forged nonces, expiry,
 *   a failed commit, public summaries; the email caps on a completed order.
 * - `/ping` and `/run_diagnostics` (who may see it, and the live figures).
 *
 * One file, not one per handler: each test file is its own Node process with tsx, about 1.3 s of
 * start-up before the first test, several times what these tests take.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type APIModalInteractionResponseCallbackData, ButtonStyle } from 'discord-api-types/v10';
import { createResponder } from '../../src/discord/responder.ts';
import { StoreUnavailableError } from '../../src/errors.ts';
import { type AppContext, openModal } from '../../src/handlers/context.ts';
import { EN, translator } from '../../src/i18n/translate.ts';
import { silentLogger } from '../../src/log.ts';
import { BUSY, EXPIRED, INVALID_EMAIL, NOT_THIS_SERVER, ORDERS_UNAVAILABLE } from '../../src/order/texts.ts';
import { validInputs } from '../support/customer.ts';
import {
  buttonId,
  buttonsOf,
  createOrderHarness,
  type HarnessOptions,
  messageOf,
  type OrderHarness,
} from '../support/order-harness.ts';
import {
  ADMIN_PERMISSIONS,
  buttonPress,
  createRecordingDiscord,
  MEMBER_PERMISSIONS,
  modalOf,
  modalSubmit,
  slashCommand,
  type TestUser,
} from '../support/recording-discord.ts';

const EPHEMERAL = 64;
const alice = { id: '200000000000000011' };
const bob = { id: '200000000000000012' };
const STAFF_CHANNEL = '1300000000000000009';

/** The modal's text inputs as `[custom_id, label, required]`. */
function inputsOf(modal: APIModalInteractionResponseCallbackData) {
  return modal.components.map((component) => {
    assert.equal(component.type, 18, 'a Label');
    if (component.type !== 18) throw new Error('unreachable');
    const input = component.component as { custom_id: string; required?: boolean; value?: string };
    return [input.custom_id, component.label, input.required];
  });
}

/** Commits an order for `userId` straight into the store, as a completed form does. */
function pastOrder(h: OrderHarness, userId: string, createdAt: number) {
  h.orders.commit(
    { orderNumber: 'ORD-0', userId, guildId: undefined, email: 'a@example.com', fields: {}, createdAt },
    [],
  );
}

describe('/order_form', () => {
  let h: OrderHarness;
  afterEach(() => h.close());

  test("a bad address gets the seed's message, ephemeral, and starts nothing", async () => {
    h = createOrderHarness();
    for (const email of ['not-an-email', 'a@b', 'two@@example.com', '']) {
      const [answer, ...more] = await h.send(slashCommand(alice, 'order_form', { email }));
      assert.equal(more.length, 0, 'one answer');
      assert.equal(answer?.route, 'callback');
      assert.deepEqual(messageOf(answer), {
        allowed_mentions: { parse: [] },
        content: INVALID_EMAIL,
        flags: EPHEMERAL,
      });
    }
    assert.equal(h.sessions.size, 0);
  });

  test('a good address opens step 1 as a modal and starts a session with the normalised address', async () => {
    h = createOrderHarness();
    const command = slashCommand(alice, 'order_form', { email: '  Alice@Example.COM ' });
    const [answer] = await h.send(command);
    const modal = modalOf(answer);
    assert.equal(modal.title, 'Order Details - Step 1');
    assert.match(modal.custom_id, /^order_modal:1:[\w-]+$/);
    assert.deepEqual(inputsOf(modal), [
      ['order_number', 'Order Number', true],
      ['estimated_arrival_start_date', 'Arrival Start', true],
      ['estimated_arrival_end_date', 'Arrival End', true],
      ['product_image_url', 'Image URL', true],
      ['product_name', 'Product Name', true],
    ]);
    const nonce = modal.custom_id.split(':')[2]!;
    const session = await h.sessions.get(alice.id, nonce);
    assert.equal(session?.email, 'Alice@example.com', 'domain in lower case, local part as typed');
    assert.equal(session?.guildId, command.guild_id);
    assert.equal(h.metrics.counters.interactions, 1);
  });

  test('the cooldown after an order answers how long to wait; then the form opens again', async () => {
    h = createOrderHarness({ config: { order_cooldown_seconds: 60 } });
    pastOrder(h, alice.id, h.now() - 15_000);
    const [refused] = await h.send(slashCommand(alice, 'order_form', { email: 'a@example.com' }));
    assert.equal(messageOf(refused).content, '⏳ You just placed an order. You can start another in 45s.');
    assert.equal(messageOf(refused).flags, EPHEMERAL);
    assert.equal(h.sessions.size, 0);
    h.advance(45_000);
    const [opened] = await h.send(slashCommand(alice, 'order_form', { email: 'a@example.com' }));
    assert.equal(modalOf(opened).title, 'Order Details - Step 1');
  });

  test('the daily cap counts the last 24 hours and says when the next order is possible', async () => {
    h = createOrderHarness({ config: { daily_order_limit: 2, order_cooldown_seconds: 0 } });
    pastOrder(h, alice.id, h.now() - 23 * 3_600_000); // leaves the window in 1 hour
    pastOrder(h, alice.id, h.now() - 3_600_000);
    pastOrder(h, '200000000000000099', h.now()); // someone else's order does not count
    const [refused] = await h.send(slashCommand(alice, 'order_form', { email: 'a@example.com' }));
    assert.equal(
      messageOf(refused).content,
      '⏳ You have reached the limit of 2 orders in 24 hours. You can order again in 1h 0m.',
    );
    h.advance(3_600_000);
    const [opened] = await h.send(slashCommand(alice, 'order_form', { email: 'a@example.com' }));
    assert.equal(modalOf(opened).title, 'Order Details - Step 1');
  });

  test("outside the shop's servers, and without an allowed role, nothing opens", async () => {
    h = createOrderHarness({
      config: { allowed_guild_ids: ['1300000000000000001'], allowed_role_ids: ['1400000000000000001'] },
    });
    const elsewhere = slashCommand(alice, 'order_form', { email: 'a@example.com' }, '1399999999999999999');
    assert.equal(messageOf((await h.send(elsewhere))[0]).content, NOT_THIS_SERVER);
    const [noRole] = await h.send(slashCommand(alice, 'order_form', { email: 'a@example.com' }));
    assert.match(String(messageOf(noRole).content), /open to members with the <@&1400000000000000001> role/);
    assert.equal(h.sessions.size, 0);
    const member = { ...alice, roles: ['1400000000000000001'] };
    const [opened] = await h.send(slashCommand(member, 'order_form', { email: 'a@example.com' }));
    assert.equal(modalOf(opened).title, 'Order Details - Step 1');
  });

  test('when the session cap is full a new customer is told to come back, and nothing breaks', async () => {
    h = createOrderHarness({ config: { max_sessions: 1 } });
    await h.send(slashCommand(alice, 'order_form', { email: 'a@example.com' }));
    const [busy] = await h.send(
      slashCommand({ id: '200000000000000002' }, 'order_form', { email: 'b@example.com' }),
    );
    assert.match(String(messageOf(busy).content), /very busy right now/);
    assert.equal(h.sessions.size, 1);
  });
});

/** The values a modal was opened with, by text input custom_id (only those with a value). */
function prefillOf(modal: APIModalInteractionResponseCallbackData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const component of modal.components) {
    if (component.type !== 18 || component.component.type !== 4) continue;
    if (component.component.value !== undefined)
      values[component.component.custom_id] = component.component.value;
  }
  return values;
}

/** A customer on the in-process bot: runs /order_form, submits modals, presses buttons. */
function customer(h: OrderHarness, user: TestUser) {
  return {
    async start(email = 'alice@example.com') {
      return modalOf((await h.send(slashCommand(user, 'order_form', { email })))[0]);
    },
    /** Submits `modal`; resolves with the one answer. */
    async submit(
      modal: APIModalInteractionResponseCallbackData,
      values: Record<string, string>,
      from?: unknown,
    ) {
      const interaction = modalSubmit(user, modal, values, from);
      const answers = await h.send(interaction);
      return { interaction, answers, answer: answers[0]! };
    },
    /** Presses the button labelled `label` on `message`; resolves with the one answer. */
    async press(message: Record<string, unknown>, label: string) {
      const answers = await h.send(buttonPress(user, buttonId(message, label), message));
      return answers[0]!;
    },
  };
}

/** Walks steps 1 and 2 with valid values; resolves with step 3's modal and the message it came from. */
async function throughStep2(h: OrderHarness, user: TestUser, email?: string) {
  const c = customer(h, user);
  const inputs = validInputs(7);
  const one = await c.submit(await c.start(email), inputs[1]);
  const open2 = modalOf(await c.press(messageOf(one.answer), 'Continue to Step 2'));
  const two = await c.submit(open2, inputs[2], messageOf(one.answer));
  const from = messageOf(two.answer);
  const open3 = modalOf(await c.press(from, 'Continue to Final Step'));
  return { c, inputs, open3, from };
}

describe('order form steps', () => {
  let h: OrderHarness;
  const harness = (options?: HarnessOptions) => {
    h = createOrderHarness(options);
    return h;
  };
  afterEach(() => h.close());

  test('invalid values get one specific line each and a red "Fix" button that reopens the modal prefilled', async () => {
    harness();
    const c = customer(h, alice);
    const typed = {
      order_number: 'ORD-1',
      estimated_arrival_start_date: '2025-02-30',
      estimated_arrival_end_date: '2025-03-14',
      product_image_url: 'ftp://example.com/a.jpg',
      product_name: '   ',
    };
    const { answer } = await c.submit(await c.start(), typed);
    assert.equal(answer.route, 'callback');
    assert.equal((answer.body as { type: number }).type, 4, 'a new message: the modal came from a command');
    const message = messageOf(answer);
    assert.equal(message.flags, EPHEMERAL);
    assert.equal(
      message.content,
      [
        '⚠️ Step 1 of 3 needs a fix:',
        '• **Arrival Start** must be a real date written YYYY-MM-DD, for example 2025-03-14.',
        '• **Image URL** must be a web address starting with http:// or https://.',
        '• **Product Name** is required.',
        '',
        'Press **Fix Step 1**: the form reopens with everything you typed.',
      ].join('\n'),
    );
    const [fix, cancel] = buttonsOf(message);
    assert.deepEqual([fix?.label, fix?.style, cancel?.label], ['Fix Step 1', ButtonStyle.Danger, 'Cancel']);

    const reopened = modalOf(await c.press(message, 'Fix Step 1'));
    assert.match(reopened.custom_id, /^order_modal:1:/);
    assert.deepEqual(prefillOf(reopened), typed, 'everything typed comes back, even the blank name');
    assert.equal(h.orders.list().length, 0);
  });

  test('an end date before the start and a bad price are named on the field they belong to', async () => {
    harness();
    const c = customer(h, alice);
    const inputs = validInputs();
    const bad1 = { ...inputs[1], estimated_arrival_end_date: '2025-03-01' };
    const { answer } = await c.submit(await c.start(), bad1);
    assert.match(
      String(messageOf(answer).content),
      /• \*\*Arrival End\*\* must not be before Arrival Start\./,
    );

    const fixed = await c.submit(
      modalOf(await c.press(messageOf(answer), 'Fix Step 1')),
      inputs[1],
      messageOf(answer),
    );
    const open2 = modalOf(await c.press(messageOf(fixed.answer), 'Continue to Step 2'));
    const two = await c.submit(open2, { ...inputs[2], purchase_price: 'cheap' }, messageOf(fixed.answer));
    assert.equal((two.answer.body as { type: number }).type, 7, 'from a button: the message is updated');
    const message = messageOf(two.answer);
    assert.match(
      String(message.content),
      /^⚠️ Step 2 of 3 needs a fix:\n• \*\*Purchase Price\*\* must be an amount/,
    );
    assert.equal(buttonsOf(message)[0]?.label, 'Fix Step 2');
    assert.equal(prefillOf(modalOf(await c.press(message, 'Fix Step 2'))).purchase_price, 'cheap');
  });

  test('a valid step answers with a Continue button; the next modal opens empty, an earlier one prefilled', async () => {
    harness();
    const c = customer(h, alice);
    const inputs = validInputs();
    const one = await c.submit(await c.start(), { ...inputs[1], product_name: '  Runner  ' });
    const message = messageOf(one.answer);
    assert.equal(message.content, '✅ Step 1 of 3 complete.');
    assert.deepEqual(
      buttonsOf(message).map((b) => [b.label, b.style]),
      [
        ['Continue to Step 2', ButtonStyle.Primary],
        ['Cancel', ButtonStyle.Secondary],
      ],
    );
    const open2 = modalOf(await c.press(message, 'Continue to Step 2'));
    assert.equal(open2.title, 'Order Details - Step 2');
    assert.deepEqual(prefillOf(open2), {});
    // Going back to step 1 (an earlier step's button) shows what was accepted, trimmed.
    const nonce = open2.custom_id.split(':')[2]!;
    const back = modalOf((await h.send(buttonPress(alice, `order_open:1:${nonce}`, message)))[0]);
    assert.equal(prefillOf(back).product_name, 'Runner');
  });

  test('the final submit commits exactly one order with its jobs, then answers with the summary', async () => {
    harness({ config: { orders_channel_id: STAFF_CHANNEL } });
    const { c, inputs, open3, from } = await throughStep2(h, alice);
    const final = await c.submit(open3, inputs[3], from);

    const orders = h.orders.list();
    assert.equal(orders.length, 1);
    const order = orders[0]!;
    assert.equal(order.userId, alice.id);
    assert.equal(order.email, 'alice@example.com');
    assert.equal(order.orderNumber, inputs[1].order_number);
    assert.deepEqual(order.fields, { ...inputs[1], ...inputs[2], ...inputs[3] });
    assert.equal(order.emailRefused, null);
    const jobs = h.orders.jobsOf(order.id);
    assert.deepEqual(
      jobs.map((job) => job.kind),
      ['staff_post', 'email', 'customer_message'],
    );
    assert.deepEqual(jobs[0]!.payload, { channel_id: STAFF_CHANNEL });
    assert.deepEqual(jobs[2]!.payload, {
      application_id: final.interaction.application_id,
      token: final.interaction.token,
      mode: 'edit',
      interaction_at: h.now(),
    });

    assert.equal(final.answers.length, 1);
    assert.equal((final.answer.body as { type: number }).type, 7, 'the step message becomes the summary');
    const summary = messageOf(final.answer);
    assert.match(String(summary.content), /^📧 Sending your confirmation to alice\\@example\.com…$/);
    assert.deepEqual(summary.components, []);
    const [embed] = summary.embeds as { title: string; description: string; fields: { name: string }[] }[];
    assert.equal(embed?.title, '📦 Order Submitted!');
    assert.equal(embed?.description, `Order **ORD\\-00007** · reference #${order.id}`);
    assert.ok(
      embed?.fields.some((f) => f.name === '📦 Shipping To'),
      'an ephemeral summary shows the address',
    );

    assert.equal(h.outboxCalls.notified, 1, 'the outbox is told at once');
    assert.deepEqual(
      h.outboxCalls.released,
      [jobs[2]!.id],
      'the customer message is released after the answer',
    );
    assert.equal(h.sessions.size, 0);
    assert.deepEqual(h.ended, ['completed']);
  });

  test('a replayed final submit, or "Continue" pressed again, creates no second order and shows the one taken', async () => {
    harness();
    const { c, inputs, open3, from } = await throughStep2(h, alice);
    const first = await c.submit(open3, inputs[3], from);
    const [order] = h.orders.list();
    const replay = await c.submit(open3, inputs[3], from);
    const shown = messageOf(replay.answer);
    assert.equal(shown.content, translator('en-US')('already_received'));
    assert.deepEqual(shown.embeds, messageOf(first.answer).embeds, 'the same summary');
    const again = messageOf(await c.press(from, 'Continue to Final Step'));
    assert.equal(
      again.content,
      translator('en-US')('already_received'),
      'the button the answer was lost after shows it too',
    );
    const [bobs] = await h.send(modalSubmit(bob, open3, inputs[3], from));
    assert.match(
      String(messageOf(bobs).content),
      /expired/,
      "another member naming Alice's form sees nothing of it",
    );
    assert.equal(h.orders.list().length, 1);
    assert.equal(h.orders.list()[0]?.id, order?.id);
    assert.equal(h.outboxCalls.notified, 1);
  });

  test('a form left behind by a process that died after committing its order: Cancel, Continue and any step show that order and change nothing', async () => {
    harness();
    const { c, inputs, open3, from } = await throughStep2(h, alice);
    const nonce = String(open3.custom_id).split(':').at(-1)!;
    const before = await h.sessions.get(alice.id, nonce);
    assert.ok(before);
    await c.submit(open3, inputs[3], from);
    assert.equal(h.orders.list().length, 1);
    // As if the process had died before removing the form: it is back, every step accepted.
    await h.sessions.restore({ ...before, accepted: { ...before.accepted, 3: inputs[3] } });
    const already = translator('en-US')('already_received');

    const cancel = messageOf(await c.press(from, 'Cancel'));
    assert.equal(cancel.content, already, 'Cancel does not claim the order was cancelled');
    const reopen = messageOf(await c.press(from, 'Continue to Final Step'));
    assert.equal(reopen.content, already);
    const open2 = { ...open3, custom_id: String(open3.custom_id).replace(':3:', ':2:') };
    const changed = await c.submit(open2 as typeof open3, { ...inputs[2], color: 'Changed' }, from);
    assert.equal(
      messageOf(changed.answer).content,
      already,
      'a step changed after the order shows the order',
    );
    const again = await c.submit(open3, { ...inputs[3], shipping_address: '99 Other Road' }, from);
    const shown = messageOf(again.answer);
    assert.equal(shown.content, already);
    assert.doesNotMatch(JSON.stringify(shown.embeds), /99 Other Road/, 'the summary shows what was stored');
    assert.equal(h.orders.list().length, 1);
    assert.equal(h.orders.list()[0]?.fields.shipping_address, inputs[3].shipping_address);
    assert.equal(h.orders.list()[0]?.fields.color, inputs[2].color);
  });

  test('a stale, unknown or skipped-ahead nonce gets the expired answer and changes nothing', async () => {
    harness();
    const c = customer(h, alice);
    const modal = await c.start();
    const nonce = modal.custom_id.split(':')[2]!;
    const stale = { ...modal, custom_id: 'order_modal:1:notthenonce' };
    assert.match(
      String(messageOf((await c.submit(stale, validInputs()[1])).answer).content),
      /^⌛ This order form expired/,
    );
    // Step 3 before step 1: refused like a stale form, nothing saved.
    const ahead = { ...modal, custom_id: `order_modal:3:${nonce}` };
    assert.equal(messageOf((await c.submit(ahead, validInputs()[1])).answer).content, EXPIRED);
    assert.deepEqual((await h.sessions.get(alice.id, nonce))?.accepted, {});
    // Another user's nonce is not theirs.
    const bobs = await h.send(modalSubmit(bob, modal, validInputs()[1]));
    assert.match(String(messageOf(bobs[0]).content), /^⌛ This order form expired/);
    // A button or modal of a prefix this version does not know (after an upgrade).
    for (const interaction of [
      buttonPress(alice, 'order_old:1:x'),
      modalSubmit(alice, { ...modal, custom_id: 'gone:1' }, {}),
    ]) {
      const [answer] = await h.send(interaction);
      assert.deepEqual([messageOf(answer).content, messageOf(answer).flags], [EXPIRED, EPHEMERAL]);
    }
    // A Continue button of a form that was replaced by a new /order_form.
    const one = await c.submit(modal, validInputs()[1]);
    await c.start();
    assert.equal(messageOf(await c.press(messageOf(one.answer), 'Continue to Step 2')).content, EXPIRED);
  });

  test('a session idle past its time expires: its buttons answer that the form expired', async () => {
    harness({ config: { session_ttl_seconds: 900 } });
    const c = customer(h, alice);
    const one = await c.submit(await c.start(), validInputs()[1]);
    h.advance(899_000);
    assert.equal(
      modalOf(await c.press(messageOf(one.answer), 'Continue to Step 2')).title,
      'Order Details - Step 2',
    );
    h.advance(900_000);
    assert.equal(messageOf(await c.press(messageOf(one.answer), 'Continue to Step 2')).content, EXPIRED);
    assert.deepEqual(h.ended, ['expired']);
  });

  test('Cancel discards the draft and replaces the message; a second press says it expired', async () => {
    harness();
    const c = customer(h, alice);
    const one = await c.submit(await c.start(), validInputs()[1]);
    const cancelled = await c.press(messageOf(one.answer), 'Cancel');
    assert.equal((cancelled.body as { type: number }).type, 7);
    assert.match(String(messageOf(cancelled).content), /^🗑️ Order cancelled\. Nothing was sent\./);
    assert.deepEqual(messageOf(cancelled).components, []);
    assert.deepEqual(h.ended, ['cancelled']);
    assert.equal(messageOf(await c.press(messageOf(one.answer), 'Cancel')).content, EXPIRED);
  });

  test('a commit that fails writes nothing, keeps the draft and offers "Submit again", which then works', async () => {
    harness();
    const { c, inputs, open3, from } = await throughStep2(h, alice);
    h.orders.database.exec(
      "CREATE TRIGGER full_disk BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    const failed = await c.submit(open3, inputs[3], from);
    const message = messageOf(failed.answer);
    assert.match(String(message.content), /could not be saved just now, so nothing was sent/);
    assert.equal(h.orders.list().length, 0);
    assert.equal(h.outboxCalls.notified, 0);
    assert.deepEqual(h.ended, [], 'no order counted as completed');
    h.orders.database.exec('DROP TRIGGER full_disk');
    const again = modalOf(await c.press(message, 'Submit again'));
    assert.deepEqual(prefillOf(again), inputs[3], 'what was typed is kept');
    const done = await c.submit(again, inputs[3], message);
    assert.match(String(messageOf(done.answer).content), /Sending your confirmation/);
    assert.equal(h.orders.list().length, 1);
    assert.deepEqual(h.ended, ['completed'], 'the order counted once');
  });

  test('a store that cannot be reached (Redis restarting) is told as "try again in a minute", not as a failure', async () => {
    harness();
    const c = customer(h, alice);
    const one = await c.submit(await c.start(), validInputs()[1]);
    const real = h.sessions.get;
    h.sessions.get = () =>
      Promise.reject(new StoreUnavailableError('Redis session store: get failed: Socket closed'));
    const pressed = await c.press(messageOf(one.answer), 'Continue to Step 2');
    assert.equal(messageOf(pressed).content, ORDERS_UNAVAILABLE);
    assert.equal(messageOf(pressed).flags, EPHEMERAL);
    assert.equal(h.metrics.counters.interaction_errors ?? 0, 0, 'not counted as a handler failure');
    h.sessions.get = real;
    assert.equal(
      modalOf(await c.press(messageOf(one.answer), 'Continue to Step 2')).title,
      'Order Details - Step 2',
    );
  });

  test('a public summary is posted for all, and the email status is told to the customer alone', async () => {
    harness({ config: { order_summary: 'public' } });
    const { c, inputs, open3, from } = await throughStep2(h, alice);
    const final = await c.submit(open3, inputs[3], from);
    assert.deepEqual(
      final.answers.map((a) => a.route),
      ['callback', 'followup'],
    );
    const summary = messageOf(final.answers[0]);
    assert.equal(summary.flags, undefined, 'public');
    const [embed] = summary.embeds as { fields: { name: string }[] }[];
    assert.ok(!embed?.fields.some((f) => f.name === '📦 Shipping To'), 'no address in public');
    assert.equal(messageOf(final.answers[1]).flags, EPHEMERAL);
    assert.equal((h.orders.jobsOf(h.orders.list()[0]!.id)[1]!.payload as { mode: string }).mode, 'followup');
  });
});

describe('email caps on a completed order', () => {
  let h: OrderHarness;
  afterEach(() => h.close());

  test('an order whose email the per-mailbox cap refused is stored with the reason and no email job', async () => {
    h = createOrderHarness({
      config: { recipient_daily_limit: 1, order_cooldown_seconds: 0, orders_channel_id: STAFF_CHANNEL },
    });
    const first = await throughStep2(h, alice, 'shopper@gmail.com');
    await first.c.submit(first.open3, first.inputs[3], first.from);
    // The same Gmail mailbox, written another way, by someone else.
    const second = await throughStep2(h, bob, 'Sho.Pper+gifts@googlemail.com');
    const final = await second.c.submit(second.open3, second.inputs[3], second.from);

    const [newest, oldest] = h.orders.list();
    assert.equal(oldest?.emailRefused, null);
    assert.equal(newest?.userId, bob.id);
    assert.equal(newest?.emailRefused, 'this address has already been sent 1 confirmation today');
    assert.deepEqual(
      h.orders.jobsOf(newest!.id).map((job) => [job.kind, job.payload]),
      [['staff_post', { channel_id: STAFF_CHANNEL, email_note: newest?.emailRefused }]],
      'the staff are told; no email and no email-outcome message',
    );
    assert.equal(
      messageOf(final.answer).content,
      '✅ Your order was received and the shop has it. No confirmation email was sent: this address has already been sent 1 confirmation today. The shop will contact you if needed.',
    );
    assert.equal(h.metrics.counters.emails_refused, 1);
    assert.deepEqual(
      h.outboxCalls.released,
      [h.orders.jobsOf(oldest!.id)[2]!.id],
      'nothing to release for the second',
    );
  });

  test('the per-user daily email cap refuses the third confirmation to a user, whatever the address', async () => {
    h = createOrderHarness({ config: { order_cooldown_seconds: 0, user_daily_email_limit: 2 } });
    for (const email of ['one@example.com', 'two@example.com', 'three@example.com']) {
      const walk = await throughStep2(h, alice, email);
      await walk.c.submit(walk.open3, walk.inputs[3], walk.from);
    }
    assert.deepEqual(
      h.orders.list().map((order) => order.emailRefused),
      ['you have already been sent 2 confirmations today', null, null],
    );
  });

  test('with email switched off the order is still taken, with no email job and a plain answer', async () => {
    h = createOrderHarness({ mail: false });
    const { c, inputs, open3, from } = await throughStep2(h, alice);
    const final = await c.submit(open3, inputs[3], from);
    const [order] = h.orders.list();
    assert.deepEqual(h.orders.jobsOf(order!.id), []);
    assert.equal(order?.emailRefused, null, 'nothing was refused: mail is off');
    assert.match(String(messageOf(final.answer).content), /Confirmation emails are switched off/);
  });
});

const admin = { id: '200000000000000021', permissions: ADMIN_PERMISSIONS };
const manager = { id: '200000000000000022', permissions: String(1n << 5n) }; // Manage Server only
const member = { id: '200000000000000023', permissions: MEMBER_PERMISSIONS };

describe('status commands', () => {
  let h: OrderHarness;
  afterEach(() => h.close());

  test('/ping answers in public with the gateway latency, and says so before the first heartbeat', async () => {
    h = createOrderHarness();
    const [early] = await h.send(slashCommand(member, 'ping'));
    assert.match(String(messageOf(early).content), /^Pong! Latency: not measured yet/);
    h.gateway.latency.set(0, 41.6);
    h.gateway.latency.set(1, 44.4);
    const [answer, ...more] = await h.send(slashCommand(member, 'ping'));
    assert.equal(more.length, 0);
    assert.deepEqual(messageOf(answer), { allowed_mentions: { parse: [] }, content: 'Pong! Latency: 43ms' });
  });

  test('/run_diagnostics refuses a member, ephemerally, and shows nothing', async () => {
    h = createOrderHarness();
    const [answer] = await h.send(slashCommand(member, 'run_diagnostics'));
    assert.deepEqual(messageOf(answer), {
      allowed_mentions: { parse: [] },
      content: '🚫 Access denied: /run_diagnostics needs the Manage Server permission.',
      flags: EPHEMERAL,
    });
  });

  test("/run_diagnostics refuses even an administrator of a server that is not the shop's", async () => {
    h = createOrderHarness({ config: { allowed_guild_ids: ['1300000000000000001'] } });
    const [answer] = await h.send(slashCommand(admin, 'run_diagnostics', {}, '1399999999999999999'));
    assert.match(String(messageOf(answer).content), /works only in the shop's own Discord server/);
    assert.doesNotMatch(String(messageOf(answer).content), /Diagnostics/);
  });

  test('/run_diagnostics shows an administrator or a manager the live figures, ephemerally', async () => {
    h = createOrderHarness({ start: Date.now() });
    await h.send(slashCommand(member, 'order_form', { email: 'a@example.com' })); // one open form
    h.orders.commit(
      {
        orderNumber: 'ORD-1',
        userId: member.id,
        guildId: undefined,
        email: 'a@example.com',
        fields: {},
        createdAt: h.now(),
      },
      [{ kind: 'email' }, { kind: 'staff_post' }],
    );
    h.metrics.count('emails_sent');
    h.gateway.latency.set(0, 12);
    h.advance(90_000);
    for (const user of [admin, manager]) {
      const [answer] = await h.send(slashCommand(user, 'run_diagnostics'));
      const message = messageOf(answer);
      assert.equal(message.flags, EPHEMERAL);
      const lines = String(message.content).split('\n');
      assert.equal(lines[0], '**🔧 Bot Diagnostics**');
      for (const line of [
        '**Ping:** 12ms',
        '**Uptime:** 0d 0h 1m 30s',
        '**Active order sessions:** 1',
        '**Outbox:** 2 pending, oldest waiting 90s, 0 failed',
        '**Emails since start:** 1 sent, 0 failed, 0 retried',
        '**Notifications since start:** emails 0 sent, 0 failed; DMs 0 sent, 0 refused, 0 failed; webhooks 0 sent, 0 failed',
        '**SMTP:** ⏳ not checked yet',
      ]) {
        assert.ok(lines.includes(line), `${line} in:\n${lines.join('\n')}`);
      }
      assert.ok(
        lines.some((line) => /^\*\*Orders:\*\* [01] today, 1 total \(1 received\)$/.test(line)),
        lines.join('\n'),
      );
    }
  });
});

/** `openModal`: a deferred interaction cannot become a modal, so the customer is told the bot is busy. */
const modal = { custom_id: 'order_modal:1:n', title: 'Step 1', components: [] };

function modalContext(deferFirst: boolean) {
  const discord = createRecordingDiscord();
  const interaction = slashCommand({ id: '200000000000000011' }, 'order_form', { email: 'a@example.com' });
  const respond = createResponder(discord.api, interaction, { deferAfterMs: 0 });
  const ctx = { respond, log: silentLogger, t: EN } as unknown as AppContext;
  return { discord, interaction, ctx, ready: deferFirst ? respond.defer(true) : Promise.resolve() };
}

test('the modal is the first answer while nothing was sent', async () => {
  const { discord, interaction, ctx } = modalContext(false);
  await openModal(ctx, modal);
  const [answer] = discord.answersTo(interaction);
  assert.deepEqual(answer?.body, { type: 9, data: modal });
});

test('after a defer, the customer is told the bot is busy (an edit of the deferred answer), not left with nothing', async () => {
  const { discord, interaction, ctx, ready } = modalContext(true);
  await ready;
  await openModal(ctx, modal);
  const answers = discord.answersTo(interaction);
  assert.equal(answers.length, 2);
  assert.equal((answers[0]!.body as { type: number }).type, 5);
  assert.equal(answers[1]!.route, 'edit');
  assert.equal((answers[1]!.body as { content: string }).content, BUSY);
});
