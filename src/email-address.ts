/**
 * @module email-address
 * The one rule for what counts as an email address, shared by the configuration (the shop's own
 * addresses) and the order form (the customer's), so neither imports the other.
 */
import * as v from 'valibot';

/** What a shop owner or customer is told when an address is not accepted. */
export const EMAIL_MESSAGE = 'expected an email address';

/** Valibot pipe for a plausible email address (at most 254 characters, one @, a dotted domain). */
export const emailAddress = v.pipe(
  v.string(EMAIL_MESSAGE),
  v.trim(),
  v.maxLength(254, 'expected at most 254 characters'),
  v.regex(
    /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
    EMAIL_MESSAGE,
  ),
);

/** Whether `value` is an address {@link emailAddress} accepts. */
export function isEmailAddress(value: string): boolean {
  return v.is(emailAddress, value);
}
