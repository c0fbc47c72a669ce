/**
 * @module cli/preview-form
 * `npm run preview-form -- [--lang <language>] [--json] [--out <file.html>]`: the shop's order form
 * as customers of that language (by default `default_language`) will see it, before they do. Validates `CONFIG_DIR/form.json` (or shows the shipped form when there is
 * none) with the bot's own rules, prints each step (title, each field with its type, choices and
 * whether it is required, the button that follows), with `--json` the modal JSON Discord will
 * receive, and renders a sample confirmation email of the form's fields to an HTML file. Exit 1
 * with the same lines the bot would print when the form or the template is invalid.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDotEnv, parseLanguage, readToolEnv } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { type Translator, translator } from '../i18n/translate.ts';
import { confirmationJob, loadShopSettings } from '../order/email.ts';
import { type FormField, fieldCapacity, formIn, MAX_FORM_CHARACTERS, type OrderForm } from '../order/form.ts';
import { sampleOrder } from '../order/sample.ts';
import { stepComplete } from '../order/texts.ts';
import { buildModal, continueLabel } from '../order/ui.ts';

/** One field as a line: label (`*` when required), then what the customer does. */
function describeField(field: FormField, width: number): string {
  const mark = field.required ? ' *' : '';
  const what = (() => {
    switch (field.type) {
      case 'select':
        return `pick one from a list: ${field.optionLabels.join(' | ')}`;
      case 'radio':
        return `pick one: ${field.optionLabels.map((option) => `( ) ${option}`).join('  ')}`;
      case 'checkboxes': {
        const min = field.min ?? (field.required ? 1 : 0);
        const max = field.max ?? field.options.length;
        return `tick ${min === max ? min : `${min}-${max}`}: ${field.options.map((option) => `[ ] ${option}`).join('  ')}`;
      }
      case 'number':
        return `types a ${field.integer ? 'whole number' : 'number'}${
          field.min !== undefined && field.max !== undefined
            ? ` from ${field.min} to ${field.max}`
            : field.min !== undefined
              ? `, at least ${field.min}`
              : field.max !== undefined
                ? `, at most ${field.max}`
                : ''
        }`;
      case 'date':
        return `types a date YYYY-MM-DD${field.notBefore ? `, not before ${field.notBefore}` : ''}`;
      case 'paragraph':
        return `types several lines, up to ${field.maxLength} characters`;
      default: {
        const noun = { email: 'an email address', url: 'a web address', price: 'an amount such as $150.00' }[
          field.type as 'email' | 'url' | 'price'
        ];
        return `types ${noun ?? 'a line'}, up to ${field.maxLength} characters`;
      }
    }
  })();
  const hint = [field.description, field.placeholder && `placeholder "${field.placeholder}"`].filter(Boolean);
  return `  ${`${field.label}${mark}`.padEnd(width)} ${what}${hint.length ? `\n  ${' '.repeat(width)} (${hint.join('; ')})` : ''}`;
}

/** The form as text, step by step; with `json`, each modal as Discord receives it. */
export function describeForm(form: OrderForm, source: string, json: boolean, t: Translator): string {
  const characters = form.fields.reduce((sum, field) => sum + fieldCapacity(field), 0);
  const width = Math.max(...form.fields.map((field) => field.label.length)) + 3;
  const lines = [
    `${source}: ${form.steps.length} step(s), ${form.fields.length} field(s), up to ${characters} of ${MAX_FORM_CHARACTERS} characters. * = required.`,
  ];
  form.steps.forEach((step, index) => {
    const number = index + 1;
    lines.push('', `Step ${number} of ${form.steps.length}: a form titled "${step.title}"`);
    for (const field of step.fields) lines.push(describeField(field, width));
    const next = number < form.steps.length ? continueLabel(t, number + 1, form.steps.length) : undefined;
    lines.push(
      next
        ? `  → then "${stepComplete(t, number, form.steps.length, false)}" with [${next}] [${t('button_cancel')}]`
        : '  → then the order is saved: the summary, the staff post and the confirmation email',
    );
    if (json) lines.push(`  Discord receives: ${JSON.stringify(buildModal(t, form, number, 'preview'))}`);
  });
  return lines.join('\n');
}

try {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      lang: { type: 'string' },
      out: { type: 'string', default: join(tmpdir(), 'lean-order-bot-preview', 'form-email.html') },
    },
  });
  loadDotEnv();
  const { configDir } = readToolEnv();
  const settings = loadShopSettings(configDir);
  const language = parseLanguage(values.lang, settings.config.default_language);
  const form = formIn(settings.form, language);
  const source = `${form.isDefault ? 'The shipped form (no form.json)' : join(configDir, 'form.json')}, in ${language}`;
  console.log(describeForm(form, source, values.json, translator(language)));
  const email = confirmationJob(sampleOrder(settings.form), settings, 1, language).render();
  const out = resolve(values.out);
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, email.html);
  console.log(`\nA sample confirmation (every field filled in): subject "${email.subject}"`);
  console.log(`HTML written to ${out} (open it in a browser). Its plain-text part:\n`);
  console.log(email.text.replace(/^/gm, '  '));
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof TypeError ? error.message : String(error));
  process.exit(1);
}
