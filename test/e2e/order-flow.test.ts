/**
 * End to end: the order form in the built bot, through the fake Discord, to a real SMTP server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import { EXPIRED, INVALID_EMAIL } from '../../src/order/texts.ts';
import { type BotProcess, shopEnv, startBot } from '../support/bot-process.ts';
import { completeOrder, customer, messageOf, userMaker, validInputs } from '../support/customer.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';
import { startFakeServices } from '../support/services.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000001';
const newUser = userMaker(400_000_000_000_000_000n, 'customer');

function launch(
  discord: FakeDiscord,
  smtp: TestSmtpServer,
  overrides: Record<string, unknown> = {},
): BotProcess {
  return startBot({
    env: shopEnv(discord, smtp, {
      shop_name: 'Acme Sneakers',
      orders_channel_id: STAFF_CHANNEL,
      image_hosts: ['cdn.example.com'],
      // These tests are about the form, not the anti-relay caps (test/e2e/hardening.test.ts).
      recipient_daily_limit: 100,
      server_hourly_limit: 10_000,
      mail_hourly_limit: 10_000,
      mail_retry_initial_seconds: 0.05,
      mail_max_attempts: 2,
      ...overrides,
    }),
  });
}

const fieldsOf = (embed: Json) => Object.fromEntries((embed.fields as Json[]).map((f) => [f.name, f.value]));

describe('the order form', () => {
  let discord: FakeDiscord;
  let smtp: TestSmtpServer;
  let bot: BotProcess;

  before(async () => {
    discord = await startFakeDiscord({ guilds: 2 });
    smtp = await startSmtpServer();
    bot = launch(discord, smtp);
    await bot.waitForLog('bot.ready');
    await bot.waitForLog('smtp.ready');
  });
  after(async () => {
    await bot.stop('SIGKILL');
    await smtp.close();
    await discord.close();
  });

  test('the whole flow: three modals, summary, staff channel and a parsed confirmation email', async () => {
    const user = newUser();
    const { final } = await completeOrder(discord, user, 'jane@example.com', validInputs(7));
    assert.equal(final.callback?.type, 7, 'the step message becomes the summary');
    const summary = messageOf(final);
    const embed = (summary.embeds as Json[])[0]!;
    assert.equal(embed.title, '📦 Order Submitted!');
    const fields = fieldsOf(embed);
    assert.equal(fields['📦 Product'], 'Runner 7');
    assert.equal(fields['💰 Total Paid'], '$150.00');
    assert.equal(fields['📅 Estimated Arrival'], '2025\\-03\\-10 to 2025\\-03\\-14');
    assert.equal(fields['👗 Style ID'], 'STY\\-7');
    assert.equal(fields['📏 Size'], '10');
    assert.equal(fields['🎨 Color'], 'Black');
    assert.equal(fields['🧼 Condition'], 'New');
    assert.equal(fields['📦 Shipping To'], '7 Main St\nSpringfield, IL 62701');
    assert.deepEqual((embed.thumbnail as Json).url, 'https://cdn.example.com/products/7.jpg');

    const edit = await customer(discord, user).waitForEdit(final, /Confirmation sent/);
    assert.equal(edit.content, '📧 Confirmation sent to jane\\@example.com');

    const staff = await discord.waitFor(() =>
      discord.channelMessages.find((m) => String(m.body.content).includes(user.id)),
    );
    assert.equal(staff.channelId, STAFF_CHANNEL);
    assert.equal(staff.body.content, `🛒 New order from <@${user.id}>`);
    assert.deepEqual(staff.body.allowed_mentions, { parse: [] });
    const staffFields = fieldsOf((staff.body.embeds as Json[])[0]!);
    assert.equal(staffFields.Email, 'jane\\@example.com');
    assert.equal(staffFields['Shipping Address'], '7 Main St\nSpringfield, IL 62701');
    assert.match(String((staff.body.embeds as Json[])[0]!.description), /Customer 7 notes/);

    const [mail] = await smtp.waitForRecipients(['jane@example.com']);
    assert.deepEqual(mail!.envelope.to, ['jane@example.com']);
    assert.match(String(mail!.parsed.subject), /^Your Acme Sneakers order #\d+ is confirmed$/);
    const html = String(mail!.parsed.html);
    for (const value of [
      'ORD-00007',
      'Runner 7',
      'STY-7',
      '$150.00',
      '2025-03-10',
      '2025-03-14',
      'Customer 7 notes',
      'jane@example.com',
    ]) {
      assert.ok(html.includes(value), `email lacks ${value}`);
    }
    assert.ok(html.includes('src="https://cdn.example.com/products/7.jpg"'));
  });

  test('an invalid address gets the seed message with an example', async () => {
    for (const email of [
      'invalid-email',
      'missing@domain',
      `${'a'.repeat(250)}@example.com`,
      'a b@example.com',
    ]) {
      const { callback } = await customer(discord, newUser()).command('order_form', { email });
      assert.equal(callback.type, 4);
      assert.equal(callback.data?.content, INVALID_EMAIL);
      assert.equal(callback.data?.flags, 64);
    }
  });

  test('validation: every problem listed, and "Fix Step 1" reopens the modal with exactly what was typed', async () => {
    const c = customer(discord, newUser());
    const opened = await c.command('order_form', { email: 'fix@example.com' });
    const typed = {
      order_number: '   ',
      estimated_arrival_start_date: '2025-03-14',
      estimated_arrival_end_date: '2025-03-01',
      product_image_url: 'not a url',
      product_name: 'Good name',
    };
    const bad = await c.submit(opened.callback.data as Json, typed);
    assert.equal(bad.callback.type, 4);
    assert.equal(bad.callback.data?.flags, 64);
    const content = String(bad.callback.data?.content);
    assert.match(content, /Step 1 of 3 needs a fix/);
    assert.match(content, /\*\*Order Number\*\* is required/);
    assert.match(content, /\*\*Arrival End\*\* must not be before Arrival Start/);
    assert.match(content, /\*\*Image URL\*\* must be a web address/);
    assert.doesNotMatch(content, /Product Name/);

    const reopened = await c.click('Fix Step 1');
    assert.equal(reopened.callback.type, 9);
    const values = Object.fromEntries(
      ((reopened.callback.data as Json).components as Json[]).map((label) => {
        const input = label.component as Json;
        return [input.custom_id, input.value];
      }),
    );
    assert.deepEqual(values, typed);

    const fixed = await c.submit(reopened.callback.data as Json, validInputs(1)[1], messageOf(bad.entry));
    assert.equal(fixed.callback.type, 7);
    assert.match(String(fixed.callback.data?.content), /Step 1 of 3 complete/);
    const open2 = await c.click('Continue to Step 2');
    assert.equal((open2.callback.data as Json).title, 'Order Details - Step 2');
  });

  test('step 2 and 3 rules: price format and a required address', async () => {
    const c = customer(discord, newUser());
    const opened = await c.command('order_form', { email: 'rules@example.com' });
    const one = await c.submit(opened.callback.data as Json, validInputs(2)[1]);
    const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
    const two = await c.submit(
      open2.callback.data as Json,
      { ...validInputs(2)[2], purchase_price: 'cheap' },
      messageOf(one.entry),
    );
    assert.match(
      String(two.callback.data?.content),
      /\*\*Purchase Price\*\* must be an amount such as \$150\.00/,
    );
    const reopen2 = await c.click('Fix Step 2');
    const two2 = await c.submit(reopen2.callback.data as Json, validInputs(2)[2], messageOf(two.entry));
    const open3 = await c.click('Continue to Final Step', messageOf(two2.entry));
    const three = await c.submit(
      open3.callback.data as Json,
      { shipping_address: '  ', notes: 'hi' },
      messageOf(two2.entry),
    );
    assert.match(String(three.callback.data?.content), /\*\*Shipping Address\*\* is required/);
  });

  test('cancel discards the draft; its buttons then say the form expired', async () => {
    const c = customer(discord, newUser());
    const opened = await c.command('order_form', { email: 'cancel@example.com' });
    const one = await c.submit(opened.callback.data as Json, validInputs(3)[1]);
    const stepMessage = messageOf(one.entry);
    const cancelled = await c.click('Cancel', stepMessage);
    assert.equal(cancelled.callback.type, 7);
    assert.match(String(cancelled.callback.data?.content), /Order cancelled/);
    assert.deepEqual(cancelled.callback.data?.components, []);
    const stale = await c.click('Continue to Step 2', stepMessage);
    assert.equal(stale.callback.data?.content, EXPIRED);
  });

  test('starting again discards the earlier draft and says so', async () => {
    const c = customer(discord, newUser());
    const first = await c.command('order_form', { email: 'again@example.com' });
    await c.submit(first.callback.data as Json, validInputs(4)[1]);
    const oldMessage = c.lastMessage!;
    const second = await c.command('order_form', { email: 'again@example.com' });
    const one = await c.submit(second.callback.data as Json, validInputs(4)[1]);
    assert.match(String(one.callback.data?.content), /earlier unfinished order form was discarded/);
    const stale = await c.click('Continue to Step 2', oldMessage);
    assert.equal(stale.callback.data?.content, EXPIRED);
  });

  test('cooldown after a completed order answers with the time remaining', async () => {
    const user = newUser();
    await completeOrder(discord, user, 'cool@example.com', validInputs(5));
    const { callback } = await customer(discord, user).command('order_form', { email: 'cool@example.com' });
    assert.equal(callback.type, 4);
    assert.match(
      String(callback.data?.content),
      /You just placed an order\. You can start another in \d+s\./,
    );
  });

  test('HTML and markdown injection in every field: escaped in the email, harmless in Discord', async () => {
    const user = newUser();
    const evil = '<b>@everyone</b> **bold** [x](https://evil.example) <script>';
    const inputs = validInputs(9);
    for (const key of ['order_number', 'product_name'] as const)
      inputs[1][key] = `${key} ${evil}`.slice(0, key === 'order_number' ? 50 : 100);
    for (const key of ['style_id', 'product_size', 'product_condition', 'color'] as const)
      inputs[2][key] = `<i>${key}</i>*`.slice(0, 20);
    inputs[3] = { shipping_address: `1 St ${evil}`, notes: `${evil} "quoted" 'single'` };
    const { final } = await completeOrder(discord, user, 'evil@example.com', inputs);
    const embed = (messageOf(final).embeds as Json[])[0]!;
    const product = String(fieldsOf(embed)['📦 Product']);
    assert.ok(product.includes('\\*\\*bold\\*\\*') && product.includes('\\[x\\]\\(https\\:'), product);
    assert.ok(product.includes('\\<b\\>\\@everyone'), 'mentions are escaped');
    for (const request of discord.requests.filter(
      (r) => r.body && typeof r.body === 'object' && 'data' in (r.body as Json),
    )) {
      const data = (request.body as { data?: Json }).data;
      if (data && 'content' in data)
        assert.deepEqual(data.allowed_mentions, { parse: [] }, 'no message may ping');
    }
    const [mail] = await smtp.waitForRecipients(['evil@example.com']);
    const html = String(mail!.parsed.html);
    assert.ok(!html.includes('<script>') && !html.includes('<b>@everyone'), 'no raw user HTML');
    assert.ok(html.includes('&#60;b&#62;@everyone&#60;/b&#62; **bold**'));
  });

  test('200 customers interleaving their steps: each email reaches the right address with the right data', async () => {
    const users = Array.from({ length: 200 }, () => newUser());
    const addresses = users.map((_, i) => `buyer${i}@example.com`);
    await Promise.all(
      users.map((user, i) => completeOrder(discord, user, addresses[i]!, validInputs(1000 + i))),
    );
    const mails = await smtp.waitForRecipients(addresses, 60_000);
    for (let i = 0; i < 200; i++) {
      const mail = mails[i]!;
      assert.deepEqual(mail.envelope.to, [addresses[i]]);
      assert.match(String(mail.parsed.subject), /^Your Acme Sneakers order #\d+ is confirmed$/);
      assert.ok(String(mail.parsed.html).includes(`ORD-0${1000 + i}`));
      assert.ok(String(mail.parsed.html).includes(`Runner ${1000 + i}`));
      assert.ok(String(mail.parsed.html).includes(`${1000 + i} Main St`));
    }
    const times = bot.logs
      .filter(
        (l) =>
          l.event === 'interaction.handled' &&
          l.route === 'modal:order_modal' &&
          typeof l.first_response_ms === 'number',
      )
      .map((l) => l.first_response_ms as number)
      .sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.log(
      `bot-side modal submit -> reply over ${times.length} submits: median ${median} ms, worst ${times.at(-1)} ms`,
    );
    assert.deepEqual(
      discord.requests.filter((r) => r.status >= 400 && r.status !== 404),
      [],
    );
  });

  test('no email address, shipping address or secret appears in any log line', () => {
    const text = bot.stdout.join('\n') + bot.stderr.join('\n');
    for (const secret of [
      'jane@example.com',
      'buyer1@example.com',
      'Main St',
      'app-password',
      discord.token,
    ]) {
      assert.ok(!text.includes(secret), `log leaked ${secret}`);
    }
  });
});

describe('the order form, other configurations', { concurrency: 2 }, () => {
  /**
   * The test's own fake Discord and SMTP server, and a helper that runs `run` against a bot with
   * `overrides` on them: each test starts its own, so two can run side by side.
   */
  async function world(t: TestContext) {
    const { discord, smtp } = await startFakeServices(t);
    const withBot = async (overrides: Record<string, unknown>, run: (bot: BotProcess) => Promise<void>) => {
      const bot = launch(discord, smtp, overrides);
      try {
        await bot.waitForLog('bot.ready');
        await run(bot);
      } finally {
        await bot.stop('SIGKILL');
      }
    };
    return { discord, smtp, withBot };
  }

  test('an idle session expires', async (t) => {
    const { discord, withBot } = await world(t);
    await withBot({ session_ttl_seconds: 0.5 }, async () => {
      const c = customer(discord, newUser());
      const opened = await c.command('order_form', { email: 'slow@example.com' });
      await c.submit(opened.callback.data as Json, validInputs(1)[1]);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const late = await c.click('Continue to Step 2');
      assert.equal(late.callback.data?.content, EXPIRED);
    });
  });

  test('a button from before a restart says the form expired', async (t) => {
    const { discord, withBot } = await world(t);
    const user = newUser();
    const c = customer(discord, user);
    await withBot({}, async () => {
      const opened = await c.command('order_form', { email: 'restart@example.com' });
      await c.submit(opened.callback.data as Json, validInputs(1)[1]);
    });
    await withBot({}, async () => {
      const stale = await c.click('Continue to Step 2');
      assert.equal(stale.callback.data?.content, EXPIRED);
    });
  });

  test('the daily cap answers with the time remaining', async (t) => {
    const { discord, withBot } = await world(t);
    await withBot({ order_cooldown_seconds: 0, daily_order_limit: 2 }, async () => {
      const user = newUser();
      await completeOrder(discord, user, 'cap@example.com', validInputs(1));
      await completeOrder(discord, user, 'cap@example.com', validInputs(2));
      const { callback } = await customer(discord, user).command('order_form', { email: 'cap@example.com' });
      assert.match(
        String(callback.data?.content),
        /limit of 2 orders in 24 hours\. You can order again in (23h 59m|24h 0m)/,
      );
    });
  });

  test('allowed_role_ids restricts who may order', async (t) => {
    const { discord, withBot } = await world(t);
    const role = '500000000000000001';
    await withBot({ allowed_role_ids: [role] }, async () => {
      const denied = await customer(discord, newUser({ roles: ['500000000000000999'] })).command(
        'order_form',
        {
          email: 'r@example.com',
        },
      );
      assert.match(
        String(denied.callback.data?.content),
        /open to members with the <@&500000000000000001> role/,
      );
      const allowed = await customer(discord, newUser({ roles: [role] })).command('order_form', {
        email: 'r@example.com',
      });
      assert.equal(allowed.callback.type, 9);
    });
  });

  test('a public summary hides the address and tells the customer about the email privately', async (t) => {
    const { discord, withBot } = await world(t);
    await withBot({ order_summary: 'public' }, async () => {
      const user = newUser();
      const { final } = await completeOrder(discord, user, 'public@example.com', validInputs(3));
      assert.equal(final.callback?.type, 4);
      assert.equal(final.callback?.data?.flags, undefined, 'public');
      const fields = fieldsOf((messageOf(final).embeds as Json[])[0]!);
      assert.equal(fields['📦 Shipping To'], undefined);
      const note = await customer(discord, user).waitForEdit(final, /Confirmation sent/);
      assert.equal(note.flags, 64);
    });
  });

  test('email failure still completes the order and says so', async (t) => {
    const { discord, smtp, withBot } = await world(t);
    smtp.rejectRecipients.add('bounce@example.com');
    await withBot({}, async () => {
      const user = newUser();
      const { final } = await completeOrder(discord, user, 'bounce@example.com', validInputs(11));
      assert.equal((messageOf(final).embeds as Json[])[0]!.title, '📦 Order Submitted!');
      const edit = await customer(discord, user).waitForEdit(final, /received/);
      assert.match(
        String(edit.content),
        /Your order was received .* refused the address bounce\\@example\.com/,
      );
      await discord.waitFor(() =>
        discord.channelMessages.find((m) => String(m.body.content).includes(user.id)),
      );
    });
    await smtp.stop();
    await withBot({}, async (bot) => {
      const user = newUser();
      const { final } = await completeOrder(discord, user, 'down@example.com', validInputs(12));
      const edit = await customer(discord, user).waitForEdit(final, /received/);
      assert.match(String(edit.content), /could not be sent/);
      await bot.waitForLog('outbox.gave_up', (l) => l.kind === 'email' && l.reason === 'unreachable');
    });
    await smtp.start();
  });
});
