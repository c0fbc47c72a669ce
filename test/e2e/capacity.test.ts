/**
 * End to end, under load: 10,000 customers open the order form at once, each filling step 1 at
 * every field's length limit in 2-byte text. The session cap keeps the bot under the deploy memory
 * limit. It saturates the machine, so scripts/test.mjs runs this file on its own, before the rest.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBot, writeConfigDir } from '../support/bot-process.ts';
import { customer, userMaker } from '../support/customer.ts';
import { startFakeDiscord } from '../support/fake-discord.ts';

type Json = Record<string, unknown>;
const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const newUser = userMaker(640_000_000_000_000_000n, 'c');

test('10,000 customers with maximum-length forms: the session cap (1,000) keeps memory under the deploy limit', async () => {
  const discord = await startFakeDiscord({ openApi: false });
  // As production runs it: the flags of `npm start`, the shipped defaults (max_sessions 1,000).
  const bot = startBot({
    asNpmStart: true,
    env: {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'order-bot-capacity-')),
      CONFIG_DIR: writeConfigDir({ order_cooldown_seconds: 0 }),
    },
  });
  try {
    await bot.waitForLog('bot.ready');
    let peak = rss(bot.child.pid!);
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss(bot.child.pid!));
    }, 50);
    const long = (n: number, length: number) => `${n}界`.repeat(length).slice(0, length);
    let busy = 0;
    let open = 0;
    for (let i = 0; i < 10_000; i += 250) {
      await Promise.all(
        Array.from({ length: 250 }, async (_, j) => {
          const c = customer(discord, newUser());
          const opened = await c.command('order_form', { email: `s${i + j}@example.com` });
          if (opened.callback.type !== 9) {
            assert.match(String(opened.callback.data?.content), /very busy/);
            busy++;
            return;
          }
          open++;
          // A maximum-length step 1 in 2-byte text, kept as a draft (the dates are not dates).
          await c.submit(opened.callback.data as Json, {
            order_number: long(i + j, 50),
            estimated_arrival_start_date: long(i + j, 20),
            estimated_arrival_end_date: long(i + j, 20),
            product_image_url: long(i + j, 500),
            product_name: long(i + j, 100),
          });
        }),
      );
    }
    clearInterval(sampler);
    assert.equal(open, 1000);
    assert.equal(busy, 9000);
    console.log(`10,000 customers, 1,000 maximum-length forms kept: peak RSS ${peak.toFixed(1)} MB`);
    assert.ok(peak < 120, `peak RSS ${peak.toFixed(1)} MB, over systemd's MemoryMax=120M`);
  } finally {
    await bot.stop('SIGKILL');
    await discord.close();
  }
});
