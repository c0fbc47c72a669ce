/**
 * @module discord/signature
 * Discord's request signature on HTTP interactions: Ed25519 over `X-Signature-Timestamp` followed
 * by the raw body, checked against `X-Signature-Ed25519` with the application's public key. The key
 * is turned into a `KeyObject` once; each check is one `crypto.verify`. Never throws: every way a
 * request can be wrong is a {@link SignatureCheck} reason.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** How far the signed timestamp may be from the bot's clock, either way. */
export const MAX_SKEW_SECONDS = 300;

/** Why a request was not accepted as Discord's. */
export type SignatureProblem =
  | 'missing_signature'
  | 'malformed_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'empty_body'
  | 'bad_signature';

/** The outcome of {@link SignatureVerifier.check}. */
export type SignatureCheck = { ok: true } | { ok: false; problem: SignatureProblem };

/** Checks requests against one application's public key. */
export interface SignatureVerifier {
  /**
   * Whether `body` was signed by Discord at `timestamp` (the raw header values; `undefined` when
   * absent), within {@link MAX_SKEW_SECONDS} of `nowMs`.
   */
  check(
    signature: string | undefined,
    timestamp: string | undefined,
    body: Buffer,
    nowMs?: number,
  ): SignatureCheck;
}

const HEX_SIGNATURE = /^[0-9a-fA-F]{128}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
/** Unix seconds, as Discord sends them: digits only, no sign, no fraction. */
const UNIX_SECONDS = /^\d{1,12}$/;

/** Turns the application's public key (64 hex characters) into a `KeyObject`; throws when malformed. */
export function publicKeyFromHex(hex: string): KeyObject {
  if (!HEX_KEY.test(hex)) throw new Error('expected 64 hexadecimal characters');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

/** Creates the verifier for `publicKeyHex` (the Developer Portal's "Public Key"). */
export function createSignatureVerifier(publicKeyHex: string): SignatureVerifier {
  const key = publicKeyFromHex(publicKeyHex);
  return {
    check(signature, timestamp, body, nowMs = Date.now()) {
      if (signature === undefined || signature === '') return { ok: false, problem: 'missing_signature' };
      if (!HEX_SIGNATURE.test(signature)) return { ok: false, problem: 'malformed_signature' };
      if (timestamp === undefined || timestamp === '') return { ok: false, problem: 'missing_timestamp' };
      if (!UNIX_SECONDS.test(timestamp)) return { ok: false, problem: 'malformed_timestamp' };
      if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS)
        return { ok: false, problem: 'stale_timestamp' };
      if (body.length === 0) return { ok: false, problem: 'empty_body' };
      const signed = Buffer.concat([Buffer.from(timestamp, 'latin1'), body]);
      return verify(null, signed, key, Buffer.from(signature, 'hex'))
        ? { ok: true }
        : { ok: false, problem: 'bad_signature' };
    },
  };
}
