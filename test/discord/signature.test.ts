import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSignatureVerifier, MAX_SKEW_SECONDS, publicKeyFromHex } from '../../src/discord/signature.ts';

/** A key pair as the Developer Portal shows its public half: 64 hex characters. */
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const hex = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url').toString('hex');
  return { hex, privateKey };
}
const signed = (privateKey: ReturnType<typeof keyPair>['privateKey'], timestamp: string, body: string) =>
  sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');

const app = keyPair();
const impostor = keyPair();
const verifier = createSignatureVerifier(app.hex);
const NOW = 1_760_000_000_000;
const TS = String(NOW / 1000);
const BODY = '{"type":1,"id":"1","token":"t","application_id":"2"}';
const good = signed(app.privateKey, TS, BODY);
const check = (signature: string | undefined, timestamp: string | undefined, body: string | Buffer) =>
  verifier.check(signature, timestamp, Buffer.from(body), NOW);

describe('the HTTP interactions signature', () => {
  test('a request Discord signed passes, in lower or upper case hex', () => {
    assert.deepEqual(check(good, TS, BODY), { ok: true });
    assert.deepEqual(check(good.toUpperCase(), TS, BODY), { ok: true });
  });

  test('every way a request can be wrong is refused, each with its reason', () => {
    const cases: [string, ReturnType<typeof check>][] = [
      ['forged body', check(good, TS, BODY.replace('"t"', '"u"'))],
      ['body with a byte added', check(good, TS, `${BODY} `)],
      ['wrong key', check(signed(impostor.privateKey, TS, BODY), TS, BODY)],
      ['signature of another timestamp', check(good, String(NOW / 1000 + 1), BODY)],
      ['truncated signature', check(good.slice(0, 126), TS, BODY)],
      ['signature one character long', check(good.slice(0, 1), TS, BODY)],
      ['non-hex signature', check(`${good.slice(0, 127)}g`, TS, BODY)],
      ['signature with a space', check(` ${good.slice(1)}`, TS, BODY)],
      ['missing signature', check(undefined, TS, BODY)],
      ['empty signature', check('', TS, BODY)],
      ['missing timestamp', check(good, undefined, BODY)],
      ['timestamp not a number', check(good, '1760000000.5', BODY)],
      ['negative timestamp', check(good, '-1', BODY)],
      ['empty body', check(signed(app.privateKey, TS, ''), TS, '')],
    ];
    const expected = [
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'malformed_signature',
      'malformed_signature',
      'malformed_signature',
      'malformed_signature',
      'missing_signature',
      'missing_signature',
      'missing_timestamp',
      'malformed_timestamp',
      'malformed_timestamp',
      'empty_body',
    ];
    assert.deepEqual(
      cases.map(([name, result]) => [name, result.ok ? 'ok' : result.problem]),
      cases.map(([name], i) => [name, expected[i]]),
    );
  });

  test(`a timestamp more than ${MAX_SKEW_SECONDS} s from the bot's clock is refused, either way; within it passes`, () => {
    const at = (offsetSeconds: number) => {
      const ts = String(NOW / 1000 + offsetSeconds);
      return verifier.check(signed(app.privateKey, ts, BODY), ts, Buffer.from(BODY), NOW);
    };
    assert.deepEqual(at(-MAX_SKEW_SECONDS), { ok: true });
    assert.deepEqual(at(MAX_SKEW_SECONDS), { ok: true });
    assert.deepEqual(at(-MAX_SKEW_SECONDS - 1), { ok: false, problem: 'stale_timestamp' });
    assert.deepEqual(at(MAX_SKEW_SECONDS + 1), { ok: false, problem: 'stale_timestamp' });
  });

  test('the body is checked as bytes: a UTF-8 body signed as sent passes, the same text re-encoded does not', () => {
    const body = Buffer.from('{"content":"Größe 42 👟"}', 'utf8');
    const signature = sign(null, Buffer.concat([Buffer.from(TS), body]), app.privateKey).toString('hex');
    assert.deepEqual(verifier.check(signature, TS, body, NOW), { ok: true });
    const latin1 = Buffer.from(body.toString('utf8'), 'latin1');
    assert.deepEqual(verifier.check(signature, TS, latin1, NOW), { ok: false, problem: 'bad_signature' });
  });

  test('a public key that is not 64 hex characters is refused when the verifier is made', () => {
    for (const bad of ['', app.hex.slice(2), `${app.hex}00`, `${app.hex.slice(1)}z`]) {
      assert.throws(() => publicKeyFromHex(bad), /64 hexadecimal characters/);
    }
  });
});
