/**
 * @module order/email
 * The order confirmation email: which placeholders a template may use (the field keys plus a
 * few), the values an order fills them with, the plain-text part when the template has none, and
 * loading the shop's configuration with its template checked against those placeholders.
 *
 * Everything a customer typed is someone else's text in the shop's email, so: the subject may name
 * only the shop and the bot's own order ID; the product image is shown only from hosts the shop
 * lists (`image_hosts`), and any other image address is shown as plain text; web addresses and
 * domain names in typed text are written so mail programs do not turn them into links
 * (`https[:]//evil[.]example`).
 */
import { type BotConfig, type ConfigFiles, loadConfigFiles } from '../config.ts';
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
import { ALL_FIELDS, type Order } from './fields.ts';

/** Every placeholder a template may use: each field, the image, then the ID, address, year and shop. */
export const PLACEHOLDERS: readonly string[] = [
  ...ALL_FIELDS.map((field) => field.key),
  'product_image',
  'order_id',
  'email',
  'current_year',
  'shop_name',
];

/** The placeholders a subject may use: nothing a customer typed. */
export const SUBJECT_PLACEHOLDERS: readonly string[] = ['shop_name', 'order_id', 'current_year'];

/** Placeholders whose value is a URL (emitted only when it is http(s)). */
const URL_PLACEHOLDERS: ReadonlySet<string> = new Set(
  ALL_FIELDS.filter((field) => field.kind === 'url').map((field) => field.key),
);

/** Reads `config.json` and `email_template.json` and checks the template's placeholders. */
export function loadShopSettings(dir: string): ConfigFiles {
  const files = loadConfigFiles(dir);
  const unknown = checkTemplate(files.template, PLACEHOLDERS);
  if (unknown) throw new ConfigError(`${files.templatePath}: ${unknown}`);
  const typed = [...files.template.subject.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)]
    .map((match) => match[1]!)
    .filter((name) => !SUBJECT_PLACEHOLDERS.includes(name));
  if (typed.length > 0) {
    throw new ConfigError(
      `${files.templatePath}: subject: ${typed.map((n) => `{{${n}}}`).join(', ')} would put text the customer typed into your subject line; a subject may use ${SUBJECT_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}`,
    );
  }
  return files;
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
  /** The bot's own order ID. */
  orderId?: number | undefined;
  /** Hosts product images may be loaded from (`image_hosts`). @defaultValue none */
  imageHosts?: readonly string[];
  /** @defaultValue the current year */
  year?: number;
}

/** Renders the confirmation of `order` with `template`. */
export function renderConfirmation(
  template: TemplateSource,
  order: Order,
  options: ConfirmationOptions,
): RenderedEmail {
  const year = options.year ?? new Date().getFullYear();
  const url = safeUrl(order.product_image_url);
  const shown = isShopImage(url, options.imageHosts ?? []);
  const typed = Object.fromEntries(ALL_FIELDS.map((field) => [field.key, defang(order[field.key])]));
  const name = escapeHtml(typed.product_name ?? '');
  const image = !url
    ? { html: '', text: '' }
    : shown
      ? {
          html: `<img src="${escapeHtml(url)}" alt="${name}" width="120" style="display:block;width:120px;max-width:100%;height:auto;border-radius:8px">`,
          text: url,
        }
      : { html: `<span style="word-break:break-all">${escapeHtml(defang(url))}</span>`, text: defang(url) };
  return renderEmail(template, {
    values: {
      ...typed,
      product_image_url: shown ? url : '',
      email: order.email,
      order_id: options.orderId === undefined ? '' : `#${options.orderId}`,
      current_year: String(year),
      shop_name: options.shopName,
    },
    urls: URL_PLACEHOLDERS,
    markup: { product_image: image },
    fallbackText: confirmationText({ ...order, ...typed }, options.shopName, year, options.orderId),
  });
}

/** The message for `order`, rendered when it is sent with the template and settings given. */
export function confirmationJob(
  order: Order,
  config: BotConfig,
  template: TemplateSource,
  orderId?: number,
): MailJob {
  const shopName = config.shop_name;
  return {
    to: order.email,
    bcc: config.shop_bcc,
    replyTo: config.reply_to,
    fromName: headerSafe(config.sender_name ?? shopName, 100),
    render: () => renderConfirmation(template, order, { shopName, orderId, imageHosts: config.image_hosts }),
  };
}

/** The plain-text part used when the template has no `text_body`. */
export function confirmationText(order: Order, shopName: string, year: number, orderId?: number): string {
  const width = Math.max(...ALL_FIELDS.map((f) => f.label.length));
  const lines = ALL_FIELDS.filter((f) => f.key !== 'product_image_url' && (f.required || order[f.key])).map(
    (f) => {
      const value = order[f.key].replace(/\r?\n/g, `\n${' '.repeat(width + 2)}`);
      return `${`${f.label}:`.padEnd(width + 2)}${value}`;
    },
  );
  return [
    `${shopName}: order confirmation${orderId === undefined ? '' : ` #${orderId}`}`,
    '',
    `Thank you for your order. Here is what we received:`,
    '',
    ...lines,
    '',
    `Questions? Reply to this email and quote your order number.`,
    '',
    `You received this because someone entered this address in ${shopName}'s Discord order form.`,
    `If that wasn't you, ignore this email or reply to tell us.`,
    '',
    `© ${year} ${shopName}`,
    '',
  ].join('\n');
}
