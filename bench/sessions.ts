/**
 * `npm run bench:sessions`: resident memory of the production bundle (npm start flags) with 1,000
 * order forms open, each past step 1, against the fake Discord.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, startBot, writeConfigDir } from '../test/support/bot-process.ts';
import { customer, validInputs } from '../test/support/customer.ts';
import { startFakeDiscord } from '../test/support/fake-discord.ts';

const COUNT = Number(process.argv[2] ?? 1000);
const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
  .scripts.start;
const flags = start.split(/\s+/).filter((part) => part.startsWith('--'));
const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

const discord = await startFakeDiscord({ guilds: 1 });
const bot = startBot({
  nodeArgs: flags,
  env: {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    CONFIG_DIR: writeConfigDir(),
    HEALTH_PORT: '0',
  },
});
const { port } = await bot.waitForLog('health.listening');
await bot.waitForLog('bot.ready');
await sleep(3000);
const before = rss(bot.child.pid!);
for (let i = 0; i < COUNT; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, COUNT - i) }, async (_, j) => {
      const c = customer(discord, {
        id: String(800_000_000_000_000_000n + BigInt(i + j)),
        username: `s${i + j}`,
      });
      const opened = await c.command('order_form', { email: `s${i + j}@example.com` });
      await c.submit(opened.callback.data as Record<string, unknown>, validInputs(i + j)[1]);
    }),
  );
}
await sleep(3000);
const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
const active = /^orderbot_active_sessions (\d+)/m.exec(metrics)?.[1];
const heap = Number(/^nodejs_heap_used_bytes (\d+)/m.exec(metrics)?.[1]) / 1024 / 1024;
console.log(`node ${flags.join(' ')} dist/main.js`);
console.log(`RSS with no open forms: ${before.toFixed(1)} MB`);
console.log(
  `RSS with ${active} open forms (step 1 done): ${rss(bot.child.pid!).toFixed(1)} MB, heap used ${heap.toFixed(1)} MB`,
);
await bot.stop('SIGTERM');
await discord.close();
