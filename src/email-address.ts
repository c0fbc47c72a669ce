/**
 * @module email-address
 * The one rule for what counts as an email address, shared by the configuration (the shop's own
 * addresses) and the order form (the customer's), so neither imports the other. A local part of
 * printable ASCII (RFC 5322 atoms joined by dots; no control, space or bidi characters), and a
 * domain that may be internationalised: it is converted to its ASCII (IDNA) form, which is what
 * the address becomes (`jose@Bücher.example` → `jose@xn--bcher-kva.example`).
 */
import { domainToASCII } from 'node:url';
import * as v from 'valibot';

/** What a shop owner or customer is told when an address is not accepted. */
export const EMAIL_MESSAGE = 'expected an email address';

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The normalised form of an address (ASCII domain, lower case), or undefined when it is not one. */
export function normalizeEmailAddress(raw: string): string | undefined {
  const value = raw.trim();
  if (value.length > 254) return undefined;
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  if (domain === '' || /[\p{Cc}\p{Cf}\p{Z}@]/u.test(domain)) return undefined;
  const ascii = domainToASCII(domain).toLowerCase();
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (!TOP_LABEL.test(labels[labels.length - 1]!)) return undefined;
  const address = `${local}@${ascii}`;
  return address.length > 254 ? undefined : address;
}

/** Valibot pipe: an address, normalised (see {@link normalizeEmailAddress}). */
export const emailAddress = v.pipe(
  v.string(EMAIL_MESSAGE),
  v.check((value) => normalizeEmailAddress(value) !== undefined, EMAIL_MESSAGE),
  v.transform((value) => normalizeEmailAddress(value) ?? value),
);

/** Whether `value` is an address {@link emailAddress} accepts. */
export function isEmailAddress(value: string): boolean {
  return normalizeEmailAddress(value) !== undefined;
}

/** Domains whose mailboxes ignore dots in the local part, and the one name they share. */
const GMAIL_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address delivers to, as the per-recipient cap counts it: letter case does not
 * matter, a `+tag` after the local part is dropped (`ann+shop@x.com` is `ann@x.com`), and at
 * `gmail.com`/`googlemail.com` dots in the local part are dropped and both domains are one
 * (`a.n.n@googlemail.com` is `ann@gmail.com`). Other providers' aliases are not guessed.
 */
export function mailboxKey(address: string): string {
  const value = address.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  if (at <= 0) return value;
  let local = value.slice(0, at);
  let domain = value.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}
