/**
 * `/order_form` in-process: the address check, who may order, the cooldown and the daily cap (read
 * from the committed orders), and the first modal. Real router, context, session store and order
 * store (temporary folder); answers recorded, not sent.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import { INVALID_EMAIL, NOT_THIS_SERVER } from '../../src/order/texts.ts';
import { createOrderHarness, messageOf, type OrderHarness } from '../support/order-harness.ts';
import { modalOf, slashCommand } from '../support/recording-discord.ts';

const alice = { id: '200000000000000001' };
const EPHEMERAL = 64;

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
    const session = h.sessions.get(alice.id, nonce);
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
