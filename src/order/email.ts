/**
 * @module order/email
 * The order confirmation email: which placeholders a template may use (the form's field keys plus a
 * few, among them `{{order_table}}`: every field as label/value rows), the values an order fills
 * them with, the plain-text part when the template has none, and loading the shop's configuration
 * and form with its template checked against those placeholders.
 *
 * Everything a customer typed is someone else's text in the shop's email, so: the subject may name
 * only the shop and the bot's own order ID; the product image is shown only from hosts the shop
 * lists (`image_hosts`), and any other image address is shown as plain text; web addresses and
 * domain names in typed text are written so mail programs do not turn them into links
 * (`https[:]//evil[.]example`).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BotConfig,
  type ConfigFiles,
  type EmailTemplate,
  loadConfigFiles,
  loadTemplateFile,
  shippedFiles,
} from '../config.ts';
import { ConfigError } from '../errors.ts';
import { LANGUAGES, type Language } from '../i18n/languages.ts';
import { EN, formatAmount, formatDate, type Translator, translator } from '../i18n/translate.ts';
import type { MailJob } from '../mail/mailer.ts';
import {
  checkTemplate,
  escapeHtml,
  headerSafe,
  type RenderedEmail,
  renderEmail,
  safeUrl,
  type TemplateSource,
} from '../mail/template.ts';
import { type Order, ownReference, shownValue } from './fields.ts';
import { type FormField, fieldOf, formIn, loadForm, type OrderForm, RESERVED_KEYS } from './form.ts';
import { SHIPPED_TEMPLATES } from './shipped-templates.ts';
import { statusName } from './texts.ts';

/** Placeholders every template may use besides the form's field keys. */
export const BUILT_IN_PLACEHOLDERS: readonly string[] = RESERVED_KEYS;

/** Every placeholder a template may use with `form`: each field, then the built-in ones. */
export function placeholdersOf(form: OrderForm): string[] {
  return [...form.fields.map((field) => field.key), ...BUILT_IN_PLACEHOLDERS];
}

/** The placeholders a subject may use: nothing a customer typed. */
export const SUBJECT_PLACEHOLDERS: readonly string[] = ['shop_name', 'order_id', 'current_year'];

/** The shop's files in force: `config.json`, `email_template.json` and `form.json`. */
export interface ShopSettings extends ConfigFiles {
  form: OrderForm;
  /** The status emails, `status_email_<status>.json` (over the shipped ones). */
  statusTemplates: StatusTemplates;
  /** The emails of a customer of each language (see {@link loadLanguageTemplates}). */
  byLanguage: LanguageTemplates;
}

/** The confirmation and status emails of each language. */
export type LanguageTemplates = Readonly<
  Record<Language, { readonly template: EmailTemplate; readonly statusTemplates: StatusTemplates }>
>;

/** The statuses a customer is emailed about (an order is `received` when the confirmation goes). */
export type EmailedStatus = 'accepted' | 'shipped' | 'delivered' | 'cancelled';

/** The template of each status email. */
export type StatusTemplates = Readonly<Record<EmailedStatus, EmailTemplate>>;

/** The statuses emailed about, in order. */
const EMAILED_STATUSES: readonly EmailedStatus[] = ['accepted', 'shipped', 'delivered', 'cancelled'];

/** Placeholders a status email has on top of the confirmation's. */
export const STATUS_PLACEHOLDERS: readonly string[] = [
  'status',
  'tracking_number',
  'tracking_url',
  'tracking',
  'reason',
];

/** Checks a status email's placeholders and subject; throws a `ConfigError` naming `path`. */
function checkStatusTemplate(template: EmailTemplate, known: readonly string[], path: string): void {
  const problem = checkTemplate(template, known);
  if (problem) throw new ConfigError(`${path}: ${problem}`);
  const typed = [...template.subject.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)]
    .map((match) => match[1]!)
    .filter((name) => !SUBJECT_PLACEHOLDERS.includes(name) && name !== 'status');
  if (typed.length > 0) {
    throw new ConfigError(
      `${path}: subject: ${typed.map((n) => `{{${n}}}`).join(', ')} would put text the customer typed into your subject line`,
    );
  }
}

/** Checks a confirmation's placeholders and subject against `form`; throws a `ConfigError` naming `path`. */
function checkConfirmation(template: EmailTemplate, form: OrderForm, path: string): void {
  const unknown = checkTemplate(template, placeholdersOf(form));
  if (unknown) {
    const hint = form.isDefault ? '' : ' (your form.json names the fields; {{order_table}} lists them all)';
    throw new ConfigError(`${path}: ${unknown}${hint}`);
  }
  const typed = [...template.subject.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)]
    .map((match) => match[1]!)
    .filter((name) => !SUBJECT_PLACEHOLDERS.includes(name));
  if (typed.length > 0) {
    throw new ConfigError(
      `${path}: subject: ${typed.map((n) => `{{${n}}}`).join(', ')} would put text the customer typed into your subject line; a subject may use ${SUBJECT_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}`,
    );
  }
}

/**
 * Reads `status_email_<status>.json` for each status from `dir`, each over the shipped one, and
 * checks their placeholders (the form's fields, the built-in ones and {@link STATUS_PLACEHOLDERS};
 * a subject names nothing the customer typed).
 */
export function loadStatusTemplates(dir: string, form: OrderForm): StatusTemplates {
  const known = [...placeholdersOf(form), ...STATUS_PLACEHOLDERS];
  const loaded = {} as Record<EmailedStatus, EmailTemplate>;
  for (const status of EMAILED_STATUSES) {
    const name = `status_email_${status}.json`;
    const template = loadTemplateFile(dir, name, SHIPPED_TEMPLATES['en-US'].status[status]);
    checkStatusTemplate(template, known, `${dir}/${name}`);
    loaded[status] = template;
  }
  return loaded;
}

/**
 * The emails of a customer of each language: `email_template.<language>.json` (and
 * `status_email_<status>.<language>.json`) from `dir`, each over the shipped file of that language;
 * without one, the owner's `email_template.json` (or `status_email_<status>.json`) when they have
 * made one of their own, else the shipped file of that language (an unchanged copy of the shipped
 * English file is not one of their own). With a form of its own, a shipped confirmation is the one
 * written for any form (`{{order_table}}`).
 */
export function loadLanguageTemplates(
  dir: string,
  form: OrderForm,
  fallback: { template: EmailTemplate; statusTemplates: StatusTemplates },
): LanguageTemplates {
  const known = [...placeholdersOf(form), ...STATUS_PLACEHOLDERS];
  const byLanguage = {} as Record<Language, { template: EmailTemplate; statusTemplates: StatusTemplates }>;
  const ownFile = (name: string) => existsSync(join(dir, name));
  const english = SHIPPED_TEMPLATES['en-US'];
  const same = (a: EmailTemplate, b: { subject: string; html_body: string; text_body?: string }) =>
    a.subject === b.subject && a.html_body === b.html_body && (a.text_body ?? '') === (b.text_body ?? '');
  const ownConfirmation =
    ownFile('email_template.json') &&
    !same(fallback.template, english.confirmation) &&
    !same(fallback.template, english.anyForm);
  for (const language of LANGUAGES) {
    const shipped = SHIPPED_TEMPLATES[language];
    const name = `email_template.${language}.json`;
    let template: EmailTemplate;
    if (ownFile(name)) {
      template = loadTemplateFile(dir, name, shipped.confirmation);
      if (!form.isDefault && template.html_body === shipped.confirmation.html_body) {
        template = { ...template, html_body: shipped.anyForm.html_body };
      }
      checkConfirmation(template, form, join(dir, name));
    } else if (ownConfirmation) {
      template = fallback.template;
    } else {
      template = loadTemplateFile(dir, name, form.isDefault ? shipped.confirmation : shipped.anyForm);
    }
    const statusTemplates = {} as Record<EmailedStatus, EmailTemplate>;
    for (const status of EMAILED_STATUSES) {
      const own = `status_email_${status}.${language}.json`;
      if (ownFile(own)) {
        const loaded = loadTemplateFile(dir, own, shipped.status[status]);
        checkStatusTemplate(loaded, known, join(dir, own));
        statusTemplates[status] = loaded;
      } else if (
        ownFile(`status_email_${status}.json`) &&
        !same(fallback.statusTemplates[status], english.status[status])
      ) {
        statusTemplates[status] = fallback.statusTemplates[status];
      } else {
        statusTemplates[status] = loadTemplateFile(dir, own, shipped.status[status]);
      }
    }
    byLanguage[language] = { template, statusTemplates };
  }
  return byLanguage;
}

/**
 * Reads `config.json`, `email_template.json` and `form.json` and checks the template's
 * placeholders against the form. With a form of its own and no `html_body` of its own, the shop gets
 * the shipped template written for any form (`{{order_table}}` lists every field).
 */
export function loadShopSettings(dir: string): ShopSettings {
  const files = loadConfigFiles(dir);
  const form = loadForm(dir);
  const template =
    !form.isDefault && files.template.html_body === shippedFiles().template.html_body
      ? { ...files.template, html_body: SHIPPED_TEMPLATES['en-US'].anyForm.html_body }
      : files.template;
  checkConfirmation(template, form, files.templatePath);
  const statusTemplates = loadStatusTemplates(dir, form);
  return {
    ...files,
    template,
    form,
    statusTemplates,
    byLanguage: loadLanguageTemplates(dir, form, { template, statusTemplates }),
  };
}

/** The confirmation and status emails for a customer of `language` (the defaults when none are loaded). */
export function templatesFor(
  settings: { template: EmailTemplate; statusTemplates: StatusTemplates; byLanguage?: LanguageTemplates },
  language: Language,
): { template: EmailTemplate; statusTemplates: StatusTemplates } {
  return settings.byLanguage?.[language] ?? settings;
}

/** Writes web addresses and domain names so mail programs show them as text, not links. */
export function defang(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, '$1[:]//')
    .replace(/(?<=[\p{L}\p{N}])\.(?=\p{L})/gu, '[.]');
}

/** Whether `url`'s host is one the shop lists in `image_hosts` (or a subdomain of one). */
export function isShopImage(url: string, imageHosts: readonly string[]): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return imageHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
  } catch {
    return false;
  }
}

/** What {@link renderConfirmation} needs besides the order. */
export interface ConfirmationOptions {
  shopName: string;
  /** The form the order was taken with (labels and types of its fields). */
  form: OrderForm;
  /** The bot's own order ID. */
  orderId?: number | undefined;
  /** `order_reference_format`. @defaultValue `#{id}` */
  referenceFormat?: string;
  /** Hosts product images may be loaded from (`image_hosts`). @defaultValue none */
  imageHosts?: readonly string[];
  /** @defaultValue the current year */
  year?: number;
  /** The customer's language (dates, amounts and the plain-text part). @defaultValue English */
  t?: Translator;
}

/**
 * A field's value as the customer reads it in their language: a choice by its label, a date in the
 * language's words, an amount with its decimal separator (English: as typed).
 */
function readable(t: Translator, field: FormField | undefined, value: string): string {
  if (field?.type === 'date') return formatDate(t, value);
  if (field?.type === 'price') return formatAmount(t, value);
  return shownValue(field, value);
}

/** Every field's value made readable (see {@link readable}) and defanged, by key. */
function readableFields(t: Translator, form: OrderForm, order: Order): Record<string, string> {
  return Object.fromEntries(
    Object.entries(order.fields).map(([key, value]) => [key, defang(readable(t, fieldOf(form, key), value))]),
  );
}

/** The rows of every field of the order (values as `shown` holds them), label and value escaped, as the `details` table of the shipped template. */
function orderTable(
  form: OrderForm,
  order: Order,
  shown: Readonly<Record<string, string>>,
): { html: string; text: string } {
  const rows = labelled(form, order).map(({ label, key }) => ({ label, value: shown[key] ?? '' }));
  const html = rows
    .map((row) => `<tr><th>${escapeHtml(row.label)}</th><td>${escapeHtml(row.value)}</td></tr>`)
    .join('\n');
  return {
    html: `<table role="presentation" class="details" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse">\n${html}\n</table>`,
    text: textRows(rows),
  };
}

/** Each field the order has, with its label: the form's fields (empty optional ones left out), then older ones. */
function labelled(form: OrderForm, order: Order) {
  const rows = form.fields
    .filter((field) => field.required || order.fields[field.key])
    .map((field) => ({ key: field.key, label: field.label, field: field as FormField | undefined }));
  for (const key of Object.keys(order.fields)) {
    if (!form.fields.some((field) => field.key === key) && order.fields[key]) {
      rows.push({ key, label: key, field: undefined });
    }
  }
  return rows;
}

/** `Label:   value` lines, values aligned, later lines of a value indented. */
function textRows(rows: readonly { label: string; value: string }[]): string {
  const width = Math.max(0, ...rows.map((row) => row.label.length));
  return rows
    .map(
      (row) =>
        `${`${row.label}:`.padEnd(width + 2)}${row.value.replace(/\r?\n/g, `\n${' '.repeat(width + 2)}`)}`,
    )
    .join('\n');
}

/** Renders the confirmation of `order` with `template`. */
export function renderConfirmation(
  template: TemplateSource,
  order: Order,
  options: ConfirmationOptions,
): RenderedEmail {
  const { form } = options;
  const t = options.t ?? EN;
  const year = options.year ?? new Date().getFullYear();
  const url = safeUrl(order.fields.product_image_url ?? '');
  const shown = isShopImage(url, options.imageHosts ?? []);
  const typed = readableFields(t, form, order);
  const name = escapeHtml(typed.product_name ?? '');
  const image = !url
    ? { html: '', text: '' }
    : shown
      ? {
          html: `<img src="${escapeHtml(url)}" alt="${name}" width="120" style="display:block;width:120px;max-width:100%;height:auto;border-radius:8px">`,
          text: url,
        }
      : { html: `<span style="word-break:break-all">${escapeHtml(defang(url))}</span>`, text: defang(url) };
  const format = options.referenceFormat ?? '#{id}';
  const own = options.orderId === undefined ? '' : ownReference(options.orderId, format);
  // A web address field is put in as given (renderEmail keeps it only when it is http(s)): defanged,
  // it would never be a valid URL, and an `href="{{key}}"` would always be empty.
  const shownFields = Object.fromEntries(
    Object.entries(typed).map(([key, value]) => {
      const field = fieldOf(form, key);
      return [key, field?.type === 'url' ? (order.fields[key] ?? '') : value];
    }),
  );
  return renderEmail(template, {
    values: {
      ...shownFields,
      ...(order.fields.product_image_url === undefined ? {} : { product_image_url: shown ? url : '' }),
      email: order.email,
      order_id: own,
      order_reference: typed.order_number || own,
      current_year: String(year),
      shop_name: options.shopName,
    },
    urls: new Set(form.fields.filter((field) => field.type === 'url').map((field) => field.key)),
    markup: { product_image: image, order_table: orderTable(form, order, typed) },
    fallbackText: confirmationText(form, { ...order, fields: typed }, options.shopName, year, own, t),
  });
}

/**
 * The message for `order`, rendered when it is sent with the template, form and settings given;
 * for a customer of `language`, that language's template (see {@link loadLanguageTemplates}),
 * labels, dates and amounts.
 */
export function confirmationJob(
  order: Order,
  settings: {
    config: BotConfig;
    template: TemplateSource;
    form: OrderForm;
    byLanguage?: LanguageTemplates | undefined;
  },
  orderId?: number,
  language: Language = 'en-US',
): MailJob {
  const { config } = settings;
  const template = settings.byLanguage?.[language]?.template ?? settings.template;
  const form = formIn(settings.form, language);
  const t = translator(language);
  const shopName = config.shop_name;
  return {
    to: order.email,
    bcc: config.shop_bcc,
    replyTo: config.reply_to,
    fromName: headerSafe(config.sender_name ?? shopName, 100),
    render: () =>
      renderConfirmation(template, order, {
        shopName,
        form,
        orderId,
        referenceFormat: config.order_reference_format,
        imageHosts: config.image_hosts,
        t,
      }),
  };
}

/** What a status email says about the change, besides the order. */
export interface StatusChangeValues {
  status: EmailedStatus;
  trackingNumber: string | null;
  trackingUrl: string | null;
  reason: string | null;
}

/** The status email for `order`, rendered when it is sent. */
export function statusEmailJob(
  order: Order,
  change: StatusChangeValues,
  settings: {
    config: BotConfig;
    statusTemplates: StatusTemplates;
    form: OrderForm;
    byLanguage?: LanguageTemplates | undefined;
  },
  orderId: number,
  language: Language = 'en-US',
): MailJob {
  const { config } = settings;
  const form = formIn(settings.form, language);
  const t = translator(language);
  const shopName = config.shop_name;
  const template = (settings.byLanguage?.[language]?.statusTemplates ?? settings.statusTemplates)[
    change.status
  ];
  const own = ownReference(orderId, config.order_reference_format);
  return {
    to: order.email,
    replyTo: config.reply_to,
    fromName: headerSafe(config.sender_name ?? shopName, 100),
    render: () => {
      const shown = readableFields(t, form, order);
      const typed = Object.fromEntries(
        Object.entries(order.fields).map(([key, value]) => [
          key,
          fieldOf(form, key)?.type === 'url' ? value : (shown[key] ?? ''),
        ]),
      );
      const table = orderTable(form, order, shown);
      const tracking = change.trackingUrl ? safeUrl(change.trackingUrl) : '';
      // The status as the customer's language writes it ("shipped", "versandt").
      const status = statusName(t, change.status).toLowerCase();
      return renderEmail(template, {
        values: {
          ...typed,
          product_image_url: '',
          email: order.email,
          order_id: own,
          order_reference: order.fields.order_number ? defang(order.fields.order_number) : own,
          current_year: String(new Date().getFullYear()),
          shop_name: shopName,
          status,
          // Empty when staff gave none, so that a template's {{#tracking_number}}…{{/tracking_number}}
          // section drops its line; {{tracking}} is either, for a section around both.
          tracking_number: change.trackingNumber ?? '',
          tracking_url: tracking,
          tracking: change.trackingNumber || tracking,
          reason: change.reason ?? '',
        },
        urls: new Set([
          'tracking_url',
          ...form.fields.filter((field) => field.type === 'url').map((f) => f.key),
        ]),
        markup: { product_image: { html: '', text: '' }, order_table: table },
        fallbackText: [
          t('mail_status_title', { shop: shopName, reference: own, status }),
          change.trackingNumber ? t('mail_tracking_number', { number: change.trackingNumber }) : '',
          tracking ? t('mail_track_it', { url: tracking }) : '',
          change.reason ? t('mail_reason', { reason: change.reason }) : '',
          '',
          `© ${new Date().getFullYear()} ${shopName}`,
          '',
        ]
          .filter((line, i, all) => line !== '' || all[i - 1] !== '')
          .join('\n'),
      });
    },
  };
}

/** The plain-text part used when the template has no `text_body`. */
export function confirmationText(
  form: OrderForm,
  order: Order,
  shopName: string,
  year: number,
  reference: string,
  t: Translator = EN,
): string {
  // The values as the email shows them (a choice by its label; the caller has made them readable).
  const rows = labelled(form, order)
    .filter((row) => row.key !== 'product_image_url')
    .map((row) => ({ label: row.label, value: order.fields[row.key] ?? '' }));
  return [
    reference
      ? t('mail_confirmation_title_ref', { shop: shopName, reference })
      : t('mail_confirmation_title', { shop: shopName }),
    '',
    t('mail_thanks'),
    '',
    textRows(rows),
    '',
    t(
      form.fields.some((f) => f.key === 'order_number')
        ? 'mail_questions_number'
        : 'mail_questions_reference',
    ),
    '',
    t('mail_why', { shop: shopName }),
    t('mail_not_you'),
    '',
    `© ${year} ${shopName}`,
    '',
  ].join('\n');
}
