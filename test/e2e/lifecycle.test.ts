/**
 * End to end: an order's life after it is taken. The built bot runs as a process against the fake
 * Discord, a real SMTP server and a local webhook receiver (node:http in this file): staff act on
 * the staff post, the customer hears of each change by email and DM, `/my_orders` shows a member
 * their own orders, and the webhook receives every event signed. On SQLite, and on PostgreSQL with
 * `npm test -- --engine=postgres`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import type { StoredJob } from '../../src/store/engine.ts';
import {
  type BotProcess,
  endClaimsOfKilledBot,
  ROOT,
  readOrders,
  shopEnv,
  startBot,
  storeEnv,
} from '../support/bot-process.ts';
import { completeOrder, customer, findButton, userMaker } from '../support/customer.ts';
import { type FakeDiscord, type FakeUser, snowflake } from '../support/fake-discord.ts';
import { startFakeServices } from '../support/services.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000023';
const SECRET = 'whsec-test-0123456789';
const STAFF_ROLE = '400000000000000023';
/** Manage Server (0x20) on top of an everyday member's permissions. */
const MANAGER = String(1024n | 2048n | 65536n | 2147483648n | 32n);
const newUser = userMaker(623_000_000_000_000_000n, 'life');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined or false). */
async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** One webhook delivery as the receiver got it. */
interface Delivery {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Json;
}

/** A webhook receiver on 127.0.0.1 (on `port` when given); it answers 204 to each POST. */
async function startReceiver(t: TestContext, port = 0) {
  const deliveries: Delivery[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw) as Json });
    res.writeHead(204).end();
  });
  server.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { deliveries, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/orders` };
}

/** A port nothing listens on (listened on, then closed). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a delivery carries a valid signature of its raw body, as the README shows receivers check it. */
function signedRight(delivery: Delivery): boolean {
  const expected = `sha256=${createHmac('sha256', SECRET).update(delivery.raw).digest('hex')}`;
  return delivery.headers['x-signature-256'] === expected;
}

describe('after the order: staff act, customers hear, other systems are told', { concurrency: 2 }, () => {
  async function world(t: TestContext, options: { webhookUrl?: string } = {}) {
    const { discord, smtp } = await startFakeServices(t);
    const dir = mkdtempSync(join(tmpdir(), 'order-bot-data-'));
    const shop = shopEnv(discord, smtp, {
      shop_name: 'Acme Sneakers',
      orders_channel_id: STAFF_CHANNEL,
      staff_role_ids: [STAFF_ROLE],
      mail_retry_initial_seconds: 0.2,
      webhook_retry_initial_seconds: 0.2,
      ...(options.webhookUrl ? { webhook_url: options.webhookUrl } : {}),
    });
    const launch = (env: Record<string, string> = {}) =>
      startBot({ env: { ...shop, DATA_DIR: dir, WEBHOOK_SECRET: SECRET, ...env } });
    /** The owner's `npm run orders` on the bot's store and config folder. */
    const cli = (...args: string[]) => {
      const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          ...storeEnv(dir),
          CONFIG_DIR: String(shop.CONFIG_DIR),
          SENDER_EMAIL: String(shop.SENDER_EMAIL),
        },
        cwd: mkdtempSync(join(tmpdir(), 'order-bot-cli-cwd-')),
        encoding: 'utf8',
      });
      return { code: result.status, out: result.stdout, err: result.stderr };
    };
    const ready = async (bot: BotProcess) => {
      t.after(() => bot.stop());
      await bot.waitForLog('bot.ready');
      return bot;
    };
    const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
    /** The staff post of `user`'s order, as it is now (after edits). */
    const staffPost = (user: FakeUser) =>
      discord.channelMessages.find(
        (m) => m.channelId === STAFF_CHANNEL && String(m.message.content).includes(user.id),
      )?.message;
    const order = (id = 1) => readOrders(dir, (orders) => orders.get(id));
    const jobs = (id = 1) => readOrders(dir, (orders) => orders.jobsOf(id));
    const history = (id = 1) => readOrders(dir, (orders) => orders.history(id));
    /** A customer who has placed an order; resolves once its staff post is in the channel. */
    const placeOrder = async (user: FakeUser, email: string) => {
      await completeOrder(discord, user, email);
      return until(() => staffPost(user), 'the staff post');
    };
    return { discord, smtp, dir, launch, cli, ready, mailsTo, staffPost, order, jobs, history, placeOrder };
  }

  /** Presses the staff post's button `label` as `user`; resolves with the interaction's record. */
  const press = async (discord: FakeDiscord, user: FakeUser, post: Json, label: string) => {
    const entry = discord.click(user, { ...post, flags: 0 }, String(findButton(post, label).custom_id));
    await discord.waitForCallback(entry);
    return entry;
  };
  const contentOf = (entry: { callback?: { data?: Json } }) => String(entry.callback?.data?.content ?? '');
  const buttonLabels = (message: Json | undefined) =>
    ((message?.components as Json[] | undefined) ?? []).flatMap((row) =>
      ((row.components as Json[] | undefined) ?? []).map((button) => String(button.label)),
    );
  const statusField = (message: Json | undefined) =>
    String(((message?.embeds as Json[] | undefined)?.[0]?.fields as Json[] | undefined)?.[0]?.value ?? '');

  test('Accept, then Mark shipped with tracking: two status emails, two DMs, the post shows shipped, the webhook hears three signed events', async (t) => {
    const receiver = await startReceiver(t);
    const w = await world(t, { webhookUrl: receiver.url });
    const { discord } = w;
    await w.ready(w.launch());
    const buyer = newUser();
    const manager = newUser({ permissions: MANAGER });
    const post = await w.placeOrder(buyer, 'jane@example.com');
    assert.match(statusField(post), /Received/);
    assert.deepEqual(buttonLabels(post), ['Accept', 'Cancel order']);

    const accepted = await press(discord, manager, post, 'Accept');
    assert.equal(accepted.callback?.data?.flags, 64);
    assert.match(contentOf(accepted), /is now \*\*Accepted\*\*/);
    const afterAccept = await until(
      () => (buttonLabels(w.staffPost(buyer)).includes('Mark shipped') ? w.staffPost(buyer) : undefined),
      'the staff post edited to accepted',
    );
    assert.deepEqual(buttonLabels(afterAccept), ['Mark shipped', 'Cancel order']);
    assert.match(statusField(afterAccept), new RegExp(`Accepted\\*\\* · by <@${manager.id}>`));

    const ship = await press(discord, manager, afterAccept!, 'Mark shipped');
    assert.equal(ship.callback?.type, 9, 'Mark shipped opens a modal');
    const shipped = discord.submitModal(manager, ship.callback?.data as Json, {
      tracking_number: '1Z999AA10123456784',
      tracking_url: 'https://track.example/1Z999AA10123456784',
    });
    await discord.waitForCallback(shipped);
    assert.match(contentOf(shipped), /is now \*\*Shipped\*\*/);

    const final = await until(
      () => (statusField(w.staffPost(buyer)).includes('Shipped') ? w.staffPost(buyer) : undefined),
      'the staff post edited to shipped',
    );
    assert.deepEqual(buttonLabels(final), ['Mark delivered']);
    assert.ok(JSON.stringify(final).includes('1Z999AA10123456784'), 'the post shows the tracking number');

    const mails = await until(
      () => (w.mailsTo('jane@example.com').length >= 3 ? w.mailsTo('jane@example.com') : undefined),
      'three emails',
    );
    const acceptMail = mails.find((m) => /was accepted/.test(String(m.parsed.subject)));
    const shipMail = mails.find((m) => /has shipped/.test(String(m.parsed.subject)));
    assert.match(String(acceptMail?.parsed.subject), /order #1 was accepted/);
    assert.match(String(shipMail?.parsed.subject), /order #1 has shipped/);
    assert.ok(String(shipMail?.parsed.html).includes('1Z999AA10123456784'));
    assert.ok(String(shipMail?.parsed.html).includes('href="https://track.example/1Z999AA10123456784"'));
    assert.notEqual(acceptMail?.parsed.messageId, shipMail?.parsed.messageId);

    const dms = await until(
      () => (discord.dmsTo(buyer.id).length >= 2 ? discord.dmsTo(buyer.id) : undefined),
      'two DMs',
    );
    assert.match(String(dms[0]?.content), /accepted your order/);
    assert.match(
      String(dms[1]?.content),
      /has shipped[\s\S]*1Z999AA10123456784[\s\S]*<https:\/\/track\.example\/1Z999AA10123456784>/,
    );

    const deliveries = await until(
      () => (receiver.deliveries.length >= 3 ? receiver.deliveries : undefined),
      'three webhooks',
    );
    await sleep(500); // would a fourth come?
    assert.equal(receiver.deliveries.length, 3);
    const byStatus = new Map(deliveries.map((d) => [String((d.body.order as Json).status), d]));
    assert.deepEqual([...byStatus.keys()].sort(), ['accepted', 'received', 'shipped']);
    assert.equal(byStatus.get('received')?.body.event, 'order.created');
    assert.equal(byStatus.get('shipped')?.body.event, 'order.status_changed');
    for (const delivery of deliveries) {
      assert.ok(signedRight(delivery), `a valid signature on ${delivery.body.event}`);
      assert.equal(delivery.headers['x-delivery-id'], delivery.body.delivery_id);
      const order = delivery.body.order as Json;
      assert.equal(order.id, 1);
      assert.equal(order.reference, '#1');
      assert.equal((order.fields as Json).order_number, 'ORD-00001');
    }
    assert.equal(new Set(deliveries.map((d) => d.body.delivery_id)).size, 3);
    const shippedBody = byStatus.get('shipped')?.body ?? {};
    assert.equal((shippedBody.order as Json).tracking_number, '1Z999AA10123456784');
    assert.equal((shippedBody.change as Json).from, 'accepted');

    const stored = await w.order();
    assert.equal(stored?.lifecycle, 'shipped');
    assert.deepEqual(
      (await w.history()).map((event) => [event.actor, event.from, event.to, event.trackingNumber]),
      [
        [manager.id, 'received', 'accepted', null],
        [manager.id, 'accepted', 'shipped', '1Z999AA10123456784'],
      ],
    );

    // A member with a staff role (no Manage Server) may act too.
    const clerk = newUser({ roles: [STAFF_ROLE] });
    const delivered = await press(discord, clerk, final!, 'Mark delivered');
    assert.match(contentOf(delivered), /is now \*\*Delivered\*\*/);
    await until(
      () => (buttonLabels(w.staffPost(buyer)).length === 0 ? true : undefined),
      'no buttons after delivered',
    );
  });

  test('a member without the permission or a staff role presses each button and forges each modal: refused, nothing changes, nothing is sent', async (t) => {
    const w = await world(t);
    const { discord } = w;
    await w.ready(w.launch());
    const buyer = newUser();
    const stranger = newUser({ roles: [snowflake()] });
    const post = await w.placeOrder(buyer, 'mo@example.com');
    await until(() => (w.mailsTo('mo@example.com').length === 1 ? true : undefined), 'the confirmation');
    for (const label of ['Accept', 'Cancel order']) {
      const entry = await press(discord, stranger, post, label);
      assert.equal(entry.callback?.type, 4, `${label}: a message, not a modal`);
      assert.match(contentOf(entry), /Only the shop's staff can change orders/);
      assert.equal(entry.callback?.data?.flags, 64);
    }
    // The buyer is not staff either.
    const own = await press(discord, buyer, post, 'Accept');
    assert.match(contentOf(own), /Only the shop's staff/);
    // Forged submits of both modals, with everything a real one would carry.
    const forged = (action: string, values: Record<string, string>) => ({
      custom_id: `order_staff_modal:${action}:1:${action === 'ship' ? 'accepted' : 'received'}`,
      components: Object.keys(values).map((key) => ({
        type: 18,
        label: key,
        component: { type: 4, custom_id: key, style: 1 },
      })),
    });
    for (const [action, values] of [
      ['ship', { tracking_number: 'X', tracking_url: 'https://evil.example' }],
      ['cancel', { reason: 'forged' }],
    ] as const) {
      const entry = discord.submitModal(stranger, forged(action, values), values);
      await discord.waitForCallback(entry);
      assert.match(contentOf(entry), /Only the shop's staff/, action);
    }
    await sleep(800);
    assert.equal((await w.order())?.lifecycle, 'received');
    assert.deepEqual(await w.history(), []);
    assert.equal(w.mailsTo('mo@example.com').length, 1, 'only the confirmation');
    assert.deepEqual(discord.dmsTo(buyer.id), []);
    assert.deepEqual(discord.messageEdits, []);
  });

  test('two staff press Cancel and Mark shipped at the same moment: one change wins, the other is told', async (t) => {
    const w = await world(t);
    const { discord } = w;
    await w.ready(w.launch());
    const buyer = newUser();
    const [alice, bob] = [newUser({ permissions: MANAGER }), newUser({ roles: [STAFF_ROLE] })];
    const post = await w.placeOrder(buyer, 'race@example.com');
    await press(discord, alice, post, 'Accept');
    const accepted = await until(
      () => (buttonLabels(w.staffPost(buyer)).includes('Mark shipped') ? w.staffPost(buyer) : undefined),
      'the post edited to accepted',
    );
    const cancelModal = await press(discord, alice!, accepted!, 'Cancel order');
    const shipModal = await press(discord, bob!, accepted!, 'Mark shipped');
    assert.equal(cancelModal.callback?.type, 9);
    assert.equal(shipModal.callback?.type, 9);
    // Both submits written to the socket before either is answered.
    const submits = [
      discord.submitModal(alice!, cancelModal.callback?.data as Json, { reason: 'Out of stock' }),
      discord.submitModal(bob!, shipModal.callback?.data as Json, { tracking_number: 'TRK-1' }),
    ];
    await Promise.all(submits.map((entry) => discord.waitForCallback(entry)));
    const answers = submits.map(contentOf);
    const won = answers.filter((text) => /^✅ Order .* is now \*\*(Cancelled|Shipped)\*\*/.test(text));
    const told = answers.filter((text) =>
      /Already done: this order is now \*\*(Cancelled|Shipped)\*\* by <@/.test(text),
    );
    assert.equal(won.length, 1, answers.join('\n'));
    assert.equal(told.length, 1, answers.join('\n'));
    const events = await w.history();
    assert.equal(events.length, 2, 'accept, then the one change that won');
    assert.equal((await w.order())?.lifecycle, events[1]?.to);
    await until(() => (discord.dmsTo(buyer.id).length >= 2 ? true : undefined), 'the DMs');
    await sleep(500);
    assert.equal(discord.dmsTo(buyer.id).length, 2, 'one DM per change that happened');
  });

  test('SIGKILL right after a status change commits: after the restart each notification goes out exactly once', async (t) => {
    const receiver = await startReceiver(t);
    const w = await world(t, { webhookUrl: receiver.url });
    const { discord } = w;
    const first = await w.ready(w.launch({ ORDERBOT_CRASH_AT: 'after_status_change' }));
    const buyer = newUser();
    const manager = newUser({ permissions: MANAGER });
    const post = await w.placeOrder(buyer, 'kill@example.com');
    await until(() => (receiver.deliveries.length === 1 ? true : undefined), 'order.created');
    await until(() => (w.mailsTo('kill@example.com').length === 1 ? true : undefined), 'the confirmation');
    discord.click(manager, { ...post, flags: 0 }, String(findButton(post, 'Accept').custom_id));
    const died = await first.exited;
    assert.equal(died.signal, 'SIGKILL', 'the bot died right after the change committed');
    endClaimsOfKilledBot(w.dir);
    assert.equal((await w.order())?.lifecycle, 'accepted', 'the change was committed before the crash');

    await w.ready(w.launch());
    await until(() => (w.mailsTo('kill@example.com').length === 2 ? true : undefined), 'the status email');
    await until(() => (discord.dmsTo(buyer.id).length === 1 ? true : undefined), 'the DM');
    await until(() => (receiver.deliveries.length === 2 ? true : undefined), 'order.status_changed');
    await until(() => (discord.messageEdits.length === 1 ? true : undefined), 'the staff post edit');
    await until(
      async () => ((await w.jobs()).every((job: StoredJob) => job.status === 'done') ? true : undefined),
      'every job done',
    );
    await sleep(1000); // would a second copy come?
    assert.equal(w.mailsTo('kill@example.com').length, 2);
    assert.equal(discord.dmsTo(buyer.id).length, 1);
    assert.equal(receiver.deliveries.length, 2);
    assert.equal(discord.messageEdits.length, 1);
    assert.match(statusField(w.staffPost(buyer)), /Accepted/);
  });

  test('a customer whose DMs are closed (50007): the email still goes, the DM is recorded as refused, no retry loop', async (t) => {
    const w = await world(t);
    const { discord } = w;
    await w.ready(w.launch());
    const buyer = newUser();
    discord.closedDms.add(buyer.id);
    const manager = newUser({ permissions: MANAGER });
    const post = await w.placeOrder(buyer, 'closed@example.com');
    await press(discord, manager, post, 'Accept');
    await until(() => (w.mailsTo('closed@example.com').length === 2 ? true : undefined), 'the status email');
    const dm = await until(
      async () => (await w.jobs()).find((job) => job.kind === 'status_dm' && job.status === 'failed'),
      'the DM job failed',
    );
    assert.equal(dm.reason, 'dm_closed');
    assert.equal(dm.attempts, 1);
    assert.match(String(dm.detail), /code 50007/);
    await sleep(1000);
    const tries = discord.requests.filter(
      (r) => r.method === 'POST' && r.path === `/channels/${discord.dmChannels.get(buyer.id)}/messages`,
    );
    assert.equal(tries.length, 1, 'tried once, not again');
    assert.equal((await w.order())?.lifecycle, 'accepted');
    const diagnostics = await customer(discord, manager).command('run_diagnostics');
    const text = String(diagnostics.callback.data?.content);
    assert.match(text, /DMs 0 sent, 1 refused, 0 failed/, text);
    assert.match(text, /Notifications since start:\*\* emails 1 sent/, text);
    assert.match(text, /\(1 accepted\)/, 'orders by status');
  });

  test("/my_orders shows the member their own orders and never another member's; cancel works for received orders only", async (t) => {
    const w = await world(t);
    const { discord } = w;
    await w.ready(w.launch());
    const [ann, ben] = [newUser(), newUser()];
    const manager = newUser({ permissions: MANAGER });
    await w.placeOrder(ann, 'ann@example.com');
    const benPost = await w.placeOrder(ben, 'ben@example.com');
    await press(discord, manager, benPost, 'Accept');

    const annView = await customer(discord, ann).command('my_orders');
    const annText = String(annView.callback.data?.content);
    assert.equal(annView.callback.data?.flags, 64);
    assert.match(annText, /ORD\\-00001\*\* \(#1\) · \d{4}-\d\d-\d\d · Runner 1 · Received/);
    assert.ok(!annText.includes('#2'), "never another member's order");
    assert.deepEqual(buttonLabels(annView.callback.data), ['Cancel #1']);

    const benView = await customer(discord, ben).command('my_orders');
    assert.match(String(benView.callback.data?.content), /\(#2\) · .* · Accepted/);
    assert.ok(!String(benView.callback.data?.content).includes('(#1)'));
    assert.deepEqual(buttonLabels(benView.callback.data), [], 'an accepted order cannot be cancelled here');

    // Ann forges a cancel of Ben's order: refused, Ben's order unchanged.
    const forged = discord.click(ann, { ...(annView.entry.original as Json) }, 'my_order_confirm:2');
    await discord.waitForCallback(forged);
    assert.match(String(forged.callback?.data?.content), /cannot be found/);
    // Ann cancels her own, with the confirmation step.
    const annC = customer(discord, ann);
    const asked = await annC.click('Cancel #1', annView.entry.original as Json);
    assert.match(String(asked.callback.data?.content), /Cancel your order \\#1\?/);
    const done = await annC.click('Yes, cancel it', asked.entry.original as Json);
    assert.match(String(done.callback.data?.content), /is cancelled/);
    assert.equal((await w.order(1))?.lifecycle, 'cancelled');
    assert.equal((await w.order(2))?.lifecycle, 'accepted');
    assert.deepEqual(
      (await w.history(1)).map((e) => [e.actor, e.to, e.reason]),
      [[ann.id, 'cancelled', 'Cancelled by the customer']],
    );
    await until(
      () => (statusField(w.staffPost(ann)).includes('Cancelled') ? true : undefined),
      'the staff post shows it',
    );
    assert.deepEqual(buttonLabels(w.staffPost(ann)), []);
    // Pressing the old confirmation again: it is no longer received.
    const again = await annC.click('Yes, cancel it', asked.entry.original as Json);
    assert.match(String(again.callback.data?.content), /already cancelled/);
    assert.equal((await w.history(1)).length, 1);
  });

  test('webhook receiver down, then up: each event is delivered after it returns, once', async (t) => {
    const port = await freePort();
    const w = await world(t, { webhookUrl: `http://127.0.0.1:${port}/hooks/orders` });
    const { discord } = w;
    await w.ready(w.launch());
    const buyer = newUser();
    const manager = newUser({ permissions: MANAGER });
    const post = await w.placeOrder(buyer, 'hook@example.com');
    await press(discord, manager, post, 'Accept');
    await until(
      async () =>
        (await w.jobs()).filter((job) => job.kind === 'webhook' && job.attempts >= 2).length === 2
          ? true
          : undefined,
      'both webhooks tried and refused a connection',
    );
    const receiver = await startReceiver(t, port);
    await until(() => (receiver.deliveries.length >= 2 ? true : undefined), 'both webhooks delivered');
    await until(
      async () =>
        (await w.jobs()).filter((job) => job.kind === 'webhook').every((job) => job.status === 'done')
          ? true
          : undefined,
      'the webhook jobs done',
    );
    await sleep(1000);
    assert.equal(receiver.deliveries.length, 2);
    assert.deepEqual(receiver.deliveries.map((d) => d.body.event).sort(), [
      'order.created',
      'order.status_changed',
    ]);
    assert.ok(receiver.deliveries.every(signedRight));
  });

  test("the owner's CLI: status shipped with tracking notifies as the buttons do; show prints the history; list --status filters; the CSV has the status and last change", async (t) => {
    const receiver = await startReceiver(t);
    const w = await world(t, { webhookUrl: receiver.url });
    const { discord } = w;
    await w.ready(w.launch());
    const [buyer, other] = [newUser(), newUser()];
    await w.placeOrder(buyer, 'cli@example.com');
    await w.placeOrder(other, 'other@example.com');

    const refused = w.cli('status', '1', 'shipped');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /Order #1 is received; it cannot become shipped/);
    const noReason = w.cli('status', '1', 'cancelled');
    assert.equal(noReason.code, 1);
    assert.match(noReason.err, /--reason/);
    assert.equal(w.cli('status', '1', 'accepted').code, 0);
    const shipped = w.cli(
      'status',
      '1',
      'shipped',
      '--tracking',
      'CLI-TRK-7',
      '--tracking-url',
      'https://track.example/CLI-TRK-7',
    );
    assert.equal(shipped.code, 0, shipped.err);
    assert.match(shipped.out, /Order #1: accepted -> shipped\. 4 notification\(s\) queued/);

    await until(() => (w.mailsTo('cli@example.com').length === 3 ? true : undefined), 'two status emails');
    assert.ok(w.mailsTo('cli@example.com').some((m) => String(m.parsed.html).includes('CLI-TRK-7')));
    await until(() => (discord.dmsTo(buyer.id).length === 2 ? true : undefined), 'two DMs');
    await until(
      () => (statusField(w.staffPost(buyer)).includes('Shipped') ? true : undefined),
      'the post edited',
    );
    assert.match(statusField(w.staffPost(buyer)), /by the owner \(CLI\)/);
    await until(() => (receiver.deliveries.length === 4 ? true : undefined), 'two created, two changed');

    const show = w.cli('show', '1');
    assert.equal(show.code, 0);
    assert.match(show.out, /^Order #1: shipped, created/m);
    assert.match(show.out, /Tracking: CLI-TRK-7 {2}https:\/\/track\.example\/CLI-TRK-7/);
    assert.match(
      show.out,
      /History:\n.*received -> accepted {2}by the owner \(CLI\)\n.*accepted -> shipped {2}by the owner \(CLI\) {2}\(tracking CLI-TRK-7; https:\/\/track\.example\/CLI-TRK-7\)/,
    );

    const list = w.cli('list', '--status', 'shipped');
    assert.equal(list.code, 0);
    assert.match(list.out, /#1 .* shipped /);
    assert.ok(!list.out.includes('#2 '), 'only shipped orders');
    const csv = w.cli('export', '--csv');
    assert.equal(csv.code, 0);
    const [header, first, second] = csv.out.replace(/^\uFEFF/, '').split('\r\n');
    assert.match(String(header), /"order_status","status_changed_at"$/);
    assert.match(String(first), /"shipped","\d{4}-\d\d-\d\dT[\d:.]+Z"$/);
    assert.match(String(second), /"received",""$/);
  });
});
