/**
 * @module cli/preview-email
 * Renders the email template with a sample order of the shop's form to an HTML file you can open in a browser:
 * `npm run preview-email -- [--lang <language>] [--out <file.html>]` (by default a file in the system's
 * temp folder), as a customer of that language gets it (`email_template.<language>.json`, else
 * `email_template.json`; by default `default_language`). Re-run it after each edit of the template.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDotEnv, parseLanguage, readToolEnv } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { confirmationJob, loadShopSettings } from '../order/email.ts';
import { sampleOrder } from '../order/sample.ts';

try {
  // Written outside the repository unless asked: a preview is not something to commit.
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(tmpdir(), 'lean-order-bot-preview', 'preview.html') },
      lang: { type: 'string' },
    },
  });
  mkdirSync(resolve(values.out, '..'), { recursive: true });
  loadDotEnv();
  const { configDir } = readToolEnv();
  const settings = loadShopSettings(configDir);
  const language = parseLanguage(values.lang, settings.config.default_language);
  const email = confirmationJob(sampleOrder(settings.form), settings, 1, language).render();
  const out = resolve(values.out);
  writeFileSync(out, email.html);
  writeFileSync(`${out.replace(/\.html?$/i, '')}.txt`, email.text);
  console.log(`Language: ${language}`);
  console.log(`Subject: ${email.subject}`);
  console.log(`HTML written to ${out} (open it in a browser); plain-text part beside it (.txt).`);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof TypeError ? error.message : String(error));
  process.exit(1);
}
