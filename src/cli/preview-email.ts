/**
 * @module cli/preview-email
 * Renders the email template with a sample order of the shop's form to an HTML file you can open in a browser:
 * `npm run preview-email -- [--out <file.html>]` (by default a file in the system's temp folder).
 * Re-run it after each edit of the template.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDotEnv, readToolEnv } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { loadShopSettings, renderConfirmation } from '../order/email.ts';
import { sampleOrder } from '../order/sample.ts';

try {
  // Written outside the repository unless asked: a preview is not something to commit.
  const { values } = parseArgs({
    options: { out: { type: 'string', default: join(tmpdir(), 'lean-order-bot-preview', 'preview.html') } },
  });
  mkdirSync(resolve(values.out, '..'), { recursive: true });
  loadDotEnv();
  const { configDir } = readToolEnv();
  const { config, template, form } = loadShopSettings(configDir);
  const email = renderConfirmation(template, sampleOrder(form), {
    shopName: config.shop_name,
    form,
    orderId: 1,
    referenceFormat: config.order_reference_format,
    imageHosts: config.image_hosts,
  });
  const out = resolve(values.out);
  writeFileSync(out, email.html);
  writeFileSync(`${out.replace(/\.html?$/i, '')}.txt`, email.text);
  console.log(`Subject: ${email.subject}`);
  console.log(`HTML written to ${out} (open it in a browser); plain-text part beside it (.txt).`);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof TypeError ? error.message : String(error));
  process.exit(1);
}
