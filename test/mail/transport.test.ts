import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailError } from '../../src/errors.ts';
import { classifyMailError } from '../../src/mail/transport.ts';

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
