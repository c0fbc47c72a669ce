import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandsFor } from '../../src/commands.ts';
import { enUS } from '../../src/i18n/catalogs/en-US.ts';
import { chooseLanguage, LANGUAGES, type Language, languageOr } from '../../src/i18n/languages.ts';
import { pluralCategory } from '../../src/i18n/plural.ts';
import {
  CATALOGS,
  type Catalog,
  formatAmount,
  formatDate,
  formatWait,
  type Message,
  translator,
} from '../../src/i18n/translate.ts';

const placeholders = (text: string) => [...text.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!).sort();
const forms = (message: Message) => (typeof message === 'string' ? { text: message } : message);

/**
 * What a translation lacks against the source, one line each naming the language and the key: a
 * key, a plural form, or a placeholder the source has (an extra one is named too: it would show
 * as written).
 */
function catalogProblems(language: string, catalog: Catalog): string[] {
  const problems: string[] = [];
  const source = enUS as Readonly<Record<string, Message>>;
  const translated = catalog as Readonly<Record<string, Message | undefined>>;
  for (const [key, message] of Object.entries(source)) {
    const own = translated[key];
    if (own === undefined || own === '') {
      problems.push(`${language}: ${key}: missing`);
      continue;
    }
    if (key === 'date_pattern') {
      // A pattern, not a sentence: any of the date's parts, in the language's order.
      const parts = ['d', 'dd', 'mm', 'month', 'yyyy'];
      for (const name of placeholders(String(own))) {
        if (!parts.includes(name)) problems.push(`${language}: ${key}: unknown placeholder {${name}}`);
      }
      continue;
    }
    const wanted = forms(message);
    const given = forms(own);
    for (const [form, text] of Object.entries(wanted)) {
      const mine = (given as Record<string, string | undefined>)[form];
      if (mine === undefined) {
        problems.push(`${language}: ${key}: no "${form}" form`);
        continue;
      }
      const expected = placeholders(text);
      const found = placeholders(mine);
      // A plural form may leave `{count}` out ("one order"), but nothing else.
      const needed = expected.filter((name) => !(name === 'count' && form === 'one'));
      for (const name of needed) {
        if (!found.includes(name)) problems.push(`${language}: ${key}: placeholder {${name}} missing`);
      }
      for (const name of found) {
        if (!expected.includes(name)) problems.push(`${language}: ${key}: unknown placeholder {${name}}`);
      }
    }
  }
  for (const key of Object.keys(translated)) {
    if (!(key in source)) problems.push(`${language}: ${key}: not a key of the source (en-US)`);
  }
  return problems;
}

test('every shipped catalog has every key, plural form and placeholder of the source', () => {
  const problems = Object.entries(CATALOGS).flatMap(([language, catalog]) =>
    catalogProblems(language, catalog),
  );
  assert.deepEqual(problems, []);
});

test('the completeness check names the language and key of a missing key or placeholder', () => {
  const { cooldown: _dropped, ...withoutKey } = CATALOGS.de;
  assert.deepEqual(catalogProblems('de', withoutKey), ['de: cooldown: missing']);
  assert.deepEqual(catalogProblems('fr', { ...CATALOGS.fr, email_sent: '📧 Confirmation envoyée' }), [
    'fr: email_sent: placeholder {to} missing',
  ]);
  assert.deepEqual(
    catalogProblems('pt-BR', { ...CATALOGS['pt-BR'], my_orders_heading: 'Seus pedidos' } as Catalog),
    ['pt-BR: my_orders_heading: no "one" form', 'pt-BR: my_orders_heading: no "other" form'],
  );
});

test('a translator fills placeholders and picks the plural form of the language', () => {
  assert.equal(translator('de')('step_complete', { step: 2, steps: 3 }), '✅ Schritt 2 von 3 abgeschlossen.');
  assert.equal(translator('en-US')('my_orders_heading', { count: 1 }), '🧾 Your order (newest first):');
  assert.equal(
    translator('en-US')('my_orders_heading', { count: 0 }),
    '🧾 Your latest 0 orders (newest first):',
  );
  // French counts 0 as singular (CLDR: one = i in 0..1), English and German do not.
  assert.match(translator('fr')('cap_user_daily', { count: 0 }), /0 confirmation aujourd/);
  assert.match(translator('de')('cap_user_daily', { count: 0 }), /0 Bestätigungen/);
});

test('plural categories by hand match CLDR for the shipped languages', () => {
  const expected: Record<Language, Record<number, 'one' | 'other'>> = {
    'en-US': { 0: 'other', 1: 'one', 2: 'other', 11: 'other', 21: 'other' },
    de: { 0: 'other', 1: 'one', 2: 'other', 101: 'other' },
    'es-ES': { 0: 'other', 1: 'one', 2: 'other', 1000: 'other' },
    fr: { 0: 'one', 1: 'one', 2: 'other', 1000: 'other' },
    'pt-BR': { 0: 'one', 1: 'one', 2: 'other', 21: 'other' },
  };
  for (const language of LANGUAGES) {
    for (const [n, category] of Object.entries(expected[language])) {
      assert.equal(pluralCategory(language, Number(n)), category, `${language} ${n}`);
    }
  }
});

test('dates, amounts and waits are written the language way without Intl; English stays as typed', () => {
  assert.equal(formatDate(translator('en-US'), '2025-03-04'), '2025-03-04');
  assert.equal(formatDate(translator('de'), '2025-03-04'), '4. März 2025');
  assert.equal(formatDate(translator('fr'), '2025-08-14'), '14 août 2025');
  assert.equal(formatDate(translator('es-ES'), '2025-12-01'), '1 de diciembre de 2025');
  assert.equal(formatDate(translator('pt-BR'), '2025-06-30'), '30 de junho de 2025');
  assert.equal(formatDate(translator('de'), 'soon'), 'soon');
  assert.equal(formatAmount(translator('en-US'), '$150.00'), '$150.00');
  assert.equal(formatAmount(translator('de'), '$150.00'), '$150,00');
  assert.equal(formatAmount(translator('de'), '1,500.00'), '1,500.00', 'a thousands separator is left alone');
  assert.equal(formatWait(translator('en-US'), 200_000), '3m 20s');
  assert.equal(formatWait(translator('de'), 200_000), '3 min 20 s');
});

test('the language: the user locale when offered, else the server locale when offered, else the default', () => {
  const all = { languages: LANGUAGES, default_language: 'en-US' } as const;
  assert.equal(chooseLanguage({ locale: 'de', guild_locale: 'fr' }, all), 'de');
  assert.equal(chooseLanguage({ locale: 'ja', guild_locale: 'fr' }, all), 'fr');
  assert.equal(chooseLanguage({ locale: 'ja', guild_locale: 'ko' }, all), 'en-US');
  assert.equal(chooseLanguage({ locale: 'ja' }, { languages: ['de'], default_language: 'de' }), 'de');
  // A locale of the same language: British English, Latin American Spanish.
  assert.equal(
    chooseLanguage({ locale: 'en-GB' }, { languages: ['de', 'en-US'], default_language: 'de' }),
    'en-US',
  );
  assert.equal(chooseLanguage({ locale: 'es-419' }, all), 'es-ES');
  const englishOnly = { languages: ['en-US'], default_language: 'en-US' } as const;
  assert.equal(chooseLanguage({ locale: 'de', guild_locale: 'de' }, englishOnly), 'en-US');
  assert.equal(languageOr('fr', 'en-US'), 'fr');
  assert.equal(languageOr(null, 'de'), 'de');
  assert.equal(languageOr('xx', 'de'), 'de');
});

/** Discord's rules for a chat-input command or option name and description. */
const DISCORD_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const DISCORD_LOCALES = new Set([
  'id',
  'da',
  'de',
  'en-GB',
  'en-US',
  'es-ES',
  'es-419',
  'fr',
  'hr',
  'it',
  'lt',
  'hu',
  'nl',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'fi',
  'sv-SE',
  'vi',
  'tr',
  'cs',
  'el',
  'bg',
  'ru',
  'uk',
  'hi',
  'th',
  'zh-CN',
  'ja',
  'zh-TW',
  'ko',
]);

test('commands carry a valid name and description in every offered language, and only those', () => {
  for (const offered of [LANGUAGES, ['en-US', 'fr']] as const) {
    const commands = commandsFor(offered);
    for (const command of commands) {
      type Localized = {
        name: string;
        name_localizations?: Partial<Record<string, string | null>>;
        description_localizations?: Partial<Record<string, string | null>>;
      };
      const items: Localized[] = [command, ...('options' in command ? (command.options ?? []) : [])];
      for (const item of items) {
        const names = item.name_localizations ?? {};
        const descriptions = item.description_localizations ?? {};
        assert.deepEqual(Object.keys(names).sort(), [...offered].sort(), item.name);
        assert.deepEqual(Object.keys(descriptions).sort(), [...offered].sort(), item.name);
        for (const [locale, name] of Object.entries(names)) {
          assert.ok(DISCORD_LOCALES.has(locale), locale);
          assert.ok(typeof name === 'string', `${item.name} ${locale}`);
          assert.match(name, DISCORD_NAME, `${locale} ${name}`);
          assert.equal(name, name.toLowerCase(), `${locale} ${name}`);
        }
        for (const description of Object.values(descriptions)) {
          assert.ok(typeof description === 'string' && description.length >= 1 && description.length <= 100);
        }
      }
    }
    // The base names stay what the bot routes on.
    assert.deepEqual(
      commands.map((c) => c.name),
      ['ping', 'run_diagnostics', 'order_form', 'my_orders'],
    );
  }
  assert.equal(commandsFor(LANGUAGES)[2]!.name_localizations?.de, 'bestellformular');
});
