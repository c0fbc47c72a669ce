/**
 * `npm run bench:languages [-- <other checkout>]`: resident memory at 1 guild of the production
 * bundle started as `npm start` starts it, when ready and after one customer in each shipped
 * language has ordered (every catalog, form language and email template used), 3 s after each.
 * With the path of another checkout (its `dist/` built), both are measured in one run, one after
 * the other, on the same fake Discord and SMTP server: the before and after of a change.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LANGUAGES } from '../src/i18n/languages.ts';
import { ROOT, shopEnv, startCommand } from '../test/support/bot-process.ts';
import { customer, messageOf, userMaker, validInputs } from '../test/support/customer.ts';
import { startFakeDiscord } from '../test/support/fake-discord.ts';
import { startSmtpServer } from '../test/support/smtp.ts';

type Json = Record<string, unknown>;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const discord = await startFakeDiscord();
const smtp = await startSmtpServer();
const newUser = userMaker(990_000_000_000_000_000n, 'rss');

/** Starts the bundle of `root` as `npm start` does; resolves once it logs bot.ready. */
async function start(root: string): Promise<ChildProcess> {
  const { env, flags } = startCommand();
  const child = spawn(process.execPath, [...flags, join(root, 'dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      ...shopEnv(discord, smtp, { shop_name: 'Bench', recipient_daily_limit: 100 }),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-bench-data-')),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('"bot.ready"')) ready();
    });
    child.once('exit', (code) => fail(new Error(`${root}: the bot exited (${code})`)));
  });
  return child;
}

/** One customer of `locale` through the whole form, pressing whatever the step buttons say. */
async function order(locale: string, n: number): Promise<void> {
  const c = customer(discord, newUser({ locale }));
  const inputs = validInputs(n);
  const opened = await c.command('order_form', { email: `rss${n}@example.com` });
  let last = await c.submit(opened.callback.data as Json, inputs[1]);
  for (const values of [inputs[2], inputs[3]]) {
    const from = messageOf(last.entry);
    const open = await c.click(/./, from);
    last = await c.submit(open.callback.data as Json, values, from);
  }
}

const roots = [resolve(process.argv[2] ?? ROOT), ROOT].filter((root, i, all) => all.indexOf(root) === i);
const rows: string[] = [];
for (const root of roots) {
  const bot = await start(root);
  await sleep(3000);
  const idle = rssOf(bot.pid!);
  let n = 0;
  for (const locale of LANGUAGES) await order(locale, ++n);
  await sleep(3000);
  const used = rssOf(bot.pid!);
  rows.push(`| ${root} | ${idle.toFixed(1)} MB | ${used.toFixed(1)} MB |`);
  bot.kill('SIGKILL');
}
console.log('| build | RSS ready, 1 guild | RSS after a customer in each language |');
console.log('| --- | ---: | ---: |');
for (const row of rows) console.log(row);
await smtp.close();
await discord.close();
