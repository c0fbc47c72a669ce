/**
 * The mailer against a real SMTP server process (smtp-server on 127.0.0.1) with STARTTLS and AUTH:
 * one attempt per send, and every failure classified by reason (retries are the outbox's job).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BotConfig } from '../../src/config.ts';
import { loadConfigFiles } from '../../src/config.ts';
import { MailError, type MailFailureReason } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createMailer, type Mailer } from '../../src/mail/mailer.ts';
import { createSmtpTransport } from '../../src/mail/transport.ts';
import { confirmationJob } from '../../src/order/email.ts';
import type { Order } from '../../src/order/fields.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';
import { SAMPLE } from '../support/sample-order.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const { config: shipped, template } = loadConfigFiles('config/defaults');
const USER = 'shop@example.test';
const PASS = 'app-password';

function mailerFor(
  smtp: TestSmtpServer,
  overrides: Partial<BotConfig> = {},
  credentials = { user: USER, pass: PASS },
): { mailer: Mailer; config: BotConfig } {
  const config: BotConfig = {
    ...shipped,
    smtp_server: smtp.host,
    smtp_port: smtp.port,
    shop_name: 'Acme Sneakers',
    mail_retry_initial_seconds: 0.05,
    ...overrides,
  };
  const transport = createSmtpTransport(config, credentials, { tls: { ca: [smtp.cert] } });
  return { mailer: createMailer({ transport, from: USER, log: silentLogger }), config };
}

type Sent =
  | { status: 'delivered' }
  | { status: 'failed'; reason: MailFailureReason; kind: string; detail: string };

/** One attempt; a failure must be a classified MailError. */
async function send(mailer: Mailer, config: BotConfig, order: Order = SAMPLE): Promise<Sent> {
  try {
    await mailer.send(confirmationJob(order, { config, template, form: DEFAULT_FORM }, 12));
    return { status: 'delivered' };
  } catch (error) {
    assert.ok(error instanceof MailError, String(error));
    return { status: 'failed', reason: error.reason, kind: error.kind, detail: error.message };
  }
}

describe('SMTP with STARTTLS and AUTH', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(() => smtp.close());

  test('delivers a multipart/alternative confirmation with correct headers over STARTTLS', async () => {
    const { mailer, config } = mailerFor(smtp, {
      reply_to: 'help@acme.example',
      shop_bcc: 'orders@acme.example',
    });
    assert.equal(await mailer.verify(), true);
    assert.deepEqual(await send(mailer, config), { status: 'delivered' });
    const [mail] = await smtp.waitForMessages(1);
    const { parsed, envelope } = mail!;
    assert.equal(mail!.user, USER, 'authenticated');
    assert.equal(parsed.from?.value[0]?.address, USER);
    assert.equal(parsed.from?.value[0]?.name, 'Acme Sneakers');
    assert.equal(
      parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : '',
      'customer@example.com',
    );
    assert.equal(parsed.replyTo?.value[0]?.address, 'help@acme.example');
    assert.deepEqual(envelope.to.sort(), ['customer@example.com', 'orders@acme.example']);
    assert.equal(parsed.headers.get('bcc'), undefined, 'the blind copy is not visible');
    assert.equal(parsed.subject, 'Your Acme Sneakers order #12 is confirmed');
    assert.ok(parsed.date instanceof Date && Math.abs(parsed.date.getTime() - Date.now()) < 60_000);
    assert.match(String(parsed.messageId), /^<.+@example\.test>$/);
    assert.match(
      String(
        parsed.headers.get('content-type') && (parsed.headers.get('content-type') as { value: string }).value,
      ),
      /multipart\/alternative/,
    );
    assert.match(String(parsed.html), /ORD-12345/);
    assert.match(String(parsed.text), /Order Number: +ORD-12345/);
    assert.equal(mailer.status().smtp, 'ok');
    mailer.close();
  });

  test('pools connections: 10 messages use at most 2', async () => {
    const before = smtp.connections;
    const start = smtp.received.length;
    const { mailer, config } = mailerFor(smtp);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => send(mailer, config)));
    assert.ok(outcomes.every((o) => o.status === 'delivered'));
    await smtp.waitForMessages(start + 10);
    assert.ok(smtp.connections - before <= 2, `${smtp.connections - before} connections`);
    mailer.close();
  });

  test('a wrong password is an "auth" failure, permanent (no retry can help), and SMTP shows as down', async () => {
    const attempts = smtp.authAttempts;
    const { mailer, config } = mailerFor(smtp, {}, { user: USER, pass: 'wrong' });
    assert.equal(await mailer.verify(), false);
    assert.equal(mailer.status().smtp, 'down');
    assert.match(String(mailer.status().detail), /SMTP Authentication Error/);
    const outcome = await send(mailer, config);
    assert.deepEqual(outcome.status === 'failed' ? [outcome.reason, outcome.kind] : outcome, [
      'auth',
      'permanent',
    ]);
    assert.equal(smtp.authAttempts - attempts, 2, 'one for verify, one for the send');
    assert.equal(mailer.status().reason, 'auth');
    mailer.close();
  });

  test('a 421 reply is a temporary "server_busy" failure; the next try is delivered', async () => {
    const start = smtp.received.length;
    smtp.fail421(1);
    const { mailer, config } = mailerFor(smtp);
    const outcome = await send(mailer, config);
    assert.deepEqual(outcome.status === 'failed' ? [outcome.reason, outcome.kind] : outcome, [
      'server_busy',
      'transient',
    ]);
    assert.deepEqual(await send(mailer, config), { status: 'delivered' });
    await smtp.waitForMessages(start + 1);
    mailer.close();
  });

  test('a rejected recipient (550) fails permanently', async () => {
    smtp.rejectRecipients.add('nobody@example.com');
    const { mailer, config } = mailerFor(smtp);
    const outcome = await send(mailer, config, { ...SAMPLE, email: 'nobody@example.com' });
    assert.equal(outcome.status === 'failed' ? outcome.reason : '', 'recipient_rejected');
    assert.equal(outcome.status === 'failed' ? outcome.kind : '', 'permanent');
    assert.match(outcome.status === 'failed' ? outcome.detail : '', /recipient rejected .*550/);
    mailer.close();
  });

  test('hostile values in every field: escaped in HTML, no header injection, 4,000 characters survive', async () => {
    const long = 'L'.repeat(4000);
    const hostile = `<script>alert("x")</script> "quotes" 'single' \r\nBcc: victim@example.com\r\n`;
    const order: Order = {
      email: SAMPLE.email,
      fields: Object.fromEntries(Object.keys(SAMPLE.fields).map((key) => [key, `${hostile}${long}`])),
    };
    const start = smtp.received.length;
    const { mailer, config } = mailerFor(smtp);
    const outcome = await send(mailer, { ...config }, { ...order, email: 'customer@example.com' });
    assert.equal(outcome.status, 'delivered');
    const mail = (await smtp.waitForMessages(start + 1))[start]!;
    assert.deepEqual(mail.envelope.to, ['customer@example.com'], 'no injected recipient');
    assert.equal(mail.parsed.headers.get('bcc'), undefined);
    assert.ok(!String(mail.parsed.subject).includes('\n'));
    assert.ok(String(mail.parsed.subject).length <= 250);
    const html = String(mail.parsed.html);
    assert.ok(!html.includes('<script>'), 'script tag escaped');
    assert.ok(html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;'));
    assert.ok(html.includes(long), 'long values are not truncated in the body');
    assert.ok(String(mail.parsed.text).includes('<script>'), 'the text part shows the text as typed');
    mailer.close();
  });
});

describe('SMTP availability', () => {
  test('server down is a temporary "unreachable" failure; once it is back, one send delivers once', async () => {
    const smtp = await startSmtpServer();
    await smtp.stop();
    const { mailer, config } = mailerFor(smtp);
    assert.equal(await mailer.verify(), false);
    assert.equal(mailer.status().smtp, 'down');
    const down = await send(mailer, config);
    assert.deepEqual(down.status === 'failed' ? [down.reason, down.kind] : down, [
      'unreachable',
      'transient',
    ]);
    await smtp.start();
    assert.deepEqual(await send(mailer, config), { status: 'delivered' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(smtp.received.length, 1);
    assert.equal(mailer.status().smtp, 'ok');
    mailer.close();
    await smtp.close();
  });

  test('implicit TLS (port 465 style) and AUTH LOGIN', async () => {
    const smtp = await startSmtpServer({ implicitTls: true, authMethods: ['LOGIN'] });
    const { mailer, config } = mailerFor(smtp, { smtp_security: 'tls' });
    assert.equal((await send(mailer, config)).status, 'delivered');
    const [mail] = await smtp.waitForMessages(1);
    assert.equal(mail!.user, USER);
    mailer.close();
    await smtp.close();
  });

  test('starttls mode refuses a server that does not offer STARTTLS', async () => {
    const smtp = await startSmtpServer({ starttls: false, requireAuth: false });
    const { mailer, config } = mailerFor(smtp);
    const outcome = await send(mailer, config);
    assert.equal(outcome.status, 'failed');
    assert.equal(smtp.received.length, 0);
    mailer.close();
    await smtp.close();
  });
});
