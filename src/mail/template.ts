/**
 * @module mail/template
 * Renders `email_template.json` with an order. User text is data: HTML-escaped in the HTML body,
 * URLs emitted only when they are http(s), CR/LF removed from headers.
 */
import { ALL_FIELDS, type Order } from '../order/fields.ts';

/** Every placeholder a template may use. */
export const PLACEHOLDERS = [
  'order_number',
  'estimated_arrival_start_date',
  'estimated_arrival_end_date',
  'product_image_url',
  'product_name',
  'style_id',
  'product_size',
  'product_condition',
  'purchase_price',
  'color',
  'shipping_address',
  'notes',
  'email',
  'current_year',
  'shop_name',
] as const;

/** One of {@link PLACEHOLDERS}. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Placeholders whose value is a URL: emitted only when it is http(s). */
const URL_PLACEHOLDERS: ReadonlySet<string> = new Set<Placeholder>(['product_image_url']);
const KNOWN: ReadonlySet<string> = new Set(PLACEHOLDERS);
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Longest value allowed in a header such as the subject. */
export const MAX_HEADER_VALUE = 150;
/** Longest rendered subject. */
export const MAX_SUBJECT = 250;

/** The parts of a template that {@link renderEmail} uses. */
export interface TemplateSource {
  subject: string;
  html_body: string;
  text_body?: string | undefined;
}

/** A rendered message, ready for the transport. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What {@link renderEmail} fills the placeholders with. */
export interface RenderContext {
  order: Order;
  shopName: string;
  /** @defaultValue the current year */
  year?: number;
}

/** Returns an error message when the template names unknown placeholders, else undefined. */
export function checkTemplate(template: TemplateSource): string | undefined {
  const unknown = new Set<string>();
  for (const part of [template.subject, template.html_body, template.text_body ?? '']) {
    for (const match of part.matchAll(PLACEHOLDER)) {
      if (!KNOWN.has(match[1]!)) unknown.add(match[1]!);
    }
  }
  if (unknown.size === 0) return undefined;
  return `unknown placeholder${unknown.size > 1 ? 's' : ''} ${[...unknown].map((n) => `{{${n}}}`).join(', ')}; known placeholders: ${PLACEHOLDERS.join(', ')}`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Returns `value` when it is an absolute http(s) URL, else the empty string. */
export function safeUrl(value: string): string {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
  } catch {
    return '';
  }
}

/** Makes `value` safe for a header: no CR/LF or other control characters, at most `max` characters. */
export function headerSafe(value: string, max = MAX_HEADER_VALUE): string {
  const flat = value
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function values(context: RenderContext): Record<Placeholder, string> {
  const { order } = context;
  return {
    ...order,
    email: order.email,
    current_year: String(context.year ?? new Date().getFullYear()),
    shop_name: context.shopName,
  };
}

function fill(source: string, lookup: (name: string) => string): string {
  return source.replace(PLACEHOLDER, (_match, name: string) => lookup(name));
}

/** Renders subject, HTML and text parts for one order. */
export function renderEmail(template: TemplateSource, context: RenderContext): RenderedEmail {
  const data = values(context);
  const raw = (name: string) => (KNOWN.has(name) ? data[name as Placeholder] : '') ?? '';
  const subject = headerSafe(
    fill(template.subject, (name) => headerSafe(raw(name))),
    MAX_SUBJECT,
  );
  const html = fill(template.html_body, (name) =>
    escapeHtml(URL_PLACEHOLDERS.has(name) ? safeUrl(raw(name)) : raw(name)),
  );
  const text =
    template.text_body === undefined
      ? deriveText(context)
      : fill(template.text_body, (name) => (URL_PLACEHOLDERS.has(name) ? safeUrl(raw(name)) : raw(name)));
  return { subject, html, text };
}

/** The plain-text part used when the template has no `text_body`. */
export function deriveText(context: RenderContext): string {
  const { order, shopName } = context;
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
    `© ${context.year ?? new Date().getFullYear()} ${shopName}`,
    '',
  ].join('\n');
}
