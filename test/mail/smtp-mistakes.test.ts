/**
 * The most common SMTP mistakes, each against a real server set up that way: every one gets a
 * sentence naming the server (`host:port`) and the setting to change, not "cannot reach the mail
 * server".
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MailError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import type { SmtpConfig } from '../../src/mail/transport.ts';
import { checkSmtpLogin, createSmtpTransport } from '../../src/mail/transport.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const creds = { user: 'shop@example.test', pass: 'app-password' };
const at = (port: number, smtp_security: SmtpConfig['smtp_security']): SmtpConfig => ({
  smtp_server: '127.0.0.1',
  smtp_port: port,
  smtp_security,
});
const failure = async (config: SmtpConfig, options = {}, credentials = creds) => {
  const result = await checkSmtpLogin(config, credentials, { connectionTimeoutMs: 1000, ...options });
  assert.ok(!result.ok, 'expected a failure');
  return result.error;
};

describe('SMTP mistakes name the mistake', () => {
  let plain: TestSmtpServer;
  let implicit: TestSmtpServer;
  let starttls: TestSmtpServer;
  let noAuth: TestSmtpServer;
  let silent: net.Server;
  before(async () => {
    plain = await startSmtpServer({ starttls: false, requireAuth: false });
    implicit = await startSmtpServer({ implicitTls: true });
    starttls = await startSmtpServer();
    noAuth = await startSmtpServer({ requireAuth: false, offerAuth: false });
    silent = net.createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
  });
  after(async () => {
    for (const server of [plain, implicit, starttls, noAuth]) await server.close();
    silent.close();
  });

  test('"tls" against a port that starts in plain text', async () => {
    const error = await failure(at(plain.port, 'tls'));
    assert.equal(error.reason, 'tls');
    assert.equal(
      error.message,
      `127.0.0.1:${plain.port} does not start with TLS: set smtp_security to "starttls" (ports 587 and 25); "tls" is for port 465`,
    );
  });

  test('"starttls" against an implicit-TLS port (465): no greeting, and the fix', async () => {
    const error = await failure(at(implicit.port, 'starttls'));
    assert.equal(error.reason, 'unreachable');
    assert.match(error.message, /^no answer from 127\.0\.0\.1:\d+ in time/);
    // On port 465 itself the sentence says what to set (the same error, as the bot sees it there).
    const { classifyMailError } = await import('../../src/mail/transport.ts');
    const on465 = classifyMailError(error.cause, at(465, 'starttls'));
    assert.equal(
      on465.message,
      'no greeting from 127.0.0.1:465: port 465 expects TLS from the first byte: set smtp_security to "tls"',
    );
  });

  test('a self-signed certificate', async () => {
    const error = await failure(at(starttls.port, 'starttls'));
    assert.equal(error.reason, 'tls');
    const expected = `the TLS certificate of 127.0.0.1:${starttls.port} is self-signed, so it cannot be trusted:`;
    assert.ok(error.message.startsWith(expected), error.message);
  });

  test('a server that offers no login: connected, password unused, said so', async () => {
    const result = await checkSmtpLogin(at(noAuth.port, 'starttls'), creds, { tls: { ca: [noAuth.cert] } });
    assert.deepEqual(result, { ok: true, loggedIn: false });
    const ok = await checkSmtpLogin(at(starttls.port, 'starttls'), creds, { tls: { ca: [starttls.cert] } });
    assert.deepEqual(ok, { ok: true, loggedIn: true });
  });

  test('a refused login', async () => {
    const error = await failure(
      at(starttls.port, 'starttls'),
      { tls: { ca: [starttls.cert] } },
      { ...creds, pass: 'wrong' },
    );
    assert.equal(error.reason, 'auth');
    const expected = `SMTP Authentication Error: 127.0.0.1:${starttls.port} rejected SENDER_EMAIL / SENDER_PASSWORD`;
    assert.ok(error.message.startsWith(expected), error.message);
  });

  test('nothing listening, and a server that never answers', async () => {
    const refused = await failure(at(9, 'starttls'));
    assert.equal(
      refused.message,
      'nothing answers at 127.0.0.1:9 (connection refused): check smtp_server and smtp_port',
    );
    const quietPort = (silent.address() as net.AddressInfo).port;
    const quiet = await failure(at(quietPort, 'starttls'));
    assert.ok(
      quiet.message.startsWith(
        `no answer from 127.0.0.1:${quietPort} in time: a firewall or the VPS provider may block the port`,
      ),
      quiet.message,
    );
  });

  test("the bot's mailer names host:port of a closed port, with no context passed in (as main.ts builds it)", async () => {
    const closed = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const transport = createSmtpTransport(at(port, 'starttls'), creds, { connectionTimeoutMs: 1000 });
    const mailer = createMailer({ transport, from: creds.user, log: silentLogger });
    try {
      const error = await mailer
        .send({
          to: 'customer@example.com',
          fromName: 'Shop',
          render: () => ({ subject: 'Order', html: '<p>Order</p>', text: 'Order' }),
        })
        .then(
          () => assert.fail('sent through a closed port'),
          (thrown: unknown) => thrown,
        );
      assert.ok(error instanceof MailError, String(error));
      assert.deepEqual([error.reason, error.kind], ['unreachable', 'transient']);
      assert.equal(
        error.message,
        `nothing answers at 127.0.0.1:${port} (connection refused): check smtp_server and smtp_port`,
      );
      assert.equal(await mailer.verify(), false);
      assert.ok(mailer.status().detail?.includes(`127.0.0.1:${port}`), mailer.status().detail);
    } finally {
      mailer.close();
    }
  });
});
