/**
 * @module i18n/plural
 * Plural categories of the shipped languages, written out by hand from CLDR's plural rules
 * (https://www.unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html) for the
 * integers the bot counts: en, de, es: `one` for 1; fr and pt (pt-BR): `one` for 0 and 1; `other`
 * for the rest. `Intl.PluralRules` would do the same but pages in ICU data: measured with the
 * bot's start flags, `new Intl.PluralRules(l).select(2)` for the five languages raised RSS by
 * 2.7 MB (one language: 1.8 MB), more than the whole i18n budget of 2 MB.
 */
import type { Language } from './languages.ts';

/** The plural forms a catalog message may have. */
export type PluralCategory = 'one' | 'other';

/** The plural category of the count `n` in `language`. */
export function pluralCategory(language: Language, n: number): PluralCategory {
  const whole = Math.abs(Math.trunc(n)) === Math.abs(n);
  switch (language) {
    case 'fr':
    case 'pt-BR':
      // CLDR: i = 0,1 (the integer part), so 0, 1 and 1.5 are `one`.
      return Math.abs(n) < 2 ? 'one' : 'other';
    case 'en-US':
    case 'de':
    case 'es-ES':
      return whole && Math.abs(n) === 1 ? 'one' : 'other';
    default: {
      const unreachable: never = language;
      return unreachable;
    }
  }
}
