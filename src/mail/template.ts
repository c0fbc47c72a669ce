/**
 * @module mail/template
 * Renders an email template (`subject`, `html_body`, optional `text_body` with `{{placeholder}}`
 * fields) with values the caller supplies. User text is data: HTML-escaped in the HTML body, URLs
 * emitted only when they are http(s), CR/LF removed from headers. Which placeholders exist is the
 * caller's business (the order feature names them); this module knows no feature.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
/**
 * A section, `{{#name}}…{{/name}}`: what is between is kept when `name` renders to something, and
 * dropped when it renders empty (a tracking line when staff gave no tracking). Sections may nest.
 */
const SECTION = /\{\{#\s*([A-Za-z0-9_]+)\s*\}\}([\s\S]*?)\{\{\/\s*\1\s*\}\}/g;

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
export interface RenderValues {
  /** Value of each placeholder; a name not here renders as the empty string. */
  values: Readonly<Record<string, string>>;
  /** Placeholders whose value is a URL: emitted only when it is http(s). */
  urls?: ReadonlySet<string>;
  /** The plain-text part when the template has no `text_body`. */
  fallbackText: string;
  /**
   * Placeholders whose value the caller built as markup (escaping what it inserts): used as-is in
   * the HTML body, `text` in the text part, nothing in the subject.
   */
  markup?: Readonly<Record<string, { html: string; text: string }>>;
}

/**
 * Returns an error message when the template names placeholders not in `known`, or writes a known
 * one with a brace missing or extra (`{{order_number}`, `{order_number}}`, `{order_number}`), which
 * would otherwise reach customers as literal text; else undefined.
 */
export function checkTemplate(template: TemplateSource, known: readonly string[]): string | undefined {
  const knownSet = new Set(known);
  const unknown = new Set<string>();
  const malformed = new Set<string>();
  for (const part of [template.subject, template.html_body, template.text_body ?? '']) {
    for (const match of [...part.matchAll(PLACEHOLDER), ...part.matchAll(SECTION)]) {
      if (!knownSet.has(match[1]!)) unknown.add(match[1]!);
    }
    const unclosed = part.replace(SECTION, '').match(/\{\{[#/]\s*[A-Za-z0-9_]+\s*\}\}/);
    if (unclosed) {
      return `section ${unclosed[0]} has no partner: a section is {{#name}}…{{/name}}, with the same name`;
    }
    // A name wrapped in other than exactly two braces a side (three, or a brace missing).
    for (const match of part.matchAll(/\{{3,}\s*([A-Za-z0-9_]+)\s*\}+|\{+\s*([A-Za-z0-9_]+)\s*\}{3,}/g)) {
      if (knownSet.has(match[1] ?? match[2]!)) malformed.add(match[0]!);
    }
    for (const match of part.replace(PLACEHOLDER, '').matchAll(/\{+\s*([A-Za-z0-9_]+)\s*\}+/g)) {
      if (knownSet.has(match[1]!) && !match[0]!.startsWith('{{{')) malformed.add(match[0]!);
    }
  }
  if (malformed.size > 0) {
    return `malformed placeholder${malformed.size > 1 ? 's' : ''} ${[...malformed].join(', ')}: write a placeholder with two braces on each side, like {{order_number}}`;
  }
  if (unknown.size === 0) return undefined;
  return `unknown placeholder${unknown.size > 1 ? 's' : ''} ${[...unknown].map((n) => `{{${n}}}`).join(', ')}; known placeholders: ${known.join(', ')}`;
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

function fill(source: string, lookup: (name: string) => string): string {
  // Sections first, innermost last: each pass keeps or drops the outermost ones it finds.
  let text = source;
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(SECTION, (_match, name: string, inner: string) => (lookup(name) === '' ? '' : inner));
  }
  return text.replace(PLACEHOLDER, (_match, name: string) => lookup(name));
}

/** Renders subject, HTML and text parts. */
export function renderEmail(template: TemplateSource, input: RenderValues): RenderedEmail {
  const urls = input.urls ?? new Set<string>();
  const markup = input.markup ?? {};
  const raw = (name: string) => input.values[name] ?? '';
  const subject = headerSafe(
    fill(template.subject, (name) => (markup[name] ? '' : headerSafe(raw(name)))),
    MAX_SUBJECT,
  );
  const html = fill(
    template.html_body,
    (name) => markup[name]?.html ?? escapeHtml(urls.has(name) ? safeUrl(raw(name)) : raw(name)),
  );
  const text =
    template.text_body === undefined
      ? input.fallbackText
      : fill(
          template.text_body,
          (name) => markup[name]?.text ?? (urls.has(name) ? safeUrl(raw(name)) : raw(name)),
        );
  return { subject, html, text };
}
