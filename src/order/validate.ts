/**
 * @module order/validate
 * Server-side checks of each step, built with valibot from the field table: non-blank required
 * fields, lengths, real calendar dates with the end not before the start, http(s) image URLs and
 * currency amounts. Every problem of a step is reported at once, one per field.
 */
import * as v from 'valibot';
import { type FieldSpec, type OrderFieldKey, STEPS, type StepNumber, type StepValues } from './fields.ts';

/** One field's problem, ready to show the customer. */
export interface FieldProblem {
  key: OrderFieldKey;
  label: string;
  message: string;
}

/** The outcome of validating one step. */
export type StepResult = { ok: true; values: StepValues } | { ok: false; problems: FieldProblem[] };

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Whether `value` is an absolute http(s) URL with a host. */
export function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const CURRENCY_SYMBOL = '[$€£¥₹₩₽₺₫₱₪]|[A-Z]{3}|R\\$|C\\$|A\\$|kr|zł|Fr\\.?';
const AMOUNT = '(?:\\d{1,3}(?:[,.\\s\\u00a0\\u202f]\\d{3})+|\\d+)(?:[.,]\\d{1,2})?';
const PRICE = new RegExp(`^(?:(?:${CURRENCY_SYMBOL})\\s?)?${AMOUNT}(?:\\s?(?:${CURRENCY_SYMBOL}))?$`);

/** Whether `value` reads as a currency amount such as `$150.00`, `150`, `€99,99` or `150 USD`. */
export function isPrice(value: string): boolean {
  if (!PRICE.test(value)) return false;
  // One currency marker at most: "$150 USD" is ambiguous.
  const digitsStart = value.search(/\d/);
  const prefix = value.slice(0, digitsStart).trim();
  const suffix = value
    .slice(value.search(/\d[^\d]*$/) + 1)
    .replace(/^[.,]\d{1,2}/, '')
    .trim();
  return !(prefix && suffix);
}

const KIND_CHECKS: Record<FieldSpec['kind'], ((value: string) => boolean) | undefined> = {
  text: undefined,
  date: isCalendarDate,
  url: isHttpUrl,
  price: isPrice,
};

const KIND_MESSAGES: Record<FieldSpec['kind'], string> = {
  text: '',
  date: 'must be a real date written YYYY-MM-DD, for example 2025-03-14',
  url: 'must be a web address starting with http:// or https://',
  price: 'must be an amount such as $150.00, 150, €99,99 or 150 USD',
};

/**
 * Drops control and format characters (`\p{Cc}`, `\p{Cf}`: NUL, escapes, right-to-left overrides,
 * zero-width characters), keeping line breaks (as `\n`) where the field is multi-line.
 */
export function cleanText(value: string, multiline: boolean): string {
  const text = multiline ? value.replace(/\r\n?/g, '\n') : value;
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (char) => (multiline && char === '\n' ? char : ''));
}

function fieldSchema(spec: FieldSpec) {
  // Lengths count UTF-16 code units, as Discord's max_length does.
  const tooLong = `is too long: at most ${spec.maxLength} characters`;
  const check = KIND_CHECKS[spec.kind];
  const clean = v.transform((value: string) => cleanText(value, spec.style === 'paragraph'));
  if (!spec.required) {
    return v.pipe(v.string(), clean, v.trim(), v.maxLength(spec.maxLength, tooLong));
  }
  return v.pipe(
    v.string(),
    clean,
    v.trim(),
    v.minLength(1, 'is required'),
    v.maxLength(spec.maxLength, tooLong),
    v.check((value) => check === undefined || check(value), KIND_MESSAGES[spec.kind]),
  );
}

function stepSchema(step: StepNumber) {
  const entries = Object.fromEntries(STEPS[step].fields.map((spec) => [spec.key, fieldSchema(spec)]));
  const object = v.object(entries);
  if (step !== 1) return object;
  return v.pipe(
    object,
    v.forward(
      v.partialCheck(
        [['estimated_arrival_start_date'], ['estimated_arrival_end_date']],
        (input) => {
          const { estimated_arrival_start_date: start, estimated_arrival_end_date: end } = input as Record<
            string,
            string
          >;
          return start! <= end!;
        },
        'must not be before Arrival Start',
      ),
      ['estimated_arrival_end_date'],
    ),
  );
}

const SCHEMAS = { 1: stepSchema(1), 2: stepSchema(2), 3: stepSchema(3) } as const;

/** Validates the values typed into one step. Missing inputs count as empty. */
export function validateStep(step: StepNumber, typed: StepValues): StepResult {
  const input = Object.fromEntries(STEPS[step].fields.map((spec) => [spec.key, typed[spec.key] ?? '']));
  const result = v.safeParse(SCHEMAS[step], input);
  if (result.success) return { ok: true, values: result.output as StepValues };
  const problems: FieldProblem[] = [];
  for (const spec of STEPS[step].fields) {
    const issue = result.issues.find((i) => i.path?.[0]?.key === spec.key);
    if (issue) problems.push({ key: spec.key, label: spec.label, message: issue.message });
  }
  return { ok: false, problems };
}
