/**
 * @module order/form
 * The shop's order form: its steps and fields, read from `CONFIG_DIR/form.json` and validated with
 * valibot (an invalid form stops the bot with one line naming the file and the field's path), or
 * the shipped default (the original three steps, field for field) when there is no such file. One
 * definition drives the modals, validation, the summary, the staff post, the stored order, the CSV
 * export and the email's placeholders.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { ConfigError } from '../errors.ts';

/** What a field asks for; each renders as its own Discord component inside a Label. */
export type FieldType =
  | 'text'
  | 'paragraph'
  | 'email'
  | 'url'
  | 'date'
  | 'number'
  | 'price'
  | 'select'
  | 'radio'
  | 'checkboxes';

/** Field types the customer types into (a text input). */
export const TYPED: ReadonlySet<FieldType> = new Set([
  'text',
  'paragraph',
  'email',
  'url',
  'date',
  'number',
  'price',
]);

/** Field types the customer picks from `options`. */
export const CHOICE: ReadonlySet<FieldType> = new Set(['select', 'radio', 'checkboxes']);

/** One question of the form, with every default filled in. */
export interface FormField {
  readonly key: string;
  readonly label: string;
  readonly type: FieldType;
  readonly description: string | undefined;
  readonly placeholder: string | undefined;
  readonly required: boolean;
  /** Left out of a public summary (`order_summary: "public"`); by default paragraphs and email addresses. */
  readonly private: boolean;
  /** For typed fields; 0 when not set. */
  readonly minLength: number;
  /** For typed fields: the most characters kept (the type's default when not set). */
  readonly maxLength: number;
  /** `date`: `"today"` or the key of an earlier date field this one may not precede. */
  readonly notBefore: string | undefined;
  /** `number`: bounds and whether only whole numbers are accepted; `checkboxes`: how many may be ticked. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly integer: boolean;
  /** `select`, `radio`, `checkboxes`: the choices, shown and stored as written. */
  readonly options: readonly string[];
}

/** One modal of the form. */
export interface FormStep {
  readonly title: string;
  readonly fields: readonly FormField[];
}

/** A validated form. */
export interface OrderForm {
  readonly steps: readonly FormStep[];
  /** Every field, in order. */
  readonly fields: readonly FormField[];
  /** A short digest of the definition: sessions and stored orders name the form they were taken under. */
  readonly id: string;
  /** Whether this is the shipped default (the shipped email template is written for it). */
  readonly isDefault: boolean;
  /** The definition as JSON, as stored with the orders taken under it. */
  readonly definition: string;
}

/** Placeholders of the email that are not fields: no field may take their key. */
export const RESERVED_KEYS: readonly string[] = [
  'product_image',
  'order_id',
  'order_reference',
  'order_table',
  'email',
  'current_year',
  'shop_name',
];

/**
 * Names no field may take: the email's built-in placeholders, the CSV export's own columns (a
 * field named so would make two columns of one name), and what every JavaScript object has.
 */
const TAKEN_KEYS: ReadonlySet<string> = new Set([
  ...RESERVED_KEYS,
  'created_at',
  'status',
  'discord_user_id',
  'discord_server_id',
  'email_refused_by_cap',
  'order_status',
  'status_changed_at',
  'constructor',
]);

/** Most steps (modals) and fields a step (Discord shows at most five components in a modal). */
export const MAX_STEPS = 5;
export const MAX_FIELDS_PER_STEP = 5;
/**
 * Most characters a whole form may hold (the sum of its fields' `max_length`; a select or radio
 * counts its longest option, checkboxes all their options). Bounds the memory of a form in
 * progress: see README, "Memory".
 */
export const MAX_FORM_CHARACTERS = 4000;

/** `max_length` of a typed field when the form does not set one. */
const DEFAULT_MAX_LENGTH: Record<FieldType, number> = {
  text: 100,
  paragraph: 1000,
  email: 254,
  url: 500,
  date: 10,
  number: 20,
  price: 20,
  select: 0,
  radio: 0,
  checkboxes: 0,
};

const KEY_RULE = 'a key is a lowercase letter then up to 31 lowercase letters, digits or _';
const str = (what: string) => v.string(`expected ${what} (text)`);
const bounded = (what: string, min: number, max: number) =>
  v.pipe(
    str(what),
    v.trim(),
    v.minLength(min, `${what} must not be empty`),
    v.maxLength(max, `${what} is at most ${max} characters (Discord's limit)`),
  );
const whole = (min: number, max: number) => {
  const message = `expected a whole number ${min}-${max}`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};
const option = v.pipe(
  str('an option'),
  v.trim(),
  v.minLength(1, 'an option must not be empty'),
  v.maxLength(100, "an option is at most 100 characters (Discord's limit)"),
  v.check((value) => !/[\r\n]/.test(value), 'an option is one line'),
);
const options = (kind: string, min: number, max: number) =>
  v.pipe(
    v.array(option, `a ${kind} needs ${min}-${max} options`),
    v.minLength(min, `a ${kind} needs ${min}-${max} options`),
    v.maxLength(max, `a ${kind} needs ${min}-${max} options`),
    v.check((list) => new Set(list).size === list.length, `a ${kind}'s options must all differ`),
  );

const common = {
  key: v.pipe(str('a key'), v.regex(/^[a-z][a-z0-9_]{0,31}$/, KEY_RULE)),
  label: bounded('a label', 1, 45),
  description: v.optional(bounded('a description', 1, 100)),
  required: v.optional(v.boolean('expected true or false')),
  private: v.optional(v.boolean('expected true or false')),
};
/** Only what the customer types into, and a select, show a placeholder (Discord has none for the others). */
const placeholder = { placeholder: v.optional(bounded('a placeholder', 1, 100)) };
const lengths = {
  min_length: v.optional(whole(0, 4000)),
  max_length: v.optional(whole(1, 4000)),
};
const typed = (type: 'text' | 'paragraph' | 'email' | 'url' | 'price') =>
  v.strictObject({ ...common, ...placeholder, type: v.literal(type), ...lengths });

const FieldSchema = v.variant(
  'type',
  [
    typed('text'),
    typed('paragraph'),
    typed('email'),
    typed('url'),
    typed('price'),
    v.strictObject({
      ...common,
      ...placeholder,
      type: v.literal('date'),
      not_before: v.optional(str('"today" or a field key')),
    }),
    v.strictObject({
      ...common,
      ...placeholder,
      type: v.literal('number'),
      min: v.optional(v.number('expected a number')),
      max: v.optional(v.number('expected a number')),
      integer: v.optional(v.boolean('expected true or false')),
      max_length: v.optional(whole(1, 40)),
    }),
    v.strictObject({
      ...common,
      ...placeholder,
      type: v.literal('select'),
      options: options('select', 1, 25),
    }),
    v.strictObject({ ...common, type: v.literal('radio'), options: options('radio group', 2, 10) }),
    v.strictObject({
      ...common,
      type: v.literal('checkboxes'),
      options: options('checkbox group', 1, 10),
      min: v.optional(whole(0, 10)),
      max: v.optional(whole(1, 10)),
    }),
  ],
  'unknown type: expected one of text, paragraph, email, url, date, number, price, select, radio, checkboxes',
);

const StepSchema = v.strictObject({
  title: bounded('a title', 1, 45),
  fields: v.pipe(
    v.array(FieldSchema, 'expected a list of fields'),
    v.minLength(1, `a step has 1-${MAX_FIELDS_PER_STEP} fields`),
    v.maxLength(MAX_FIELDS_PER_STEP, `a step has 1-${MAX_FIELDS_PER_STEP} fields (a Discord modal shows 5)`),
  ),
});

const FormSchema = v.strictObject({
  steps: v.pipe(
    v.array(StepSchema, 'expected a list of steps'),
    v.minLength(1, `a form has 1-${MAX_STEPS} steps`),
    v.maxLength(MAX_STEPS, `a form has 1-${MAX_STEPS} steps`),
  ),
});

type RawForm = v.InferOutput<typeof FormSchema>;
type RawField = v.InferOutput<typeof FieldSchema>;

/** Writes a valibot path as `steps[1].fields[2].options`. */
function pathOf(path: readonly { key: unknown }[] | undefined): string {
  let out = '';
  for (const item of path ?? []) {
    out += typeof item.key === 'number' ? `[${item.key}]` : `${out ? '.' : ''}${String(item.key)}`;
  }
  return out || '(root)';
}

/** One valibot issue in the owner's words. */
function explain(issue: v.GenericIssue): string {
  const last = issue.path?.at(-1);
  if (issue.input === undefined) {
    const parent = last?.input as { type?: unknown } | undefined;
    const kind = {
      select: 'a select needs 1-25',
      radio: 'a radio group needs 2-10',
      checkboxes: 'a checkbox group needs 1-10',
    }[String(parent?.type)];
    return last?.key === 'options' && kind ? `${kind} options, missing` : 'required, missing';
  }
  if (issue.type === 'strict_object') {
    return `unknown key ${describeValue(last?.key)}: remove it, or check its spelling`;
  }
  return `${issue.message}, got ${describeValue(issue.input)}`;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** What a field can hold at most, in characters (for {@link MAX_FORM_CHARACTERS}). */
export function fieldCapacity(field: FormField): number {
  if (field.type === 'checkboxes') return field.options.reduce((sum, o) => sum + o.length + 1, 0);
  if (CHOICE.has(field.type)) return Math.max(...field.options.map((o) => o.length));
  return field.maxLength;
}

function toField(raw: RawField): FormField {
  const base = {
    key: raw.key,
    label: raw.label,
    type: raw.type,
    description: raw.description,
    placeholder: 'placeholder' in raw ? raw.placeholder : undefined,
    required: raw.required ?? true,
    private: raw.private ?? (raw.type === 'paragraph' || raw.type === 'email'),
    minLength: 0,
    maxLength: DEFAULT_MAX_LENGTH[raw.type],
    notBefore: undefined,
    min: undefined,
    max: undefined,
    integer: false,
    options: [],
  };
  switch (raw.type) {
    case 'date':
      return { ...base, notBefore: raw.not_before };
    case 'number':
      return {
        ...base,
        min: raw.min,
        max: raw.max,
        integer: raw.integer ?? false,
        maxLength: raw.max_length ?? 20,
      };
    case 'select':
    case 'radio':
      return { ...base, options: raw.options };
    case 'checkboxes':
      return { ...base, options: raw.options, min: raw.min, max: raw.max };
    default:
      return { ...base, minLength: raw.min_length ?? 0, maxLength: raw.max_length ?? base.maxLength };
  }
}

/** The checks across fields, each as `[path, message]`. */
function crossChecks(form: RawForm, fields: readonly FormField[]): [string, string][] {
  const problems: [string, string][] = [];
  const seen = new Map<string, string>();
  const dates = new Set<string>();
  form.steps.forEach((step, s) => {
    step.fields.forEach((raw, f) => {
      const at = `steps[${s}].fields[${f}]`;
      const field = fields.find((one) => one.key === raw.key)!;
      const first = seen.get(raw.key);
      if (TAKEN_KEYS.has(raw.key)) {
        problems.push([
          `${at}.key`,
          `"${raw.key}" is a built-in name (an email placeholder or a column of the CSV export): choose another key`,
        ]);
      }
      if (first)
        problems.push([`${at}.key`, `"${raw.key}" is already the key of ${first}: keys must differ`]);
      else seen.set(raw.key, at);
      if (field.minLength > field.maxLength) {
        problems.push([`${at}.min_length`, `is more than max_length (${field.maxLength})`]);
      }
      if (raw.type === 'date' && field.notBefore !== undefined && field.notBefore !== 'today') {
        if (!dates.has(field.notBefore)) {
          problems.push([
            `${at}.not_before`,
            `expected "today" or the key of an earlier date field, got ${describeValue(field.notBefore)}`,
          ]);
        }
      }
      if (raw.type === 'date') dates.add(raw.key);
      if (
        raw.type === 'number' &&
        field.min !== undefined &&
        field.max !== undefined &&
        field.min > field.max
      ) {
        problems.push([`${at}.min`, `is more than max (${field.max})`]);
      }
      if (raw.type === 'checkboxes') {
        const count = field.options.length;
        if (field.max !== undefined && field.max > count) {
          problems.push([`${at}.max`, `is more than the ${count} option(s)`]);
        }
        if (field.min !== undefined && field.min > (field.max ?? count)) {
          problems.push([`${at}.min`, `is more than can be ticked (${field.max ?? count})`]);
        }
        if (!field.required && (field.min ?? 0) > 0) {
          problems.push([
            `${at}.min`,
            `a checkbox group that is not required cannot ask for at least ${field.min} (Discord would make it required): remove min, or set required to true`,
          ]);
        }
      }
    });
  });
  const total = fields.reduce((sum, field) => sum + fieldCapacity(field), 0);
  if (total > MAX_FORM_CHARACTERS) {
    problems.push([
      'steps',
      `the fields hold up to ${total} characters together (the sum of their max_length and options); at most ${MAX_FORM_CHARACTERS}, which keeps forms in progress within the memory budget`,
    ]);
  }
  return problems;
}

function digest(steps: readonly FormStep[]): string {
  return createHash('sha256').update(JSON.stringify(steps)).digest('base64url').slice(0, 10);
}

/** Validates a form definition; throws a `ConfigError` of one line per problem, each naming `file`. */
export function parseForm(input: unknown, file: string, isDefault = false): OrderForm {
  const result = v.safeParse(FormSchema, input);
  if (!result.success) {
    const lines = result.issues.map((issue) => `${file}: ${pathOf(issue.path)}: ${explain(issue)}`);
    throw new ConfigError(lines.join('\n'), { cause: result.issues });
  }
  const steps = result.output.steps.map((step) => ({ title: step.title, fields: step.fields.map(toField) }));
  const fields = steps.flatMap((step) => step.fields);
  const problems = crossChecks(result.output, fields);
  if (problems.length > 0) {
    throw new ConfigError(problems.map(([path, message]) => `${file}: ${path}: ${message}`).join('\n'));
  }
  return { steps, fields, id: digest(steps), isDefault, definition: JSON.stringify(input) };
}

/** The shipped form: the original three steps, field for field. */
export const DEFAULT_FORM_JSON = {
  steps: [
    {
      title: 'Order Details - Step 1',
      fields: [
        {
          key: 'order_number',
          label: 'Order Number',
          type: 'text',
          placeholder: 'ORD-12345',
          max_length: 50,
        },
        {
          key: 'estimated_arrival_start_date',
          label: 'Arrival Start',
          type: 'date',
          placeholder: 'YYYY-MM-DD',
        },
        {
          key: 'estimated_arrival_end_date',
          label: 'Arrival End',
          type: 'date',
          placeholder: 'YYYY-MM-DD',
          not_before: 'estimated_arrival_start_date',
        },
        {
          key: 'product_image_url',
          label: 'Image URL',
          type: 'url',
          placeholder: 'https://example.com/image.jpg',
          max_length: 500,
        },
        {
          key: 'product_name',
          label: 'Product Name',
          type: 'text',
          placeholder: 'Product Name',
          max_length: 100,
        },
      ],
    },
    {
      title: 'Order Details - Step 2',
      fields: [
        { key: 'style_id', label: 'Style ID', type: 'text', placeholder: 'STY-789', max_length: 50 },
        { key: 'product_size', label: 'Product Size', type: 'text', placeholder: '10', max_length: 20 },
        { key: 'product_condition', label: 'Condition', type: 'text', placeholder: 'New', max_length: 50 },
        {
          key: 'purchase_price',
          label: 'Purchase Price',
          type: 'price',
          placeholder: '$150.00',
          max_length: 20,
        },
        { key: 'color', label: 'Color', type: 'text', placeholder: 'Black', max_length: 30 },
      ],
    },
    {
      title: 'Order Details - Step 3',
      fields: [
        {
          key: 'shipping_address',
          label: 'Shipping Address',
          type: 'paragraph',
          placeholder: '123 Main St, City, State 12345',
          max_length: 500,
        },
        {
          key: 'notes',
          label: 'Additional Notes',
          type: 'paragraph',
          placeholder: 'Additional delivery instructions',
          max_length: 1000,
          required: false,
        },
      ],
    },
  ],
} as const;

/** The shipped form, validated. */
export const DEFAULT_FORM: OrderForm = parseForm(DEFAULT_FORM_JSON, '(shipped form)', true);

/** Reads `form.json` from `dir`, or the shipped form when there is none. */
export function loadForm(dir: string): OrderForm {
  const path = join(dir, 'form.json');
  if (!existsSync(path)) return DEFAULT_FORM;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const form = parseForm(json, path);
  // The same definition as the shipped one keeps the shipped email template and summary.
  return form.id === DEFAULT_FORM.id ? DEFAULT_FORM : form;
}

/** The field of `form` with `key`, if any. */
export function fieldOf(form: OrderForm, key: string): FormField | undefined {
  return form.fields.find((field) => field.key === key);
}

const stored = new Map<string, OrderForm>();

/**
 * The form an order was taken under: `current` when it is that one, the shipped form for an order
 * of 0.2 (no form ID), else its stored definition (parsed once, then cached); `current` when the
 * definition is missing or unreadable (the order's own fields still show, by key).
 */
export function formOfOrder(
  formId: string | null,
  current: OrderForm,
  definition: (id: string) => string | undefined,
): OrderForm {
  if (formId === null) return DEFAULT_FORM;
  if (formId === current.id) return current;
  if (formId === DEFAULT_FORM.id) return DEFAULT_FORM;
  const cached = stored.get(formId);
  if (cached) return cached;
  try {
    const text = definition(formId);
    if (text === undefined) return current;
    const form = parseForm(JSON.parse(text), `stored form ${formId}`);
    stored.set(formId, form);
    return form;
  } catch {
    return current;
  }
}
