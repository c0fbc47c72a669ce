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
import { LANGUAGES, type Language, SOURCE_LANGUAGE } from '../i18n/languages.ts';

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
  /**
   * `select`, `radio`, `checkboxes`: the choices as stored (a choice written as a map by language
   * is stored as its first text, whatever the customer's language: orders stay comparable).
   */
  readonly options: readonly string[];
  /** The choices as shown, in the form's language (the same as `options` when not translated). */
  readonly optionLabels: readonly string[];
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
  /** The language its texts are in (see {@link formIn}). */
  readonly language: Language;
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
    v.array(localized(option, 'an option'), `a ${kind} needs ${min}-${max} options`),
    v.minLength(min, `a ${kind} needs ${min}-${max} options`),
    v.maxLength(max, `a ${kind} needs ${min}-${max} options`),
    v.check(
      (list) => new Set(list.map(canonical)).size === list.length,
      `a ${kind}'s options must all differ`,
    ),
  );

/** A text of the form: one string, or a map by Discord locale (`{"en-US": "Size", "de": "Größe"}`). */
const localized = <T extends v.GenericSchema<unknown, string>>(text: T, what: string) =>
  v.union(
    [
      text,
      v.pipe(
        v.record(
          v.picklist(LANGUAGES, `a language is one of ${LANGUAGES.join(', ')}`),
          text,
          `expected ${what} (text), or a map by language such as {"en-US": "…", "de": "…"}`,
        ),
        v.check((map) => Object.keys(map).length > 0, `${what} needs at least one language`),
      ),
    ],
    `expected ${what} (text), or a map by language such as {"en-US": "…", "de": "…"}`,
  );

const common = {
  key: v.pipe(str('a key'), v.regex(/^[a-z][a-z0-9_]{0,31}$/, KEY_RULE)),
  label: localized(bounded('a label', 1, 45), 'a label'),
  description: v.optional(localized(bounded('a description', 1, 100), 'a description')),
  required: v.optional(v.boolean('expected true or false')),
  private: v.optional(v.boolean('expected true or false')),
};
/** Only what the customer types into, and a select, show a placeholder (Discord has none for the others). */
const placeholder = {
  placeholder: v.optional(localized(bounded('a placeholder', 1, 100), 'a placeholder')),
};
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
  title: localized(bounded('a title', 1, 45), 'a title'),
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

/** A text of form.json: a string, or a map by language. */
type Localized = string | Readonly<Partial<Record<Language, string>>>;

/** A choice as stored: the text itself, or a map's first text. */
function canonical(text: Localized): string {
  return typeof text === 'string' ? text : (Object.values(text)[0] ?? '');
}

/** A text in `language`: its own, else the source language's (en-US), else the map's first. */
function pick(text: Localized, language: Language): string {
  if (typeof text === 'string') return text;
  return text[language] ?? text[SOURCE_LANGUAGE] ?? canonical(text);
}

/** Whether the form has any text written as a map by language. */
function isTranslated(form: RawForm): boolean {
  return form.steps.some(
    (step) =>
      typeof step.title !== 'string' ||
      step.fields.some(
        (field) =>
          typeof field.label !== 'string' ||
          (field.description !== undefined && typeof field.description !== 'string') ||
          ('placeholder' in field &&
            field.placeholder !== undefined &&
            typeof field.placeholder !== 'string') ||
          ('options' in field && field.options.some((o) => typeof o !== 'string')),
      ),
  );
}

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

function toField(raw: RawField, language: Language): FormField {
  const optional = (text: Localized | undefined) => (text === undefined ? undefined : pick(text, language));
  const base = {
    key: raw.key,
    label: pick(raw.label, language),
    type: raw.type,
    description: optional(raw.description),
    placeholder: 'placeholder' in raw ? optional(raw.placeholder) : undefined,
    required: raw.required ?? true,
    private: raw.private ?? (raw.type === 'paragraph' || raw.type === 'email'),
    minLength: 0,
    maxLength: DEFAULT_MAX_LENGTH[raw.type],
    notBefore: undefined,
    min: undefined,
    max: undefined,
    integer: false,
    options: [],
    optionLabels: [],
  };
  const choices = (list: readonly Localized[]) => ({
    options: list.map(canonical),
    optionLabels: list.map((text) => pick(text, language)),
  });
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
      return { ...base, ...choices(raw.options) };
    case 'checkboxes':
      return { ...base, ...choices(raw.options), min: raw.min, max: raw.max };
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

/**
 * The form's ID: a digest of its steps in the source language (as before translations existed, so
 * a form without any keeps its ID), and of the translations when it has some.
 */
function digest(steps: readonly FormStep[], translations: RawForm | undefined): string {
  const plain = steps.map((step) => ({
    title: step.title,
    fields: step.fields.map(({ optionLabels: _shown, ...field }) => field),
  }));
  const hash = createHash('sha256').update(JSON.stringify(plain));
  if (translations) hash.update(JSON.stringify(translations));
  return hash.digest('base64url').slice(0, 10);
}

/** Each parsed form's definition as validated (its texts by language), for {@link formIn}. */
const sources = new WeakMap<OrderForm, { raw: RawForm; byLanguage: Map<Language, OrderForm> }>();

function resolve(raw: RawForm, language: Language) {
  return raw.steps.map((step) => ({
    title: pick(step.title, language),
    fields: step.fields.map((field) => toField(field, language)),
  }));
}

/**
 * The form with its texts (titles, labels, descriptions, placeholders, choices) in `language`;
 * the same ID, definition and stored choices. A text not written in that language is shown in
 * en-US, else in the first language it is written in.
 */
export function formIn(form: OrderForm, language: Language): OrderForm {
  if (form.language === language) return form;
  const source = sources.get(form);
  if (!source) return form;
  const known = source.byLanguage.get(language);
  if (known) return known;
  const steps = resolve(source.raw, language);
  const localized: OrderForm = { ...form, steps, fields: steps.flatMap((step) => step.fields), language };
  source.byLanguage.set(language, localized);
  sources.set(localized, source);
  return localized;
}

/** Validates a form definition; throws a `ConfigError` of one line per problem, each naming `file`. */
export function parseForm(input: unknown, file: string, isDefault = false): OrderForm {
  const result = v.safeParse(FormSchema, input);
  if (!result.success) {
    const lines = result.issues.map((issue) => `${file}: ${pathOf(issue.path)}: ${explain(issue)}`);
    throw new ConfigError(lines.join('\n'), { cause: result.issues });
  }
  const raw = result.output;
  const steps = resolve(raw, SOURCE_LANGUAGE);
  const fields = steps.flatMap((step) => step.fields);
  const problems = crossChecks(raw, fields);
  if (problems.length > 0) {
    throw new ConfigError(problems.map(([path, message]) => `${file}: ${path}: ${message}`).join('\n'));
  }
  const id = digest(steps, isTranslated(raw) ? raw : undefined);
  const form: OrderForm = {
    steps,
    fields,
    id,
    isDefault,
    definition: JSON.stringify(input),
    language: SOURCE_LANGUAGE,
  };
  sources.set(form, { raw, byLanguage: new Map([[SOURCE_LANGUAGE, form]]) });
  return form;
}

/** How a date is written, by language (the customer types the digits in this order everywhere). */
const DATE_PLACEHOLDER = {
  'en-US': 'YYYY-MM-DD',
  de: 'JJJJ-MM-TT',
  fr: 'AAAA-MM-JJ',
  'es-ES': 'AAAA-MM-DD',
  'pt-BR': 'AAAA-MM-DD',
} as const;

/** The shipped form: the original three steps, field for field, in every shipped language. */
export const DEFAULT_FORM_JSON = {
  steps: [
    {
      title: {
        'en-US': 'Order Details - Step 1',
        de: 'Bestelldaten – Schritt 1',
        fr: 'Détails de la commande – Étape 1',
        'es-ES': 'Datos del pedido - Paso 1',
        'pt-BR': 'Dados do pedido - Etapa 1',
      },
      fields: [
        {
          key: 'order_number',
          label: {
            'en-US': 'Order Number',
            de: 'Bestellnummer',
            fr: 'Numéro de commande',
            'es-ES': 'Número de pedido',
            'pt-BR': 'Número do pedido',
          },
          type: 'text',
          placeholder: 'ORD-12345',
          max_length: 50,
        },
        {
          key: 'estimated_arrival_start_date',
          label: {
            'en-US': 'Arrival Start',
            de: 'Ankunft frühestens',
            fr: 'Arrivée au plus tôt',
            'es-ES': 'Llegada desde',
            'pt-BR': 'Chegada a partir de',
          },
          type: 'date',
          placeholder: DATE_PLACEHOLDER,
        },
        {
          key: 'estimated_arrival_end_date',
          label: {
            'en-US': 'Arrival End',
            de: 'Ankunft spätestens',
            fr: 'Arrivée au plus tard',
            'es-ES': 'Llegada hasta',
            'pt-BR': 'Chegada até',
          },
          type: 'date',
          placeholder: DATE_PLACEHOLDER,
          not_before: 'estimated_arrival_start_date',
        },
        {
          key: 'product_image_url',
          label: {
            'en-US': 'Image URL',
            de: 'Bild-URL',
            fr: 'URL de l’image',
            'es-ES': 'URL de la imagen',
            'pt-BR': 'URL da imagem',
          },
          type: 'url',
          placeholder: 'https://example.com/image.jpg',
          max_length: 500,
        },
        {
          key: 'product_name',
          label: {
            'en-US': 'Product Name',
            de: 'Produktname',
            fr: 'Nom du produit',
            'es-ES': 'Nombre del producto',
            'pt-BR': 'Nome do produto',
          },
          type: 'text',
          placeholder: {
            'en-US': 'Product Name',
            de: 'Produktname',
            fr: 'Nom du produit',
            'es-ES': 'Nombre del producto',
            'pt-BR': 'Nome do produto',
          },
          max_length: 100,
        },
      ],
    },
    {
      title: {
        'en-US': 'Order Details - Step 2',
        de: 'Bestelldaten – Schritt 2',
        fr: 'Détails de la commande – Étape 2',
        'es-ES': 'Datos del pedido - Paso 2',
        'pt-BR': 'Dados do pedido - Etapa 2',
      },
      fields: [
        {
          key: 'style_id',
          label: {
            'en-US': 'Style ID',
            de: 'Artikelnummer',
            fr: 'Référence article',
            'es-ES': 'Referencia del artículo',
            'pt-BR': 'Código do modelo',
          },
          type: 'text',
          placeholder: 'STY-789',
          max_length: 50,
        },
        {
          key: 'product_size',
          label: {
            'en-US': 'Product Size',
            de: 'Größe',
            fr: 'Taille',
            'es-ES': 'Talla',
            'pt-BR': 'Tamanho',
          },
          type: 'text',
          placeholder: '10',
          max_length: 20,
        },
        {
          key: 'product_condition',
          label: { 'en-US': 'Condition', de: 'Zustand', fr: 'État', 'es-ES': 'Estado', 'pt-BR': 'Condição' },
          type: 'text',
          placeholder: { 'en-US': 'New', de: 'Neu', fr: 'Neuf', 'es-ES': 'Nuevo', 'pt-BR': 'Novo' },
          max_length: 50,
        },
        {
          key: 'purchase_price',
          label: {
            'en-US': 'Purchase Price',
            de: 'Kaufpreis',
            fr: 'Prix d’achat',
            'es-ES': 'Precio de compra',
            'pt-BR': 'Preço de compra',
          },
          type: 'price',
          placeholder: {
            'en-US': '$150.00',
            de: '150,00 €',
            fr: '150,00 €',
            'es-ES': '150,00 €',
            'pt-BR': 'R$ 150,00',
          },
          max_length: 20,
        },
        {
          key: 'color',
          label: { 'en-US': 'Color', de: 'Farbe', fr: 'Couleur', 'es-ES': 'Color', 'pt-BR': 'Cor' },
          type: 'text',
          placeholder: { 'en-US': 'Black', de: 'Schwarz', fr: 'Noir', 'es-ES': 'Negro', 'pt-BR': 'Preto' },
          max_length: 30,
        },
      ],
    },
    {
      title: {
        'en-US': 'Order Details - Step 3',
        de: 'Bestelldaten – Schritt 3',
        fr: 'Détails de la commande – Étape 3',
        'es-ES': 'Datos del pedido - Paso 3',
        'pt-BR': 'Dados do pedido - Etapa 3',
      },
      fields: [
        {
          key: 'shipping_address',
          label: {
            'en-US': 'Shipping Address',
            de: 'Lieferadresse',
            fr: 'Adresse de livraison',
            'es-ES': 'Dirección de envío',
            'pt-BR': 'Endereço de entrega',
          },
          type: 'paragraph',
          placeholder: {
            'en-US': '123 Main St, City, State 12345',
            de: 'Hauptstraße 1, 12345 Berlin',
            fr: '1 rue de la Paix, 75002 Paris',
            'es-ES': 'Calle Mayor 1, 28013 Madrid',
            'pt-BR': 'Rua das Flores, 123, São Paulo - SP',
          },
          max_length: 500,
        },
        {
          key: 'notes',
          label: {
            'en-US': 'Additional Notes',
            de: 'Anmerkungen',
            fr: 'Remarques',
            'es-ES': 'Notas adicionales',
            'pt-BR': 'Observações',
          },
          type: 'paragraph',
          placeholder: {
            'en-US': 'Additional delivery instructions',
            de: 'Zusätzliche Lieferhinweise',
            fr: 'Instructions de livraison supplémentaires',
            'es-ES': 'Instrucciones de entrega adicionales',
            'pt-BR': 'Instruções adicionais de entrega',
          },
          max_length: 1000,
          required: false,
        },
      ],
    },
  ],
} as const;

/** The shipped form, validated. */
export const DEFAULT_FORM: OrderForm = parseForm(DEFAULT_FORM_JSON, '(shipped form)', true);

/**
 * The ID of the shipped form before it was translated (0.3): orders taken under it, and an
 * owner's form.json copied from it, are the shipped form.
 */
export const ENGLISH_DEFAULT_FORM_ID = digest(DEFAULT_FORM.steps, undefined);

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
  return form.id === DEFAULT_FORM.id || form.id === ENGLISH_DEFAULT_FORM_ID ? DEFAULT_FORM : form;
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
  if (formId === DEFAULT_FORM.id || formId === ENGLISH_DEFAULT_FORM_ID) return DEFAULT_FORM;
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
