/**
 * `npm run demo`: the whole product on this machine, with no Discord token and no mail account.
 * Starts the fake Discord and a local SMTP server (STARTTLS, login) on 127.0.0.1, runs the
 * production bundle against them exactly as `npm start` would, and plays a customer and a shop
 * owner. Prints a transcript and writes the captured confirmation email to demo-output/. With
 * `CONFIG_DIR` naming a folder with a form.json (e.g. config/examples/bakery), the customer fills
 * that form instead of the shipped one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EN, translator } from '../src/i18n/translate.ts';
import { choicesOf } from '../src/order/fields.ts';
import { DEFAULT_FORM, formIn, loadForm, type OrderForm } from '../src/order/form.ts';
import { sampleOrder } from '../src/order/sample.ts';
import { continueLabel } from '../src/order/ui.ts';
import { ROOT, startBot, startCommand, writeConfigDir } from '../test/support/bot-process.ts';
import { customer, findButton, messageOf, validInputs } from '../test/support/customer.ts';
import { ADMIN_PERMISSIONS, type InteractionRecord, startFakeDiscord } from '../test/support/fake-discord.ts';
import { startSmtpServer } from '../test/support/smtp.ts';

type Json = Record<string, unknown>;
const OUT = join(ROOT, 'demo-output');
/** The demo's order database: `DATA_DIR=demo-output/data npm run orders -- list` reads it afterwards. */
const DATA_DIR = join(OUT, 'data');
const STAFF_CHANNEL = '900000000000000001';
/** Manage Server on top of an everyday member's permissions: may use the staff post's buttons. */
const MANAGER_PERMISSIONS = String(1024n | 2048n | 65536n | 2147483648n | 32n);
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
      const options = (input.options as Json[] | undefined) ?? [];
      const chosen = options
        .filter((option) => option.default === true)
        .map((option) => String(option.value));
      const value = input.value
        ? ` = "${String(input.value)}"`
        : chosen.length
          ? ` = "${chosen.join(', ')}"`
          : '';
      const choices = options.length ? `: ${options.map((option) => String(option.label)).join(' | ')}` : '';
      return `[${String(label.label)}${input.required === false ? ' (optional)' : ''}${choices}${value}]`;
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

/** A plausible mistake in step 1 of `form` (the field, its label and the wrong value), if its fields allow one. */
function mistakeIn(form: OrderForm): { key: string; label: string; value: string } | undefined {
  if (form.isDefault) return { key: 'estimated_arrival_end_date', label: 'Arrival End', value: '2025-02-30' };
  const wrong: Partial<Record<string, string>> = {
    date: '2025-02-30',
    number: 'a dozen',
    email: 'alice@',
    url: 'www.example',
    price: 'ten quid',
  };
  const field = form.steps[0]!.fields.find((one) => wrong[one.type] !== undefined);
  return field ? { key: field.key, label: field.label, value: wrong[field.type]! } : undefined;
}

/** The shop's form when CONFIG_DIR names a folder with a form.json, else the shipped one. */
function shopForm(): OrderForm {
  const dir = process.env.CONFIG_DIR;
  if (!dir || !existsSync(join(dir, 'form.json'))) return DEFAULT_FORM;
  try {
    return loadForm(dir);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

const form = shopForm();

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  rmSync(DATA_DIR, { recursive: true, force: true });
  const discord = await startFakeDiscord({ guilds: 3, heartbeatIntervalMs: 1000 });
  const smtp = await startSmtpServer({ users: { 'orders@demo-shop.test': 'demo-app-password' } });
  const configDir = writeConfigDir({
    smtp_server: smtp.host,
    smtp_port: smtp.port,
    smtp_security: 'starttls',
    shop_name: form.isDefault ? 'Demo Sneaker Shop' : 'Demo Shop',
    orders_channel_id: STAFF_CHANNEL,
  });
  if (!form.isDefault) writeFileSync(join(configDir, 'form.json'), form.definition);
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

    say.title(`2. She orders, with a mistake in step 1`);
    say.user('alice', '/order_form email:alice@example.com');
    const opened = await show(await alice.command('order_form', { email: 'alice@example.com' }));
    // Each step filled with the sample answers of the form (the shipped form: the usual sample).
    const answers = form.isDefault
      ? (step: number) => validInputs(42)[step as 1 | 2 | 3] as Record<string, string | string[]>
      : (step: number) => {
          const sample = sampleOrder(form).fields;
          return Object.fromEntries(
            form.steps[step - 1]!.fields.map((field) => [
              field.key,
              field.type === 'checkboxes' ? choicesOf(sample[field.key] ?? '') : (sample[field.key] ?? ''),
            ]),
          );
        };
    const mistake = mistakeIn(form);
    const first = answers(1);
    say.user(
      'alice',
      `fills step 1 (${mistake ? `${mistake.label} "${mistake.value}"` : 'everything'}) and submits`,
    );
    let modal = opened.callback.data as Json;
    let from: Json | undefined;
    let last = await show(
      await alice.submit(modal, mistake ? { ...first, [mistake.key]: mistake.value } : first),
    );
    if (mistake) {
      say.user('alice', 'presses [Fix Step 1]');
      const reopened = await show(await alice.click('Fix Step 1'));
      say.user('alice', `corrects ${mistake.label} and submits`);
      last = await show(await alice.submit(reopened.callback.data as Json, first, messageOf(last.entry)));
    }
    for (let step = 2; step <= form.steps.length; step++) {
      const label = continueLabel(EN, step, form.steps.length);
      say.user('alice', `presses [${label}]`);
      from = messageOf(last.entry);
      const next = await show(await alice.click(label, from));
      modal = next.callback.data as Json;
      say.user('alice', `fills step ${step} and submits`);
      last = await show(await alice.submit(modal, answers(step), from));
    }
    const three = last;
    const outcome = await alice.waitForEdit(three.entry, /Confirmation sent|could not/, 30_000);
    say.bot('', `updates the summary: ${String(outcome.content).replace(/\\(.)/g, '$1')}`);

    const staff = await discord.waitFor(() =>
      discord.channelMessages.find((m) => m.channelId === STAFF_CHANNEL),
    );
    say.title('3. The shop sees the order in its staff channel');
    say.bot('', render({ type: 4, data: staff.body }));

    say.title('4. The staff accept the order, then ship it with a tracking number');
    const manager = { id: '910000000000000003', username: 'sam', permissions: MANAGER_PERMISSIONS };
    const staffPost = () => discord.channelMessages.find((m) => m.channelId === STAFF_CHANNEL)!.message;
    const press = async (label: string) => {
      say.user('sam (staff)', `presses [${label}] on the staff post`);
      const post = staffPost();
      const entry = discord.click(manager, { ...post, flags: 0 }, String(findButton(post, label).custom_id));
      const callback = await discord.waitForCallback(entry);
      return show({ entry, callback });
    };
    const edited = async (status: string) => {
      const post = await discord.waitFor(
        () => (JSON.stringify(staffPost().embeds).includes(`**${status}**`) ? staffPost() : undefined),
        10_000,
        `the staff post to show ${status}`,
      );
      const embed = (post.embeds as Json[])[0];
      const fields = (embed?.fields as Json[] | undefined) ?? [];
      const buttons = ((post.components as Json[] | undefined) ?? []).flatMap((row) =>
        ((row.components as Json[] | undefined) ?? []).map((b) => `[${String(b.label)}]`),
      );
      say.bot(
        '',
        `edits the staff post: ${fields
          .slice(0, status === 'Shipped' ? 2 : 1)
          .map((f) => `${String(f.name)}: ${String(f.value).replace(/\*\*/g, '').replace(/\n/g, ', ')}`)
          .join(' · ')} ${buttons.join(' ') || '(no buttons left)'}`,
      );
    };
    const newDm = async (count: number) => {
      const dm = await discord.waitFor(() => discord.dmsTo(alice.user.id)[count - 1], 10_000, 'a DM');
      say.bot(
        '',
        `sends alice a direct message: ${String(dm.content).replace(/\*\*/g, '').replace(/\\(.)/g, '$1')}`,
      );
    };
    await press('Accept');
    await edited('Accepted');
    await newDm(1);
    const shipForm = await press('Mark shipped');
    say.user('sam (staff)', 'types tracking 1Z999AA10123456784 and https://track.example/1Z999AA10123456784');
    const shipped = discord.submitModal(manager, shipForm.callback.data as Json, {
      tracking_number: '1Z999AA10123456784',
      tracking_url: 'https://track.example/1Z999AA10123456784',
    });
    await show({ entry: shipped, callback: await discord.waitForCallback(shipped) });
    await edited('Shipped');
    await newDm(2);
    // The two status emails after the confirmation, in the order they were sent.
    for (let waited = 0; smtp.received.length < 3 && waited < 100; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const mail of smtp.received.slice(1)) say.note(`email to alice: ${String(mail.parsed.subject)}`);

    say.title('5. The customer follows her order');
    say.user('alice', '/my_orders');
    await show(await alice.command('my_orders'));

    say.title('6. The shop owner checks the bot');
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
    say.title('7. The confirmation email the customer received');
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
    say.title('8. The order, read back from the database');
    say.user('owner', `DATA_DIR=${dataDir} npm run orders -- list`);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
        env: { PATH: process.env.PATH ?? '', DATA_DIR, CONFIG_DIR: configDir },
        encoding: 'utf8',
      }).stdout.trimEnd();
    console.log(cli('list').replace(/^/gm, '   '));
    say.user('owner', `DATA_DIR=${dataDir} npm run orders -- show 1`);
    console.log(cli('show', '1').replace(/^/gm, '   '));

    say.title('9. A customer whose Discord is in German orders: every text in her language');
    const german = translator('de');
    const greta = customer(discord, { id: '910000000000000004', username: 'greta', locale: 'de' });
    say.user('greta', '/order_form email:greta@example.com');
    const started = await show(await greta.command('order_form', { email: 'greta@example.com' }));
    const wrongLabel = mistake && formIn(form, 'de').fields.find((field) => field.key === mistake.key)?.label;
    say.user(
      'greta',
      `fills step 1 (${mistake ? `${wrongLabel} "${mistake.value}"` : 'everything'}) and submits`,
    );
    let said = await show(
      await greta.submit(
        started.callback.data as Json,
        mistake ? { ...first, [mistake.key]: mistake.value } : first,
      ),
    );
    if (mistake) {
      const fix = german('button_fix', { step: 1 });
      say.user('greta', `presses [${fix}]`);
      const reopened = await show(await greta.click(fix));
      say.user('greta', `corrects ${wrongLabel} and submits`);
      said = await show(await greta.submit(reopened.callback.data as Json, first, messageOf(said.entry)));
    }
    for (let step = 2; step <= form.steps.length; step++) {
      const label = continueLabel(german, step, form.steps.length);
      say.user('greta', `presses [${label}]`);
      const at = messageOf(said.entry);
      const next = await show(await greta.click(label, at));
      say.user('greta', `fills step ${step} and submits`);
      said = await show(await greta.submit(next.callback.data as Json, answers(step), at));
    }
    const told = await greta.waitForEdit(said.entry, /Bestätigung an|nicht gesendet/, 30_000);
    say.bot('', `updates the summary: ${String(told.content).replace(/\\(.)/g, '$1')}`);
    const [germanMail] = await smtp.waitForRecipients(['greta@example.com']);
    say.note(`email to greta: ${String(germanMail!.parsed.subject)}`);
    writeFileSync(join(OUT, 'confirmation.de.html'), String(germanMail!.parsed.html));
    say.note(`Saved: ${relative(process.cwd(), join(OUT, 'confirmation.de.html'))}`);
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
