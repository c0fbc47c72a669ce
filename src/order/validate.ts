/**
 * @module order/validate
 * Server-side checks of each step, built with valibot from the shop's form: non-blank required
 * fields, lengths, email addresses, http(s) URLs, real calendar dates (not in the past, or not
 * before another date field, when the form says so), numbers within bounds, currency amounts, and
 * choices that are among the field's options. Every problem of a step is reported at once, one per
 * field.
 */
import * as v from 'valibot';
import { normalizeEmailAddress } from '../email-address.ts';
import type { MessageKey, Params } from '../i18n/translate.ts';
import { choicesOf, type StepValues } from './fields.ts';
import { CHOICE, type FormField, type OrderForm, TYPED } from './form.ts';

/** One field's problem: the field, and the catalog message (with its values) that explains it. */
export interface FieldProblem {
  key: string;
  /** The field's label, in the form's language. */
  label: string;
  message: MessageKey;
  params?: Params;
}

/** A check's message: a catalog key and its values. */
type Explained = { message: MessageKey; params?: Params };

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

/**
 * Drops control and format characters (`\p{Cc}`, `\p{Cf}`: NUL, escapes, right-to-left overrides,
 * zero-width characters), keeping line breaks (as `\n`) where the field is multi-line.
 */
export function cleanText(value: string, multiline: boolean): string {
  const text = multiline ? value.replace(/\r\n?/g, '\n') : value;
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (char) => (multiline && char === '\n' ? char : ''));
}

/** The earliest "today" anywhere on Earth (UTC−12), as YYYY-MM-DD: no customer's today is refused. */
export function earliestToday(now: number): string {
  return new Date(now - 12 * 3_600_000).toISOString().slice(0, 10);
}

/** A number as people type one: a decimal point, or a decimal comma with one or two digits after it ("2,5"); "99,999" is refused rather than read as 99.999 or 99999. */
const NUMBER = /^[-+]?\d+(?:\.\d+|,\d{1,2})?$/;

function range(field: FormField): Explained {
  const { min, max } = field;
  if (min !== undefined && max !== undefined) return { message: 'invalid_between', params: { min, max } };
  if (min !== undefined) return { message: 'invalid_at_least', params: { min } };
  return { message: 'invalid_at_most', params: { max: max ?? 0 } };
}

const is = (message: MessageKey, params?: Params): Explained => (params ? { message, params } : { message });

/** The checks of one field after cleaning, in order; the first that fails is the field's message. */
function rules(field: FormField, today: string): [(value: string) => boolean, Explained][] {
  const list: [(value: string) => boolean, Explained][] = [];
  if (TYPED.has(field.type)) {
    // Lengths count UTF-16 code units, as Discord's max_length does.
    list.push([(value) => value.length <= field.maxLength, is('invalid_too_long', { max: field.maxLength })]);
    if (field.minLength > 0) {
      list.push([
        (value) => value.length >= field.minLength,
        is('invalid_too_short', { min: field.minLength }),
      ]);
    }
  }
  switch (field.type) {
    case 'email':
      list.push([(value) => normalizeEmailAddress(value) !== undefined, is('invalid_email_field')]);
      break;
    case 'url':
      list.push([isHttpUrl, is('invalid_url')]);
      break;
    case 'price':
      list.push([isPrice, is('invalid_price')]);
      break;
    case 'date':
      list.push([isCalendarDate, is('invalid_date')]);
      if (field.notBefore === 'today') list.push([(value) => value >= today, is('invalid_past')]);
      break;
    case 'number': {
      const whole = field.integer ? /^[-+]?\d+$/ : NUMBER;
      list.push([(value) => whole.test(value), is(field.integer ? 'invalid_whole' : 'invalid_number')]);
      if (field.min !== undefined || field.max !== undefined) {
        list.push([
          (value) => {
            const n = Number(value.replace(',', '.'));
            return (field.min === undefined || n >= field.min) && (field.max === undefined || n <= field.max);
          },
          range(field),
        ]);
      }
      break;
    }
    case 'select':
    case 'radio':
      list.push([(value) => field.options.includes(value), is('invalid_choice')]);
      break;
    case 'checkboxes': {
      const min = field.min ?? (field.required ? 1 : 0);
      const max = field.max ?? field.options.length;
      list.push([(value) => choicesOf(value).every((c) => field.options.includes(c)), is('invalid_choice')]);
      list.push([
        (value) => new Set(choicesOf(value)).size === choicesOf(value).length,
        is('invalid_choice_twice'),
      ]);
      if (min > 0) {
        list.push([(value) => choicesOf(value).length >= min, is('invalid_min_ticked', { min })]);
      }
      list.push([(value) => choicesOf(value).length <= max, is('invalid_max_ticked', { max })]);
      break;
    }
    default:
      break;
  }
  return list;
}

function fieldSchema(field: FormField, today: string) {
  const multiline = field.type === 'paragraph' || field.type === 'checkboxes';
  const checks = rules(field, today);
  return v.pipe(
    v.string(),
    v.transform((value: string) => cleanText(value, multiline)),
    v.trim(),
    v.check(
      (value: string) => value !== '' || !field.required,
      CHOICE.has(field.type) ? 'invalid_needs_choice' : 'invalid_required',
    ),
    // An optional field left empty is accepted as empty; anything given is checked, first failure told.
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed || dataset.value === '') return;
      const failed = checks.find(([test]) => !test(dataset.value as string));
      // The issue's message carries the check's index; its words come from the catalog.
      if (failed) addIssue({ message: String(checks.indexOf(failed)) });
    }),
    v.transform((value: string) =>
      field.type === 'email' ? (normalizeEmailAddress(value) ?? value) : value,
    ),
  );
}

/** The outcome of validating one step. */
export type StepResult =
  | { ok: true; values: StepValues }
  | { ok: false; problems: FieldProblem[]; forged: string[] };

/**
 * Validates the values typed into step `index` of `form` (missing inputs count as empty). `earlier`
 * holds the accepted values of the steps before, for a date that may not precede another;
 * `now` (wall time) decides "today". `forged` names choice fields whose value is no option: the
 * Discord client cannot send one, so it was forged (the caller logs it).
 */
export function validateStep(
  form: OrderForm,
  index: number,
  typed: StepValues,
  earlier: StepValues = {},
  now = Date.now(),
): StepResult {
  const fields = form.steps[index]?.fields ?? [];
  const today = earliestToday(now);
  const values: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  const forged: string[] = [];
  for (const field of fields) {
    const given = Object.hasOwn(typed, field.key) ? typed[field.key] : undefined;
    const result = v.safeParse(fieldSchema(field, today), typeof given === 'string' ? given : '');
    if (!result.success) {
      const issue = result.issues[0]!.message;
      const explained: Explained = /^\d+$/.test(issue)
        ? rules(field, today)[Number(issue)]![1]
        : { message: issue as MessageKey };
      problems.push({ key: field.key, label: field.label, ...explained });
      // The Discord client offers only the options, each once: anything else was forged.
      if (explained.message === 'invalid_choice' || explained.message === 'invalid_choice_twice')
        forged.push(field.key);
      continue;
    }
    values[field.key] = result.output;
  }
  for (const field of fields) {
    if (field.type !== 'date' || !field.notBefore || field.notBefore === 'today') continue;
    const value = values[field.key];
    const own = (record: StepValues, key: string) => (Object.hasOwn(record, key) ? record[key] : undefined);
    const other = own(values, field.notBefore) ?? own(earlier, field.notBefore);
    if (value && other && value < other) {
      const label = form.fields.find((f) => f.key === field.notBefore)?.label ?? field.notBefore;
      problems.push({ key: field.key, label: field.label, message: 'invalid_before', params: { label } });
    }
  }
  if (problems.length > 0) {
    const order = fields.map((field) => field.key);
    problems.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
    return { ok: false, problems, forged };
  }
  return { ok: true, values };
}
