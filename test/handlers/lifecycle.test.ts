/**
 * The staff post's buttons and modals and `/my_orders`, in-process (the real registry, context,
 * router and SQLite store; a recording Discord, see `test/support/order-harness.ts`): who may act,
 * what each answer says, the change and the jobs committed with it, the edge cases of forged and
 * stale custom_ids, and a tracking link that is not a web address.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { NOT_STAFF, ORDER_NOT_FOUND } from '../../src/order/texts.ts';
import {
  buttonId,
  buttonsOf,
  createOrderHarness,
  messageOf,
  type OrderHarness,
} from '../support/order-harness.ts';
import {
  ADMIN_PERMISSIONS,
  buttonPress,
  GUILD_ID,
  MEMBER_PERMISSIONS,
  modalOf,
  modalSubmit,
  slashCommand,
} from '../support/recording-discord.ts';

const STAFF_CHANNEL = '1300000000000000009';
const STAFF_ROLE = '1300000000000000077';
const buyer = { id: '200000000000000031' };
const admin = { id: '200000000000000032', permissions: ADMIN_PERMISSIONS };
const clerk = { id: '200000000000000033', permissions: MEMBER_PERMISSIONS, roles: [STAFF_ROLE] };
const stranger = { id: '200000000000000034', permissions: MEMBER_PERMISSIONS };

let h: OrderHarness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

/** A harness with a staff channel and a staff role, and one order of `buyer` (ID 1). */
function shop() {
  h = createOrderHarness({
    config: {
      orders_channel_id: STAFF_CHANNEL,
      staff_role_ids: [STAFF_ROLE],
      webhook_url: 'https://hooks.example/orders',
    },
  });
  h.orders.commit(
    {
      orderNumber: 'ORD-9',
      userId: buyer.id,
      guildId: GUILD_ID,
      email: 'buyer@example.com',
      fields: { order_number: 'ORD-9', product_name: 'Runner 9' },
      createdAt: h.now(),
    },
    [{ kind: 'staff_post', payload: { channel_id: STAFF_CHANNEL } }],
  );
  return h;
}

const text = (answers: Awaited<ReturnType<OrderHarness['send']>>) => String(messageOf(answers[0]).content);

test('Accept by an administrator: the order is accepted, its event and notifications committed, the outbox told', async () => {
  const bot = shop();
  const [answer] = await bot.send(buttonPress(admin, 'order_staff:accept:1:received'));
  assert.equal(messageOf(answer).flags, 64);
  assert.match(String(messageOf(answer).content), /Order \\#1 is now \*\*Accepted\*\*/);
  assert.equal(bot.orders.get(1)?.lifecycle, 'accepted');
  assert.deepEqual(
    bot.orders.history(1).map((e) => [e.actor, e.from, e.to]),
    [[admin.id, 'received', 'accepted']],
  );
  assert.deepEqual(
    bot.orders
      .jobsOf(1)
      .slice(1)
      .map((job) => job.kind),
    ['status_email', 'status_dm', 'staff_post_edit', 'webhook'],
  );
  assert.equal(bot.outboxCalls.notified, 1);
  assert.equal(bot.metrics.counters.status_changes, 1);
});

test('a member with neither permission nor staff role: every button and modal refused, nothing written', async () => {
  const bot = shop();
  for (const id of ['order_staff:accept:1:received', 'order_staff:cancel:1:received']) {
    assert.equal(text(await bot.send(buttonPress(stranger, id))), NOT_STAFF);
  }
  const forged = {
    custom_id: 'order_staff_modal:cancel:1:received',
    title: 'x',
    components: [{ type: 18, label: 'Reason', component: { type: 4, custom_id: 'reason', style: 2 } }],
  } as unknown as Parameters<typeof modalSubmit>[1];
  assert.equal(text(await bot.send(modalSubmit(stranger, forged, { reason: 'forged' }))), NOT_STAFF);
  assert.equal(bot.orders.get(1)?.lifecycle, 'received');
  assert.deepEqual(bot.orders.history(1), []);
  assert.equal(bot.orders.jobsOf(1).length, 1);
});

test('Mark shipped opens the tracking modal; a link that is not http(s) is refused and nothing changes; a good one ships', async () => {
  const bot = shop();
  await bot.send(buttonPress(clerk, 'order_staff:accept:1:received'));
  const modal = modalOf((await bot.send(buttonPress(clerk, 'order_staff:ship:1:accepted')))[0]);
  assert.equal(modal.custom_id, 'order_staff_modal:ship:1:accepted');
  assert.equal(modal.title, 'Ship order #1');
  const bad = await bot.send(
    modalSubmit(clerk, modal, { tracking_number: 'T-1', tracking_url: 'track.example/T-1' }),
  );
  assert.match(text(bad), /must be a web address starting with http/);
  assert.equal(bot.orders.get(1)?.lifecycle, 'accepted');
  // Nothing typed is lost: the fix reopens the form with both values.
  const fix = buttonId(messageOf(bad[0]), 'Fix the tracking link');
  const reopened = modalOf((await bot.send(buttonPress(clerk, fix, messageOf(bad[0]))))[0]);
  const prefilled = Object.fromEntries(
    reopened.components.map((label) => {
      const input = (label as { component: { custom_id: string; value?: string } }).component;
      return [input.custom_id, input.value];
    }),
  );
  assert.deepEqual(prefilled, { tracking_number: 'T-1', tracking_url: 'track.example/T-1' });
  // Another staff member's form is not prefilled with it.
  const theirs = modalOf((await bot.send(buttonPress(admin, 'order_staff:ship:1:accepted')))[0]);
  assert.ok(theirs.components.every((label) => !('value' in (label as { component: object }).component)));
  const good = await bot.send(
    modalSubmit(clerk, modal, { tracking_number: ' T-1 ', tracking_url: 'https://track.example/T-1' }),
  );
  assert.match(text(good), /is now \*\*Shipped\*\*/);
  const order = bot.orders.get(1);
  assert.equal(order?.trackingNumber, 'T-1', 'trimmed');
  assert.equal(order?.trackingUrl, 'https://track.example/T-1');
});

test('Cancel order needs a reason; a button on a post that is out of date says what happened instead', async () => {
  const bot = shop();
  const modal = modalOf((await bot.send(buttonPress(admin, 'order_staff:cancel:1:received')))[0]);
  assert.match(text(await bot.send(modalSubmit(admin, modal, { reason: '   ' }))), /A reason is needed/);
  assert.equal(bot.orders.get(1)?.lifecycle, 'received');
  assert.match(text(await bot.send(modalSubmit(admin, modal, { reason: 'Sold out' }))), /\*\*Cancelled\*\*/);
  // The same post's Accept, pressed after the cancel.
  const stale = text(await bot.send(buttonPress(clerk, 'order_staff:accept:1:received')));
  assert.match(stale, /Already done: this order is now \*\*Cancelled\*\*/);
  // The same modal submitted again: the change from received is gone, and who made it is named.
  const again = text(await bot.send(modalSubmit(clerk, modal, { reason: 'again' })));
  assert.match(again, new RegExp(`Already done: this order is now \\*\\*Cancelled\\*\\* by <@${admin.id}>`));
  assert.equal(bot.orders.history(1).length, 1);
});

test("forged staff custom_ids: an unknown action or status, another server's order, a missing order", async () => {
  const bot = shop();
  assert.match(text(await bot.send(buttonPress(admin, 'order_staff:refund:1:received'))), /expired/);
  assert.match(text(await bot.send(buttonPress(admin, 'order_staff:accept:1:lost'))), /expired/);
  assert.equal(text(await bot.send(buttonPress(admin, 'order_staff:accept:99:received'))), ORDER_NOT_FOUND);
  bot.orders.commit(
    {
      orderNumber: 'X',
      userId: buyer.id,
      guildId: '1300000000000000555',
      email: 'x@example.com',
      fields: {},
      createdAt: bot.now(),
    },
    [],
  );
  assert.equal(text(await bot.send(buttonPress(admin, 'order_staff:accept:2:received'))), ORDER_NOT_FOUND);
  assert.equal(bot.orders.get(2)?.lifecycle, 'received');
  // Accept opens no modal: a submit naming it is forged.
  const forged = { custom_id: 'order_staff_modal:accept:1:received', title: 'x', components: [] };
  assert.match(text(await bot.send(modalSubmit(admin, forged, {}))), /expired/);
  assert.equal(bot.orders.get(1)?.lifecycle, 'received');
});

test("/my_orders: the member's own orders only, a cancel button for received ones, and the confirmation step", async () => {
  const bot = shop();
  const none = await bot.send(slashCommand(stranger, 'my_orders'));
  assert.match(text(none), /haven't placed any orders/);
  const [list] = await bot.send(slashCommand(buyer, 'my_orders'));
  const message = messageOf(list);
  assert.equal(message.flags, 64);
  assert.match(String(message.content), /\*\*ORD\\-9\*\* \(#1\) · \d{4}-\d\d-\d\d · Runner 9 · Received/);
  assert.deepEqual(
    buttonsOf(message).map((b) => b.label),
    ['Cancel #1'],
  );
  // Someone else pressing the buyer's button (or forging it) finds nothing.
  const other = await bot.send(buttonPress(stranger, buttonId(message, 'Cancel #1'), message));
  assert.match(text(other), /cannot be found/);
  const [asked] = await bot.send(buttonPress(buyer, buttonId(message, 'Cancel #1'), message));
  assert.match(String(messageOf(asked).content), /Cancel your order \\#1\?/);
  const [kept] = await bot.send(buttonPress(buyer, 'my_order_keep', messageOf(asked)));
  assert.match(String(messageOf(kept).content), /unchanged/);
  assert.equal(bot.orders.get(1)?.lifecycle, 'received');
  const [done] = await bot.send(buttonPress(buyer, 'my_order_confirm:1', messageOf(asked)));
  assert.match(String(messageOf(done).content), /is cancelled/);
  assert.equal(bot.orders.get(1)?.lifecycle, 'cancelled');
  const [after] = await bot.send(slashCommand(buyer, 'my_orders'));
  assert.match(String(messageOf(after).content), /· Cancelled/);
  assert.deepEqual(buttonsOf(messageOf(after)), []);
});
