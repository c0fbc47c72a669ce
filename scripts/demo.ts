/**
 * `npm run demo`: the whole product on this machine, with no Discord token and no mail account.
 * Starts the fake Discord and a local SMTP server (STARTTLS, login) on 127.0.0.1, runs the
 * production bundle against them exactly as `npm start` would, and plays a customer and a shop
 * owner. Prints a transcript and writes the captured confirmation email to demo-output/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, startBot, startCommand, writeConfigDir } from '../test/support/bot-process.ts';
import { customer, messageOf, validInputs } from '../test/support/customer.ts';
import { ADMIN_PERMISSIONS, type InteractionRecord, startFakeDiscord } from '../test/support/fake-discord.ts';
import { startSmtpServer } from '../test/support/smtp.ts';

type Json = Record<string, unknown>;
const OUT = join(ROOT, 'demo-output');
/** The demo's order database: `DATA_DIR=demo-output/data npm run orders -- list` reads it afterwards. */
const DATA_DIR = join(OUT, 'data');
const STAFF_CHANNEL = '900000000000000001';
const color = process.stdout.isTTY
  ? (code: number, s: string) => `\x1b[${code}m${s}\x1b[0m`
  : (_: number, s: string) => s;
const say = {
  title: (s: string) => console.log(`\n${color(1, s)}`),
  user: (who: string, s: string) => console.log(`${color(36, `👤 ${who}:`)} ${s}`),
  bot: (ms: string, s: string) => console.log(`${color(32, `🤖 Bot${ms}:`)} ${s.replace(/\n/g, '\n      ')}`),
  note: (s: string) => console.log(color(2, `   ${s}`)),
};

/** Renders what the bot sent as a person would see it. */
function render(callback: { type: number; data?: Json }, original?: Json, keptFlags = 0): string {
  if (callback.type === 9) {
    const modal = callback.data as Json;
    const fields = (modal.components as Json[]).map((label) => {
      const input = label.component as Json;
      const value = input.value ? ` = "${String(input.value)}"` : '';
      return `[${String(label.label)}${input.required === false ? ' (optional)' : ''}${value}]`;
    });
    return `opens the form "${String(modal.title)}": ${fields.join(' ')}`;
  }
  const message = original ?? callback.data ?? {};
  const parts: string[] = [];
  /** Discord's markdown as a reader sees it: bold markers and escapes removed. */
  const plain = (text: unknown) =>
    String(text)
      .replace(/\*\*(.+?)\*\*/gs, '$1')
      .replace(/\\(.)/g, '$1');
  const flags = Number(message.flags ?? callback.data?.flags ?? 0) | keptFlags;
  if (message.content) parts.push(plain(message.content));
  for (const embed of (message.embeds as Json[] | undefined) ?? []) {
    parts.push(
      `┃ ${plain(embed.title)}${embed.description ? ` — ${plain(embed.description).replace(/\n/g, ' ')}` : ''}`,
    );
    for (const field of (embed.fields as Json[] | undefined) ?? []) {
      parts.push(`┃ ${String(field.name)}: ${plain(field.value).replace(/\n/g, ', ')}`);
    }
  }
  const buttons = ((message.components as Json[] | undefined) ?? []).flatMap((row) =>
    ((row.components as Json[] | undefined) ?? []).map((b) => `[${String(b.label)}]`),
  );
  if (buttons.length) parts.push(buttons.join(' '));
  const verb = callback.type === 7 ? 'updates its message' : 'replies';
  return `${verb}${flags & 64 ? ' (only you can see this)' : ''}:\n${parts.join('\n')}`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  rmSync(DATA_DIR, { recursive: true, force: true });
  const discord = await startFakeDiscord({ guilds: 3, heartbeatIntervalMs: 1000 });
  const smtp = await startSmtpServer({ users: { 'orders@demo-shop.test': 'demo-app-password' } });
  const configDir = writeConfigDir({
    smtp_server: smtp.host,
    smtp_port: smtp.port,
    smtp_security: 'starttls',
    shop_name: 'Demo Sneaker Shop',
    orders_channel_id: STAFF_CHANNEL,
  });
  const bot = startBot({
    asNpmStart: true,
    env: {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      CONFIG_DIR: configDir,
      DATA_DIR,
      SENDER_EMAIL: 'orders@demo-shop.test',
      SENDER_PASSWORD: 'demo-app-password',
      NODE_EXTRA_CA_CERTS: smtp.certPath,
    },
  });
  const botTime = async (entry: InteractionRecord) => {
    const line = await bot.waitForLog(
      'interaction.handled',
      (l) => l.interaction_id === entry.interaction.id,
    );
    return typeof line.first_response_ms === 'number' ? ` (${line.first_response_ms} ms)` : '';
  };
  const show = async (result: { entry: InteractionRecord; callback: { type: number; data?: Json } }) => {
    // What this answer said when it was sent (a later edit is shown as its own line).
    // An update keeps the flags of the message it updates (the step messages are only for her).
    const updated =
      result.callback.type === 7 ? (result.entry.interaction.message as Json | undefined) : undefined;
    say.bot(await botTime(result.entry), render(result.callback, undefined, Number(updated?.flags ?? 0)));
    return result;
  };

  try {
    say.title('Lean Order Bot demo: everything runs on 127.0.0.1; nothing leaves this machine.');
    say.note(`fake Discord at ${discord.apiUrl}, SMTP with STARTTLS at ${smtp.host}:${smtp.port}`);
    say.note(`bot: ${startCommand().script}`);
    const ready = await bot.waitForLog('bot.ready', undefined, 30_000);
    await bot.waitForLog('smtp.ready', undefined, 10_000);
    say.note(
      `bot ready in ${String(ready.startup_ms)} ms: ${String(ready.guilds)} servers, ${String(ready.shards)} shard; SMTP login OK`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1200)); // one heartbeat, so /ping has a latency

    const alice = customer(discord, { id: '910000000000000001', username: 'alice' });
    say.title('1. A customer checks the bot is there');
    say.user('alice', '/ping');
    await show(await alice.command('ping'));

    say.title('2. She orders, with a typo in a date');
    say.user('alice', '/order_form email:alice@example.com');
    const opened = await show(await alice.command('order_form', { email: 'alice@example.com' }));
    const typo = { ...validInputs(42)[1], estimated_arrival_end_date: '2025-02-30' };
    say.user('alice', `fills step 1 (Arrival End "${typo.estimated_arrival_end_date}") and submits`);
    const bad = await show(await alice.submit(opened.callback.data as Json, typo));
    say.user('alice', 'presses [Fix Step 1]');
    const reopened = await show(await alice.click('Fix Step 1'));
    say.user('alice', 'corrects Arrival End to "2025-03-14" and submits');
    await show(await alice.submit(reopened.callback.data as Json, validInputs(42)[1], messageOf(bad.entry)));
    say.user('alice', 'presses [Continue to Step 2]');
    const open2 = await show(await alice.click('Continue to Step 2'));
    say.user('alice', 'fills step 2 and submits');
    const two = await show(
      await alice.submit(open2.callback.data as Json, validInputs(42)[2], alice.lastMessage),
    );
    say.user('alice', 'presses [Continue to Final Step]');
    const open3 = await show(await alice.click('Continue to Final Step', messageOf(two.entry)));
    say.user('alice', 'fills the shipping address and a note, and submits');
    const three = await show(
      await alice.submit(open3.callback.data as Json, validInputs(42)[3], messageOf(two.entry)),
    );
    const outcome = await alice.waitForEdit(three.entry, /Confirmation sent|could not/, 30_000);
    say.bot('', `updates the summary: ${String(outcome.content).replace(/\\(.)/g, '$1')}`);

    const staff = await discord.waitFor(() =>
      discord.channelMessages.find((m) => m.channelId === STAFF_CHANNEL),
    );
    say.title('3. The shop sees the order in its staff channel');
    say.bot('', render({ type: 4, data: staff.body }));

    say.title('4. The shop owner checks the bot');
    say.user('owner', '/run_diagnostics');
    await show(
      await customer(discord, {
        id: '910000000000000002',
        username: 'owner',
        permissions: ADMIN_PERMISSIONS,
      }).command('run_diagnostics'),
    );

    const [mail] = await smtp.waitForRecipients(['alice@example.com']);
    writeFileSync(join(OUT, 'confirmation.html'), String(mail!.parsed.html));
    writeFileSync(join(OUT, 'confirmation.eml'), mail!.raw);
    say.title('5. The confirmation email the customer received');
    say.note(`Subject: ${String(mail!.parsed.subject)}`);
    say.note(`From: ${String(mail!.parsed.from?.text)}  To: ${mail!.envelope.to.join(', ')}`);
    say.note(
      `Saved: ${relative(process.cwd(), join(OUT, 'confirmation.html'))} (open in a browser) and ${relative(process.cwd(), join(OUT, 'confirmation.eml'))} (open in a mail app)`,
    );

    // Wait until every delivery job of the order is recorded, then read it back as the owner would.
    await discord.waitFor(
      () =>
        bot.logs.some((l) => l.event === 'outbox.done' && l.kind === 'customer_message') ? true : undefined,
      10_000,
      'the deliveries to be recorded',
    );
    const dataDir = relative(process.cwd(), DATA_DIR) || '.';
    say.title('6. The order, read back from the database');
    say.user('owner', `DATA_DIR=${dataDir} npm run orders -- list`);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
        env: { PATH: process.env.PATH ?? '', DATA_DIR },
        encoding: 'utf8',
      }).stdout.trimEnd();
    console.log(cli('list').replace(/^/gm, '   '));
    say.user('owner', `DATA_DIR=${dataDir} npm run orders -- show 1`);
    console.log(cli('show', '1').replace(/^/gm, '   '));
  } finally {
    const stopped = await bot.stop('SIGTERM');
    await smtp.close();
    await discord.close();
    say.title(`Demo finished; the bot shut down cleanly (exit code ${String(stopped.code)}).`);
    if (stopped.code !== 0) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
