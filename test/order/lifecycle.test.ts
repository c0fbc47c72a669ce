import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { shippedFiles } from '../../src/config.ts';
import { EN } from '../../src/i18n/translate.ts';
import { loadStatusTemplates, statusEmailJob } from '../../src/order/email.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';
import {
  canMove,
  changeJobs,
  isStaff,
  LifecycleJob,
  snapshotOf,
  staffActions,
} from '../../src/order/lifecycle.ts';
import { notificationCounter } from '../../src/order/notify.ts';
import { myOrderLine, statusDm } from '../../src/order/texts.ts';
import { staffButtons } from '../../src/order/ui.ts';
import { postJson, signature, webhookBody } from '../../src/order/webhook.ts';
import { LIFECYCLE_STATUSES, type OrderEvent, type StoredOrder } from '../../src/store/engine.ts';

const order: StoredOrder = {
  id: 7,
  orderNumber: 'ORD-7',
  userId: '111111111111111111',
  guildId: '222222222222222222',
  email: 'jane@example.com',
  fields: { order_number: 'ORD-7', product_name: 'Runner <b>7</b>' },
  formId: null,
  language: null,
  status: 'sent',
  lifecycle: 'shipped',
  lifecycleAt: 2_000,
  trackingNumber: '1Z9',
  trackingUrl: 'https://track.example/1Z9',
  createdAt: 1_000,
  purgedAt: null,
  emailRefused: null,
};

const event: OrderEvent = {
  id: 3,
  orderId: 7,
  at: 2_000,
  actor: '333333333333333333',
  from: 'accepted',
  to: 'shipped',
  note: null,
  trackingNumber: '1Z9',
  trackingUrl: 'https://track.example/1Z9',
  reason: null,
};

test('statuses move forward only; cancelled from any status before delivered; nothing after delivered or cancelled', () => {
  const allowed = LIFECYCLE_STATUSES.flatMap((from) =>
    LIFECYCLE_STATUSES.filter((to) => canMove(from, to)).map((to) => `${from}>${to}`),
  );
  assert.deepEqual(allowed, [
    'received>accepted',
    'received>cancelled',
    'accepted>shipped',
    'accepted>cancelled',
    'shipped>delivered',
    'shipped>cancelled',
  ]);
  assert.deepEqual(
    LIFECYCLE_STATUSES.map((status) => staffActions(status).join('+')),
    ['accept+cancel', 'ship+cancel', 'deliver', '', ''],
  );
  const labels = (status: (typeof LIFECYCLE_STATUSES)[number]) =>
    staffButtons(EN, 7, status).flatMap((row) =>
      row.components.map((button) => ('label' in button ? button.label : '')),
    );
  assert.deepEqual(labels('received'), ['Accept', 'Cancel order']);
  assert.deepEqual(labels('accepted'), ['Mark shipped', 'Cancel order']);
  assert.deepEqual(labels('shipped'), ['Mark delivered']);
  assert.deepEqual(staffButtons(EN, 7, 'delivered'), []);
});

test('staff: Manage Server or Administrator in member.permissions, or a staff role; nothing else', () => {
  const roles = ['444444444444444444'];
  assert.equal(isStaff({ permissions: String(0x20), roles: [] }, roles), true, 'Manage Server');
  assert.equal(isStaff({ permissions: String(0x8), roles: [] }, roles), true, 'Administrator');
  assert.equal(isStaff({ permissions: String(1024 | 2048), roles: ['444444444444444444'] }, roles), true);
  assert.equal(isStaff({ permissions: String(1024 | 2048), roles: ['555555555555555555'] }, roles), false);
  assert.equal(isStaff({ permissions: 'not a number', roles: [] }, roles), false);
  assert.equal(isStaff(undefined, roles), false, 'no member (a DM)');
  assert.equal(isStaff({ permissions: String(0x20n | (1n << 40n)) }, []), true, 'beyond 32 bits');
});

test('a change commits the customer email and DM, the staff edit and the webhook, each only when it can go', () => {
  const all = changeJobs({
    config: { orders_channel_id: '666666666666666666', webhook_url: 'https://hooks.example/x' },
    mailEnabled: true,
  })(order, event);
  assert.deepEqual(
    all.map((job) => job.kind),
    [LifecycleJob.StatusEmail, LifecycleJob.Dm, LifecycleJob.StaffEdit, LifecycleJob.Webhook],
  );
  const webhook = all[3]?.payload as { delivery_id: string; event: string };
  assert.equal(webhook.event, 'order.status_changed');
  assert.match(webhook.delivery_id, /^[0-9a-f-]{36}$/);
  const few = changeJobs({ config: { orders_channel_id: null }, mailEnabled: false })(
    { ...order, userId: '' },
    event,
  );
  assert.deepEqual(few, []);
});

test('the webhook body carries the event, the order as of the change and the change; its signature is HMAC-SHA256 of the raw body', () => {
  const body = webhookBody(
    { event: 'order.status_changed', delivery_id: 'd-1', at: 2_000, change: snapshotOf(event) },
    order,
    '#7',
  );
  const parsed = JSON.parse(body) as Record<string, Record<string, unknown>>;
  assert.equal(parsed.event as unknown, 'order.status_changed');
  assert.equal(parsed.delivery_id as unknown, 'd-1');
  assert.equal(parsed.at as unknown, new Date(2_000).toISOString());
  assert.deepEqual(
    { ...parsed.order, fields: undefined },
    {
      id: 7,
      reference: '#7',
      status: 'shipped',
      fields: undefined,
      email: 'jane@example.com',
      discord_user_id: '111111111111111111',
      discord_server_id: '222222222222222222',
      created_at: new Date(1_000).toISOString(),
      tracking_number: '1Z9',
      tracking_url: 'https://track.example/1Z9',
    },
  );
  assert.deepEqual(parsed.change, {
    from: 'accepted',
    to: 'shipped',
    by: event.actor,
    at: new Date(2_000).toISOString(),
  });
  assert.equal(
    signature('s3cret', body),
    `sha256=${createHmac('sha256', 's3cret').update(Buffer.from(body)).digest('hex')}`,
  );
  const created = JSON.parse(
    webhookBody({ event: 'order.created', delivery_id: 'd-0', at: 1_000 }, order, '#7'),
  );
  assert.equal(created.order.status, 'received');
  assert.equal(created.change, undefined);
});

test('postJson sends the exact body with the headers, and reports a refused connection instead of throwing', async () => {
  let got: { headers: http.IncomingHttpHeaders; body: string } | undefined;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    got = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    res.writeHead(202).end('ok');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const result = await postJson(url, '{"é":1}', { 'X-Signature-256': 'sha256=ab' }, 5000);
  assert.deepEqual(result, { status: 202 });
  assert.equal(got?.body, '{"é":1}');
  assert.equal(got?.headers['content-type'], 'application/json');
  assert.equal(got?.headers['x-signature-256'], 'sha256=ab');
  await new Promise((resolve) => server.close(resolve));
  const refused = await postJson(url, '{}', {}, 5000);
  assert.ok('error' in refused && /ECONNREFUSED/.test(refused.error), JSON.stringify(refused));
});

test('the shipped status emails: each status, tracking as a link only when http(s), the reason escaped', () => {
  const { config } = shippedFiles();
  const statusTemplates = loadStatusTemplates('/nonexistent-config-dir', DEFAULT_FORM);
  const render = (over: Partial<Parameters<typeof statusEmailJob>[1]>) =>
    statusEmailJob(
      { email: 'jane@example.com', fields: order.fields },
      { status: 'shipped', trackingNumber: null, trackingUrl: null, reason: null, ...over },
      { config, statusTemplates, form: DEFAULT_FORM },
      7,
    ).render();
  const shipped = render({ trackingNumber: '1Z9', trackingUrl: 'https://track.example/1Z9' });
  assert.equal(shipped.subject, `Your ${config.shop_name} order #7 has shipped`);
  assert.ok(shipped.html.includes('href="https://track.example/1Z9"'));
  assert.ok(shipped.html.includes('1Z9'));
  assert.ok(shipped.text.includes('Tracking number: 1Z9'));
  const sneaky = render({ trackingUrl: 'javascript:alert(1)' });
  assert.ok(!sneaky.html.includes('javascript:'), 'only http(s) links');
  assert.ok(!sneaky.html.includes('href='), 'no empty link when the only link given was refused');
  const numberOnly = render({ trackingNumber: '1Z9' });
  assert.ok(
    numberOnly.html.includes('1Z9') && !numberOnly.html.includes('Track it'),
    'no link line without a link',
  );
  assert.ok(!numberOnly.text.includes('Track it'));
  const none = render({});
  assert.ok(
    !/Tracking number|Track it|class="note"/.test(none.html),
    'no tracking box when staff gave no tracking',
  );
  assert.ok(!/Tracking number|Track it/.test(none.text));
  assert.ok(!/\{\{/.test(none.html + none.text), 'no section markers left');
  const cancelled = render({ status: 'cancelled', reason: '<script>x</script> & sorry' });
  assert.match(cancelled.subject, /was cancelled$/);
  assert.ok(cancelled.html.includes('&#60;script&#62;x&#60;/script&#62; &#38; sorry'));
  assert.ok(!cancelled.html.includes('<script>'));
  for (const status of ['accepted', 'delivered'] as const) {
    assert.match(render({ status }).subject, new RegExp(`order #7 was ${status}$`));
  }
});

test('notifications are counted by kind and outcome; a closed DM is refused, not failed', () => {
  const job = (kind: string) =>
    ({ kind, reason: null }) as unknown as Parameters<typeof notificationCounter>[0]['job'];
  assert.equal(notificationCounter({ job: job('status_dm'), outcome: 'done' }), 'notify_dm_sent');
  assert.equal(
    notificationCounter({ job: job('status_dm'), outcome: 'failed', reason: 'dm_closed' }),
    'notify_dm_refused',
  );
  assert.equal(
    notificationCounter({ job: job('status_dm'), outcome: 'gave_up', reason: 'discord_unavailable' }),
    'notify_dm_failed',
  );
  assert.equal(notificationCounter({ job: job('status_email'), outcome: 'done' }), 'notify_email_sent');
  assert.equal(
    notificationCounter({ job: job('webhook'), outcome: 'failed', reason: 'x' }),
    'notify_webhook_failed',
  );
  assert.equal(notificationCounter({ job: job('webhook'), outcome: 'retry', reason: 'x' }), undefined);
  assert.equal(notificationCounter({ job: job('email'), outcome: 'done' }), undefined, 'not a notification');
});

test('a tracking link in a DM or /my_orders cannot end its markdown link early', () => {
  const url = 'https://track.example/a>b)[x](https://evil.example)';
  const dm = statusDm(EN, { shopName: 'Shop', reference: '#1', to: 'shipped', trackingUrl: url });
  assert.ok(dm.includes('<https://track.example/a%3Eb%29%5Bx%5D%28https://evil.example%29>'), dm);
  const line = myOrderLine(EN, { ...order, trackingUrl: url }, '#7');
  assert.ok(
    line.endsWith('[track it](<https://track.example/a%3Eb%29%5Bx%5D%28https://evil.example%29>)'),
    line,
  );
});
