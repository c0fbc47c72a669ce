/**
 * `npm run bench:sessions [count]`: resident memory of the production bundle (npm start flags)
 * with `count` order forms open (default 1,000), against the fake Discord. Each form holds the most
 * one session can: steps 1 and 2 accepted and a step-3 draft, every field at its Discord length
 * limit in non-Latin text (2 bytes a character in V8) where its format allows; the cap is lifted
 * so every form is kept.
 * `--cap N` keeps the configured cap instead (N), to show what the cap holds RSS to; `--form <file>`
 * fills a shop's form.json instead of the shipped form (e.g. bench/forms/longest.json, the longest
 * form allowed).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_FORM, fieldCapacity, parseForm, TYPED } from '../src/order/form.ts';
import { ROOT, startBot, writeConfigDir } from '../test/support/bot-process.ts';
import { customer, messageOf } from '../test/support/customer.ts';
import { startFakeDiscord } from '../test/support/fake-discord.ts';
import { longestAnswers } from '../test/support/form-values.ts';

const args = process.argv.slice(2);
const capAt = args.indexOf('--cap');
const cap = capAt >= 0 ? Number(args[capAt + 1]) : undefined;
const COUNT = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--cap') ?? 1000);
const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
  .scripts.start;
const flags = start.split(/\s+/).filter((part) => part.startsWith('--'));
const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/**
 * Every step at its limits; the last step with a required field left empty, so it fails validation
 * and is kept as a draft (a form holds the most just before its final submit).
 */
const longest = (n: number) =>
  longestAnswers(form, n).map((values, index) => {
    if (index === form.steps.length - 1) {
      const blank = form.steps[index]!.fields.find((field) => field.required && TYPED.has(field.type));
      if (blank) values[blank.key] = '';
    }
    return values;
  });

const formAt = args.indexOf('--form');
const formPath = formAt >= 0 ? args[formAt + 1] : undefined;
const form = formPath ? parseForm(JSON.parse(readFileSync(formPath, 'utf8')), formPath) : DEFAULT_FORM;

const configDir = writeConfigDir({
  ...(cap === undefined ? { max_sessions: 1_000_000 } : { max_sessions: cap }),
  order_cooldown_seconds: 0,
  daily_order_limit: 10_000,
});
if (formPath) copyFileSync(formPath, join(configDir, 'form.json'));
const discord = await startFakeDiscord({ guilds: 1, openApi: false });
const bot = startBot({
  nodeArgs: flags,
  env: {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    CONFIG_DIR: configDir,
    HEALTH_PORT: '0',
  },
});
const { port } = await bot.waitForLog('health.listening');
await bot.waitForLog('bot.ready');
await sleep(3000);
const before = rss(bot.child.pid!);
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, rss(bot.child.pid!));
}, 20);
let busy = 0;
for (let i = 0; i < COUNT; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, COUNT - i) }, async (_, j) => {
      const c = customer(discord, {
        id: String(800_000_000_000_000_000n + BigInt(i + j)),
        username: `s${i + j}`,
      });
      const opened = await c.command('order_form', { email: `s${i + j}@example.com` });
      if (opened.callback.type !== 9) {
        busy++;
        return;
      }
      const values = longest(i + j);
      let modal = opened.callback.data as Record<string, unknown>;
      let from: Record<string, unknown> | undefined;
      for (const [index, step] of values.entries()) {
        const sent = await c.submit(modal, step, from);
        if (index === values.length - 1) break;
        from = messageOf(sent.entry);
        const next = await c.click(
          index + 2 === values.length ? 'Continue to Final Step' : `Continue to Step ${index + 2}`,
          from,
        );
        modal = next.callback.data as Record<string, unknown>;
      }
    }),
  );
}
await sleep(3000);
clearInterval(sampler);
const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
const active = /^orderbot_active_sessions (\d+)/m.exec(metrics)?.[1];
const heap = Number(/^nodejs_heap_used_bytes (\d+)/m.exec(metrics)?.[1]) / 1024 / 1024;
console.log(
  `node ${flags.join(' ')} dist/main.js, max_sessions ${cap ?? 'unlimited'}, form ${formPath ?? '(shipped)'}: ${form.steps.length} steps, ${form.fields.length} fields, up to ${form.fields.reduce((sum, f) => sum + fieldCapacity(f), 0)} characters`,
);
console.log(`RSS with no open forms: ${before.toFixed(1)} MB`);
console.log(
  `${COUNT} customers, ${active} open forms each holding every step but the last accepted and a draft of the last, at maximum length in 2-byte text${busy ? `, ${busy} told "busy"` : ''}: RSS ${rss(bot.child.pid!).toFixed(1)} MB (peak ${peak.toFixed(1)} MB), heap used ${heap.toFixed(1)} MB`,
);
await bot.stop('SIGTERM');
await discord.close();
