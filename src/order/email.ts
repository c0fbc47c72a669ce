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
import ANY_FORM_TEMPLATE from '../../config/defaults/email_template_any_form.json' with { type: 'json' };
import STATUS_ACCEPTED from '../../config/defaults/status_email_accepted.json' with { type: 'json' };
import STATUS_CANCELLED from '../../config/defaults/status_email_cancelled.json' with { type: 'json' };
import STATUS_DELIVERED from '../../config/defaults/status_email_delivered.json' with { type: 'json' };
import STATUS_SHIPPED from '../../config/defaults/status_email_shipped.json' with { type: 'json' };
import {
  type BotConfig,
  type ConfigFiles,
  type EmailTemplate,
  loadConfigFiles,
  loadTemplateFile,
  shippedFiles,
} from '../config.ts';
import { ConfigError } from '../errors.ts';
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
import { type FormField, fieldOf, loadForm, type OrderForm, RESERVED_KEYS } from './form.ts';

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
}

/** The statuses a customer is emailed about (an order is `received` when the confirmation goes). */
export type EmailedStatus = 'accepted' | 'shipped' | 'delivered' | 'cancelled';

/** The template of each status email. */
export type StatusTemplates = Readonly<Record<EmailedStatus, EmailTemplate>>;

const SHIPPED_STATUS_TEMPLATES: Readonly<Record<EmailedStatus, Record<string, unknown>>> = {
  accepted: STATUS_ACCEPTED,
  shipped: STATUS_SHIPPED,
  delivered: STATUS_DELIVERED,
  cancelled: STATUS_CANCELLED,
};

/** Placeholders a status email has on top of the confirmation's. */
export const STATUS_PLACEHOLDERS: readonly string[] = ['status', 'tracking_number', 'tracking_url', 'reason'];

/**
 * Reads `status_email_<status>.json` for each status from `dir`, each over the shipped one, and
 * checks their placeholders (the form's fields, the built-in ones and {@link STATUS_PLACEHOLDERS};
 * a subject names nothing the customer typed).
 */
export function loadStatusTemplates(dir: string, form: OrderForm): StatusTemplates {
  const known = [...placeholdersOf(form), ...STATUS_PLACEHOLDERS];
  const loaded = {} as Record<EmailedStatus, EmailTemplate>;
  for (const status of Object.keys(SHIPPED_STATUS_TEMPLATES) as EmailedStatus[]) {
    const name = `status_email_${status}.json`;
    const template = loadTemplateFile(dir, name, SHIPPED_STATUS_TEMPLATES[status]);
    const problem = checkTemplate(template, known);
    if (problem) throw new ConfigError(`${dir}/${name}: ${problem}`);
    const typed = [...template.subject.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)]
      .map((match) => match[1]!)
      .filter((name) => !SUBJECT_PLACEHOLDERS.includes(name) && name !== 'status');
    if (typed.length > 0) {
      throw new ConfigError(
        `${dir}/${name}: subject: ${typed.map((n) => `{{${n}}}`).join(', ')} would put text the customer typed into your subject line`,
      );
    }
    loaded[status] = template;
  }
  return loaded;
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
      ? { ...files.template, html_body: ANY_FORM_TEMPLATE.html_body }
      : files.template;
  const unknown = checkTemplate(template, placeholdersOf(form));
  if (unknown) {
    const hint = form.isDefault ? '' : ' (your form.json names the fields; {{order_table}} lists them all)';
    throw new ConfigError(`${files.templatePath}: ${unknown}${hint}`);
  }
  const typed = [...template.subject.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)]
    .map((match) => match[1]!)
    .filter((name) => !SUBJECT_PLACEHOLDERS.includes(name));
  if (typed.length > 0) {
    throw new ConfigError(
      `${files.templatePath}: subject: ${typed.map((n) => `{{${n}}}`).join(', ')} would put text the customer typed into your subject line; a subject may use ${SUBJECT_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}`,
    );
  }
  return { ...files, template, form, statusTemplates: loadStatusTemplates(dir, form) };
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
}

/** The rows of every field of the order, label and value escaped, as the `details` table of the shipped template. */
function orderTable(
  form: OrderForm,
  order: Order,
  typed: Readonly<Record<string, string>>,
): { html: string; text: string } {
  const rows = labelled(form, order).map(({ label, key, field }) => ({
    label,
    value: shownValue(field, typed[key] ?? ''),
  }));
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
  const year = options.year ?? new Date().getFullYear();
  const url = safeUrl(order.fields.product_image_url ?? '');
  const shown = isShopImage(url, options.imageHosts ?? []);
  const typed = Object.fromEntries(Object.entries(order.fields).map(([key, value]) => [key, defang(value)]));
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
      return [key, field?.type === 'url' ? (order.fields[key] ?? '') : shownValue(field, value)];
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
    fallbackText: confirmationText(form, { ...order, fields: typed }, options.shopName, year, own),
  });
}

/** The message for `order`, rendered when it is sent with the template, form and settings given. */
export function confirmationJob(
  order: Order,
  settings: { config: BotConfig; template: TemplateSource; form: OrderForm },
  orderId?: number,
): MailJob {
  const { config, template, form } = settings;
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
  settings: { config: BotConfig; statusTemplates: StatusTemplates; form: OrderForm },
  orderId: number,
): MailJob {
  const { config, form } = settings;
  const shopName = config.shop_name;
  const template = settings.statusTemplates[change.status];
  const own = ownReference(orderId, config.order_reference_format);
  return {
    to: order.email,
    replyTo: config.reply_to,
    fromName: headerSafe(config.sender_name ?? shopName, 100),
    render: () => {
      const typed = Object.fromEntries(
        Object.entries(order.fields).map(([key, value]) => {
          const field = fieldOf(form, key);
          return [key, field?.type === 'url' ? value : shownValue(field, defang(value))];
        }),
      );
      const table = orderTable(form, order, typed);
      const tracking = change.trackingUrl ? safeUrl(change.trackingUrl) : '';
      const status = change.status;
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
          tracking_number: change.trackingNumber ?? '—',
          tracking_url: tracking,
          reason: change.reason ?? '',
        },
        urls: new Set([
          'tracking_url',
          ...form.fields.filter((field) => field.type === 'url').map((f) => f.key),
        ]),
        markup: { product_image: { html: '', text: '' }, order_table: table },
        fallbackText: [
          `${shopName}: order ${own} is ${status}`,
          change.trackingNumber ? `Tracking number: ${change.trackingNumber}` : '',
          tracking ? `Track it: ${tracking}` : '',
          change.reason ? `Reason: ${change.reason}` : '',
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
): string {
  const rows = labelled(form, order)
    .filter((row) => row.key !== 'product_image_url')
    .map((row) => ({ label: row.label, value: shownValue(row.field, order.fields[row.key] ?? '') }));
  return [
    `${shopName}: order confirmation${reference ? ` ${reference}` : ''}`,
    '',
    `Thank you for your order. Here is what we received:`,
    '',
    textRows(rows),
    '',
    `Questions? Reply to this email and quote your order ${form.fields.some((f) => f.key === 'order_number') ? 'number' : 'reference'}.`,
    '',
    `You received this because someone entered this address in ${shopName}'s Discord order form.`,
    `If that wasn't you, ignore this email or reply to tell us.`,
    '',
    `© ${year} ${shopName}`,
    '',
  ].join('\n');
}
