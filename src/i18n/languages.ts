/**
 * @module i18n/languages
 * The languages the bot ships, by Discord's locale codes, and how one is chosen for an
 * interaction: the user's `locale` when the shop offers it, else the server's `guild_locale` when
 * offered, else the shop's `default_language`.
 */

/** Every shipped language, by Discord locale code; the first is the source catalog. */
export const LANGUAGES = ['en-US', 'de', 'fr', 'es-ES', 'pt-BR'] as const;

/** A shipped language. */
export type Language = (typeof LANGUAGES)[number];

/** Each language by its own name (as the staff post shows a customer's). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  'en-US': 'English (US)',
  de: 'Deutsch',
  fr: 'Français',
  'es-ES': 'Español (España)',
  'pt-BR': 'Português (Brasil)',
};

/** The source language: every other catalog translates its keys. */
export const SOURCE_LANGUAGE: Language = 'en-US';

/** Whether `code` is a shipped language. */
export function isLanguage(code: unknown): code is Language {
  return typeof code === 'string' && (LANGUAGES as readonly string[]).includes(code);
}

/**
 * The offered language for a Discord locale: the same code, else one of the same language
 * (`en-GB` → `en-US`, `es-419` → `es-ES`); undefined when the shop offers none.
 */
export function offeredFor(locale: string | undefined, offered: readonly Language[]): Language | undefined {
  if (!locale) return undefined;
  const exact = offered.find((language) => language === locale);
  if (exact) return exact;
  const base = locale.split('-')[0]!.toLowerCase();
  return offered.find((language) => language.split('-')[0]!.toLowerCase() === base);
}

/** What {@link chooseLanguage} reads of the shop's configuration. */
export interface LanguageSettings {
  readonly languages: readonly Language[];
  readonly default_language: Language;
}

/**
 * The language of an interaction: the user's `locale` when offered, else `guild_locale` when
 * offered, else `default_language`.
 */
export function chooseLanguage(
  interaction: { readonly locale?: string | undefined; readonly guild_locale?: string | undefined },
  settings: LanguageSettings,
): Language {
  return (
    offeredFor(interaction.locale, settings.languages) ??
    offeredFor(interaction.guild_locale, settings.languages) ??
    settings.default_language
  );
}

/** A stored language (a session's or an order's): itself when shipped, else `fallback`. */
export function languageOr(stored: unknown, fallback: Language): Language {
  return isLanguage(stored) ? stored : fallback;
}
