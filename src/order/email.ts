/**
 * @module order/email
 * The order confirmation email: which placeholders a template may use (the field keys plus a
 * few), the values an order fills them with, the plain-text part when the template has none, and
 * loading the shop's configuration with its template checked against those placeholders.
 */
import { type BotConfig, type ConfigFiles, loadConfigFiles } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { MailJob } from '../mail/mailer.ts';
import {
  checkTemplate,
  headerSafe,
  type RenderedEmail,
  renderEmail,
  type TemplateSource,
} from '../mail/template.ts';
import { ALL_FIELDS, type Order } from './fields.ts';

/** Every placeholder a template may use: each field, then the address, the year and the shop name. */
export const PLACEHOLDERS: readonly string[] = [
  ...ALL_FIELDS.map((field) => field.key),
  'order_id',
  'email',
  'current_year',
  'shop_name',
];

/** Placeholders whose value is a URL (emitted only when it is http(s)). */
const URL_PLACEHOLDERS: ReadonlySet<string> = new Set(
  ALL_FIELDS.filter((field) => field.kind === 'url').map((field) => field.key),
);

/** Reads `config.json` and `email_template.json` and checks the template's placeholders. */
export function loadShopSettings(dir: string): ConfigFiles {
  const files = loadConfigFiles(dir);
  const unknown = checkTemplate(files.template, PLACEHOLDERS);
  if (unknown) throw new ConfigError(`${files.templatePath}: ${unknown}`);
  return files;
}

/** Renders the confirmation of `order` (the bot's reference `orderId`) with `template`. */
export function renderConfirmation(
  template: TemplateSource,
  order: Order,
  shopName: string,
  year: number = new Date().getFullYear(),
  orderId?: number,
): RenderedEmail {
  return renderEmail(template, {
    values: {
      ...order,
      order_id: orderId === undefined ? '' : `#${orderId}`,
      current_year: String(year),
      shop_name: shopName,
    },
    urls: URL_PLACEHOLDERS,
    fallbackText: confirmationText(order, shopName, year),
  });
}

/**
 * The message for `order`, rendered when it is sent with the template and settings given.
 */
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
    render: () => renderConfirmation(template, order, shopName, new Date().getFullYear(), orderId),
  };
}

/** The plain-text part used when the template has no `text_body`. */
export function confirmationText(order: Order, shopName: string, year: number): string {
  const width = Math.max(...ALL_FIELDS.map((f) => f.label.length));
  const lines = ALL_FIELDS.filter((f) => f.key !== 'product_image_url' && (f.required || order[f.key])).map(
    (f) => {
      const value = order[f.key].replace(/\r?\n/g, `\n${' '.repeat(width + 2)}`);
      return `${`${f.label}:`.padEnd(width + 2)}${value}`;
    },
  );
  return [
    `${shopName}: order confirmation`,
    '',
    `Thank you for your order. Here is what we received:`,
    '',
    ...lines,
    '',
    `Questions? Reply to this email and quote your order number.`,
    '',
    `© ${year} ${shopName}`,
    '',
  ].join('\n');
}
