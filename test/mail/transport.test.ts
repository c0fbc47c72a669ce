import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailError } from '../../src/errors.ts';
import { classifyMailError, type SmtpContext } from '../../src/mail/transport.ts';

const smtpError = (responseCode: number, code = 'EENVELOPE') =>
  Object.assign(new Error(`${responseCode} reply`), { responseCode, code });
const codeError = (code: string) => Object.assign(new Error(code), { code });

test('SMTP reply codes decide: 4xx is a busy server (retry), 535 a refused login, 550-553 the address', () => {
  for (const code of [421, 450, 451, 452]) {
    const error = classifyMailError(smtpError(code));
    assert.deepEqual([error.reason, error.kind], ['server_busy', 'transient'], String(code));
  }
  assert.deepEqual(
    [classifyMailError(smtpError(535, 'EAUTH')).reason, classifyMailError(smtpError(535, 'EAUTH')).kind],
    ['auth', 'permanent'],
  );
  for (const code of [550, 551, 552, 553]) {
    assert.equal(classifyMailError(smtpError(code)).reason, 'recipient_rejected', String(code));
  }
  assert.deepEqual(
    [classifyMailError(smtpError(554)).reason, classifyMailError(smtpError(554)).kind],
    ['message_rejected', 'permanent'],
  );
});

test("nodemailer's error codes decide when there is no reply code", () => {
  const cases: [string, string, string][] = [
    ['ECONNECTION', 'unreachable', 'transient'],
    ['ETIMEDOUT', 'unreachable', 'transient'],
    ['ESOCKET', 'unreachable', 'transient'],
    ['EDNS', 'unreachable', 'transient'],
    ['EAUTH', 'auth', 'permanent'],
    ['ETLS', 'tls', 'permanent'],
    ['EENVELOPE', 'message_rejected', 'permanent'],
    ['ECONFIG', 'config', 'permanent'],
    ['SOMETHING_NEW', 'unknown', 'transient'],
  ];
  for (const [code, reason, kind] of cases) {
    const error = classifyMailError(codeError(code));
    assert.ok(error instanceof MailError);
    assert.deepEqual([error.reason, error.kind], [reason, kind], code);
  }
  const plain = classifyMailError(new Error('what happened'));
  assert.deepEqual([plain.reason, plain.kind, plain.message], ['unknown', 'transient', 'what happened']);
});

test('a MailError passes through unchanged', () => {
  const original = new MailError('x', 'disabled');
  assert.equal(classifyMailError(original), original);
});

test('with the server known, every message names it as host:port, and the reason stays the same', () => {
  const at: SmtpContext = { smtp_server: 'smtp.example.com', smtp_port: 587, smtp_security: 'starttls' };
  const socketError = (originalCode: string) =>
    Object.assign(new Error(originalCode), { code: 'ESOCKET', originalCode });
  const errors: unknown[] = [
    ...[421, 451, 535, 550, 553, 554].map((code) => smtpError(code)),
    ...[
      'ECONNECTION',
      'ETIMEDOUT',
      'ESOCKET',
      'EDNS',
      'EAUTH',
      'ETLS',
      'EENVELOPE',
      'ECONFIG',
      'SOMETHING_NEW',
    ].map(codeError),
    ...[
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
    ].map(socketError),
    new Error('what happened'),
  ];
  for (const error of errors) {
    const named = classifyMailError(error, at);
    assert.ok(named.message.includes('smtp.example.com:587'), named.message);
    const bare = classifyMailError(error);
    assert.deepEqual([named.reason, named.kind], [bare.reason, bare.kind], named.message);
  }
  assert.equal(
    classifyMailError(socketError('ECONNREFUSED'), { ...at, smtp_server: '::1', smtp_port: 25 }).message,
    'nothing answers at [::1]:25 (connection refused): check smtp_server and smtp_port',
  );
});
