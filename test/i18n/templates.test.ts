import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { translator } from '../../src/i18n/translate.ts';
import { confirmationJob, loadShopSettings } from '../../src/order/email.ts';
import { toOrder } from '../../src/order/fields.ts';
import {
  DEFAULT_FORM,
  DEFAULT_FORM_JSON,
  ENGLISH_DEFAULT_FORM_ID,
  formIn,
  formOfOrder,
  loadForm,
  parseForm,
} from '../../src/order/form.ts';
import { sampleOrder } from '../../src/order/sample.ts';
import { buildModal } from '../../src/order/ui.ts';
import { validateStep } from '../../src/order/validate.ts';

const shop = () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-bot-lang-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ smtp_server: 'h', smtp_port: 1, shop_name: 'Acme' }),
  );
  return dir;
};
const render = (dir: string, language: 'en-US' | 'de' | 'fr') => {
  const settings = loadShopSettings(dir);
  return confirmationJob(sampleOrder(settings.form), settings, 3, language).render();
};

test('an owner-made email_template.json is sent to a language without its own file; the shipped copy is not', () => {
  const dir = shop();
  assert.equal(render(dir, 'fr').subject, 'Votre commande #3 chez Acme est confirmée');
  assert.equal(render(dir, 'de').subject, 'Deine Bestellung #3 bei Acme ist bestätigt');
  writeFileSync(
    join(dir, 'email_template.json'),
    JSON.stringify({
      subject: 'Order {{order_id}} from {{shop_name}}',
      html_body: '<p>{{order_number}}</p>',
    }),
  );
  assert.equal(
    render(dir, 'fr').subject,
    'Order #3 from Acme',
    'the English file, not the shipped French one',
  );
  writeFileSync(join(dir, 'email_template.fr.json'), JSON.stringify({ subject: 'Commande {{order_id}}' }));
  const french = render(dir, 'fr');
  assert.equal(french.subject, 'Commande #3');
  assert.match(
    french.html,
    /Merci pour votre commande/,
    'the keys it leaves out come from the shipped French file',
  );
  assert.equal(render(dir, 'de').subject, 'Order #3 from Acme');
});

test("an owner's language file is checked like email_template.json, naming the file", () => {
  const dir = shop();
  writeFileSync(join(dir, 'email_template.de.json'), JSON.stringify({ html_body: '<p>{{colour}}</p>' }));
  assert.throws(() => loadShopSettings(dir), /email_template\.de\.json: unknown placeholder \{\{colour\}\}/);
});

const BILINGUAL = {
  steps: [
    {
      title: { 'en-US': 'Your cake', de: 'Dein Kuchen' },
      fields: [
        {
          key: 'size',
          type: 'select',
          label: { 'en-US': 'Size', de: 'Größe', fr: 'Taille' },
          placeholder: { 'en-US': 'Pick one', de: 'Bitte wählen' },
          options: [{ 'en-US': 'Small', de: 'Klein' }, { 'en-US': 'Large', de: 'Groß' }, 'XXL'],
        },
        { key: 'when', type: 'date', label: 'Date', description: { 'en-US': 'The day', de: 'Der Tag' } },
      ],
    },
  ],
};

test('form.json texts by language: shown in the customer language, stored the same in every language', () => {
  const form = parseForm(BILINGUAL, 'form.json');
  const de = formIn(form, 'de');
  assert.equal(de.id, form.id);
  const modal = buildModal(translator('de'), de, 1, 'n', { size: 'Large' });
  assert.equal(modal.title, 'Dein Kuchen');
  const [size, when] = modal.components as unknown as {
    label: string;
    description?: string;
    component: { placeholder?: string; options?: { label: string; value: string; default?: boolean }[] };
  }[];
  assert.equal(size!.label, 'Größe');
  assert.equal(size!.component.placeholder, 'Bitte wählen');
  assert.deepEqual(
    size!.component.options?.map((o) => [o.label, o.value, o.default ?? false]),
    [
      ['Klein', 'Small', false],
      ['Groß', 'Large', true],
      ['XXL', 'XXL', false],
    ],
  );
  assert.equal(when!.label, 'Date', 'a plain text is every language');
  assert.equal(when!.description, 'Der Tag');
  // French has a label but no options: those fall back to en-US.
  assert.deepEqual(formIn(form, 'fr').fields[0]!.optionLabels, ['Small', 'Large', 'XXL']);
  assert.equal(formIn(form, 'pt-BR').steps[0]!.title, 'Your cake');
  // The value stored is the same whoever picked it; the German email shows it in German.
  assert.ok(validateStep(de, 0, { size: 'Large', when: '2030-01-02' }).ok);
  assert.ok(!validateStep(de, 0, { size: 'Groß', when: '2030-01-02' }).ok, 'a label is not a value');
  const order = toOrder({ size: 'Large', when: '2030-01-02' }, 'a@example.com', form);
  const dir = shop();
  writeFileSync(join(dir, 'form.json'), JSON.stringify(BILINGUAL));
  const settings = loadShopSettings(dir);
  assert.equal(settings.form.id, form.id);
  const mail = confirmationJob(order, settings, 1, 'de').render();
  assert.match(mail.html, /<th>Größe<\/th><td>Groß<\/td>/);
  assert.match(mail.html, /<td>2\. Januar 2030<\/td>/);
});

test('form.json: a language that is not shipped, or an empty map, is refused naming the path', () => {
  const withLabel = (label: unknown) => ({
    steps: [{ title: 'T', fields: [{ key: 'a', type: 'text', label }] }],
  });
  assert.throws(
    () => parseForm(withLabel({ 'en-US': 'A', it: 'Una' }), 'form.json'),
    /form\.json: steps\[0\]\.fields\[0\]\.label/,
  );
  assert.throws(() => parseForm(withLabel({}), 'form.json'), /form\.json: steps\[0\]\.fields\[0\]\.label/);
  assert.throws(
    () => parseForm(withLabel({ de: 'x'.repeat(46) }), 'form.json'),
    /form\.json: steps\[0\]\.fields\[0\]\.label/,
  );
});

test('the shipped form before translation: its orders and a form.json copied from it are the shipped form', () => {
  // The ID orders of 0.2 and of the lifecycle were stored with (the English-only shipped form).
  assert.equal(ENGLISH_DEFAULT_FORM_ID, 'CnIkFE1GjI');
  assert.notEqual(DEFAULT_FORM.id, ENGLISH_DEFAULT_FORM_ID, 'the translated form is another definition');
  const other = parseForm(BILINGUAL, 'form.json');
  assert.equal(
    formOfOrder(ENGLISH_DEFAULT_FORM_ID, other, () => undefined),
    DEFAULT_FORM,
  );
  const english = (text: unknown) =>
    typeof text === 'object' && text !== null ? (text as Record<string, string>)['en-US'] : text;
  const copied = {
    steps: DEFAULT_FORM_JSON.steps.map((step) => ({
      title: english(step.title),
      fields: step.fields.map((field) => ({
        ...field,
        label: english(field.label),
        ...('placeholder' in field ? { placeholder: english(field.placeholder) } : {}),
      })),
    })),
  };
  const dir = shop();
  writeFileSync(join(dir, 'form.json'), JSON.stringify(copied));
  assert.equal(loadForm(dir), DEFAULT_FORM);
});
