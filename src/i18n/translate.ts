/**
 * @module i18n/translate
 * Message lookup: `translator(language)` gives a `t(key, params)` that fills `{placeholders}`
 * and picks a plural form by `{count}`. The five catalogs are bundled (no file is read per
 * interaction); a key a catalog lacks falls back to English. Dates and waits are formatted from
 * catalog data (month names, a pattern) rather than `Intl.DateTimeFormat`, which pages in about
 * 8 MB of ICU data on the bot's start flags (measured: `toLocaleDateString('de-DE')` +8.2 MB RSS).
 */
import { de } from './catalogs/de.ts';
import { type Catalog, enUS, type Message, type MessageKey } from './catalogs/en-US.ts';
import { esES } from './catalogs/es-ES.ts';
import { fr } from './catalogs/fr.ts';
import { ptBR } from './catalogs/pt-BR.ts';
import type { Language } from './languages.ts';
import { pluralCategory } from './plural.ts';

export type { Catalog, Message, MessageKey } from './catalogs/en-US.ts';

/** Every shipped catalog, by language. */
export const CATALOGS: Readonly<Record<Language, Catalog>> = {
  'en-US': enUS,
  de,
  fr,
  'es-ES': esES,
  'pt-BR': ptBR,
};

/** Values of a message's placeholders; `count` also picks the plural form. */
export type Params = Readonly<Record<string, string | number>>;

/** Looks up and fills one message of one language. */
export interface Translator {
  (key: MessageKey, params?: Params): string;
  readonly language: Language;
}

/** Fills `{name}` placeholders; an unknown one is left as written. */
export function fill(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

const cache = new Map<Language, Translator>();

/** The translator of `language` (one per language, made once). */
export function translator(language: Language): Translator {
  const known = cache.get(language);
  if (known) return known;
  const catalog = CATALOGS[language];
  const t = ((key: MessageKey, params?: Params) => {
    const message: Message = catalog[key] ?? enUS[key];
    const text =
      typeof message === 'string' ? message : message[pluralCategory(language, Number(params?.count ?? 0))];
    return fill(text, params);
  }) as Translator;
  Object.defineProperty(t, 'language', { value: language });
  cache.set(language, t);
  return t;
}

/** The English translator (the source texts). */
export const EN: Translator = translator('en-US');

/**
 * A `YYYY-MM-DD` date written the language's way (`14. März 2025`, `14 mars 2025`); anything else
 * is returned as it is. English keeps the form the customer typed.
 */
export function formatDate(t: Translator, ymd: string): string {
  const parts = /^(?<yyyy>\d{4})-(?<mm>\d{2})-(?<dd>\d{2})$/.exec(ymd)?.groups;
  const { yyyy, mm, dd } = parts ?? {};
  if (yyyy === undefined || mm === undefined || dd === undefined) return ymd;
  const month = t('month_names').split('|')[Number(mm) - 1];
  if (month === undefined) return ymd;
  return fill(t('date_pattern'), { yyyy, mm, dd, d: String(Number(dd)), month });
}

/**
 * An amount typed with a decimal point (`$150.00`, `150.5 USD`) written with the language's
 * decimal separator (`$150,00`); other text is returned as it is (thousands separators are left
 * alone: a value is never guessed at).
 */
export function formatAmount(t: Translator, amount: string): string {
  const separator = t('decimal_separator');
  if (separator === '.') return amount;
  return /^[^\d]*\d+\.\d{1,2}(?!\d)[^\d]*$/.test(amount) ? amount.replace('.', separator) : amount;
}

/** A wait as `45s`, `3m 20s` or `5h 12m` (in the language's units). */
export function formatWait(t: Translator, ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return t('wait_seconds', { s });
  if (s < 3600) return t('wait_minutes', { m: Math.floor(s / 60), s: s % 60 });
  return t('wait_hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}
