/**
 * `npm run bench:sessions [count]`: resident memory of the production bundle (npm start flags)
 * with `count` order forms open (default 1,000), against the fake Discord. Each form holds the most
 * one session can: steps 1 and 2 accepted and a step-3 draft, every field at its Discord length
 * limit in non-Latin text (2 bytes a character in V8) where its format allows; the cap is lifted
 * so every form is kept.
 * `--cap N` keeps the configured cap instead (N), to show what the cap holds RSS to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STEPS } from '../src/order/fields.ts';
import { ROOT, startBot, writeConfigDir } from '../test/support/bot-process.ts';
import { customer, messageOf } from '../test/support/customer.ts';
import { startFakeDiscord } from '../test/support/fake-discord.ts';

const args = process.argv.slice(2);
const capAt = args.indexOf('--cap');
const cap = capAt >= 0 ? Number(args[capAt + 1]) : undefined;
const COUNT = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--cap') ?? 1000);
const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
  .scripts.start;
const flags = start.split(/\s+/).filter((part) => part.startsWith('--'));
const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** A value of `length` UTF-16 units in CJK text, unique to customer `n`. */
const cjk = (n: number, length: number) => `${n}界`.repeat(length).slice(0, length);
/** Each step at its limits: free text at max length in CJK; dates, the URL and the price valid. */
const longest = (n: number) => {
  const text = (step: 1 | 2 | 3) =>
    Object.fromEntries(STEPS[step].fields.map((field) => [field.key, cjk(n, field.maxLength)]));
  return {
    1: {
      ...text(1),
      estimated_arrival_start_date: '2025-03-10',
      estimated_arrival_end_date: '2025-03-14',
      product_image_url: `https://cdn.example.com/${n}/${'p'.repeat(400)}.jpg`.slice(0, 500),
    },
    2: { ...text(2), purchase_price: '$150.00' },
    // The shipping address left empty: step 3 fails validation and is kept as a draft.
    3: { ...text(3), shipping_address: '' },
  };
};

const discord = await startFakeDiscord({ guilds: 1, openApi: false });
const bot = startBot({
  nodeArgs: flags,
  env: {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    CONFIG_DIR: writeConfigDir({
      ...(cap === undefined ? { max_sessions: 1_000_000 } : { max_sessions: cap }),
      order_cooldown_seconds: 0,
      daily_order_limit: 10_000,
    }),
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
      const one = await c.submit(opened.callback.data as Record<string, unknown>, values[1]);
      const open2 = await c.click('Continue to Step 2', messageOf(one.entry));
      const two = await c.submit(
        open2.callback.data as Record<string, unknown>,
        values[2],
        messageOf(one.entry),
      );
      const open3 = await c.click('Continue to Final Step', messageOf(two.entry));
      await c.submit(open3.callback.data as Record<string, unknown>, values[3], messageOf(two.entry));
    }),
  );
}
await sleep(3000);
clearInterval(sampler);
const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
const active = /^orderbot_active_sessions (\d+)/m.exec(metrics)?.[1];
const heap = Number(/^nodejs_heap_used_bytes (\d+)/m.exec(metrics)?.[1]) / 1024 / 1024;
console.log(`node ${flags.join(' ')} dist/main.js, max_sessions ${cap ?? 'unlimited'}`);
console.log(`RSS with no open forms: ${before.toFixed(1)} MB`);
console.log(
  `${COUNT} customers, ${active} open forms each holding steps 1-2 and a step-3 draft at maximum length in 2-byte text${busy ? `, ${busy} told "busy"` : ''}: RSS ${rss(bot.child.pid!).toFixed(1)} MB (peak ${peak.toFixed(1)} MB), heap used ${heap.toFixed(1)} MB`,
);
await bot.stop('SIGTERM');
await discord.close();
