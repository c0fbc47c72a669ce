/**
 * End to end: every customer in their own language. The built bot against the fake Discord (users
 * and servers with their `locale` / `guild_locale`) and a real SMTP server: a German customer's
 * whole form, summary, email, status DM and email, and /my_orders; a language the shop does not
 * offer; a shop that offers English only; an owner's own French template.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BotProcess, readOrders, shopEnv, startBot } from '../support/bot-process.ts';
import {
  completeOrder,
  customer,
  findButton,
  messageOf,
  userMaker,
  validInputs,
} from '../support/customer.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

type Json = Record<string, unknown>;
const STAFF_CHANNEL = '300000000000000025';
/** Manage Server (0x20) on top of an everyday member's permissions. */
const MANAGER = String(1024n | 2048n | 65536n | 2147483648n | 32n);
const newUser = userMaker(625_000_000_000_000_000n, 'lang');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const labelsOf = (modal: Json) => (modal.components as Json[]).map((label) => String(label.label));
const buttonsOf = (message: Json) =>
  ((message.components as Json[] | undefined) ?? []).flatMap((row) =>
    ((row.components as Json[] | undefined) ?? []).map((button) => String(button.label)),
  );
const fieldsOf = (embed: Json) => Object.fromEntries((embed.fields as Json[]).map((f) => [f.name, f.value]));

describe('every customer in their own language', () => {
  let discord: FakeDiscord;
  let smtp: TestSmtpServer;
  let bot: BotProcess;
  let dataDir: string;
  const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));

  before(async () => {
    discord = await startFakeDiscord({ guilds: 3 });
    // The second server speaks French, the third Korean (not shipped).
    discord.setGuildLocale(discord.guildIds[1]!, 'fr');
    discord.setGuildLocale(discord.guildIds[2]!, 'ko');
    smtp = await startSmtpServer();
    dataDir = mkdtempSync(join(tmpdir(), 'order-bot-data-'));
    const env = shopEnv(discord, smtp, {
      shop_name: 'Acme Sneakers',
      orders_channel_id: STAFF_CHANNEL,
      image_hosts: ['cdn.example.com'],
      recipient_daily_limit: 100,
      server_hourly_limit: 10_000,
      mail_hourly_limit: 10_000,
    });
    // The owner's own French confirmation (the English email_template.json is the shipped one, unchanged).
    writeFileSync(
      join(env.CONFIG_DIR!, 'email_template.fr.json'),
      JSON.stringify({
        subject: 'Commande {{order_id}} chez {{shop_name}} : modèle de la boutique',
        html_body: '<p>Bonjour ! Commande {{order_number}} du {{estimated_arrival_start_date}}.</p>',
      }),
    );
    bot = startBot({ env: { ...env, DATA_DIR: dataDir } });
    await bot.waitForLog('bot.ready');
    await bot.waitForLog('smtp.ready');
  });
  after(async () => {
    await bot.stop('SIGKILL');
    await smtp.close();
    await discord.close();
  });

  test('a customer with locale "de": modals, step messages, a validation message, summary, email, DM and /my_orders in German', async () => {
    const user = newUser({ locale: 'de' });
    const c = customer(discord, user);
    const inputs = validInputs(25);
    const opened = await c.command('order_form', { email: 'greta@example.com' });
    assert.equal(opened.callback.type, 9);
    const modal1 = opened.callback.data as Json;
    assert.equal(modal1.title, 'Bestelldaten – Schritt 1');
    assert.deepEqual(labelsOf(modal1), [
      'Bestellnummer',
      'Ankunft frühestens',
      'Ankunft spätestens',
      'Bild-URL',
      'Produktname',
    ]);
    const dateInput = ((modal1.components as Json[])[1]!.component as Json).placeholder;
    assert.equal(dateInput, 'JJJJ-MM-TT');

    // A mistake: the German problem list and a German button to fix it.
    const wrong = await c.submit(modal1, { ...inputs[1], estimated_arrival_start_date: '14.03.2025' });
    const problem = String(messageOf(wrong.entry).content);
    assert.equal(
      problem,
      [
        '⚠️ Schritt 1 von 3 muss korrigiert werden:',
        '• **Ankunft frühestens** muss ein echtes Datum im Format JJJJ-MM-TT sein, zum Beispiel 2025-03-14.',
        '',
        'Drücke **Schritt 1 korrigieren**: Das Formular öffnet sich wieder mit allem, was du eingegeben hast.',
      ].join('\n'),
    );
    assert.deepEqual(buttonsOf(messageOf(wrong.entry)), ['Schritt 1 korrigieren', 'Abbrechen']);
    const reopened = await c.click('Schritt 1 korrigieren', messageOf(wrong.entry));
    assert.equal((reopened.callback.data as Json).title, 'Bestelldaten – Schritt 1');
    const step1 = await c.submit(reopened.callback.data as Json, inputs[1], messageOf(wrong.entry));
    assert.equal(messageOf(step1.entry).content, '✅ Schritt 1 von 3 abgeschlossen.');
    assert.deepEqual(buttonsOf(messageOf(step1.entry)), ['Weiter zu Schritt 2', 'Abbrechen']);

    const open2 = await c.click('Weiter zu Schritt 2', messageOf(step1.entry));
    const modal2 = open2.callback.data as Json;
    assert.equal(modal2.title, 'Bestelldaten – Schritt 2');
    assert.deepEqual(labelsOf(modal2), ['Artikelnummer', 'Größe', 'Zustand', 'Kaufpreis', 'Farbe']);
    const step2 = await c.submit(modal2, inputs[2], messageOf(step1.entry));
    assert.deepEqual(buttonsOf(messageOf(step2.entry)), ['Weiter zum letzten Schritt', 'Abbrechen']);
    const open3 = await c.click('Weiter zum letzten Schritt', messageOf(step2.entry));
    assert.deepEqual(labelsOf(open3.callback.data as Json), ['Lieferadresse', 'Anmerkungen']);
    const final = await c.submit(open3.callback.data as Json, inputs[3], messageOf(step2.entry));

    const summary = messageOf(final.entry);
    const embed = (summary.embeds as Json[])[0]!;
    assert.equal(embed.title, '📦 Bestellung übermittelt!');
    assert.equal(embed.description, 'Bestellung **ORD\\-00025** · Referenz #1');
    const fields = fieldsOf(embed);
    assert.equal(fields['📦 Produkt'], 'Runner 25');
    assert.equal(fields['💰 Bezahlt'], '$150,00');
    assert.equal(fields['📅 Voraussichtliche Ankunft'], '10. März 2025 bis 14. März 2025');
    assert.equal(fields['📏 Größe'], '10');
    const edit = await c.waitForEdit(final.entry, /Bestätigung an/);
    assert.equal(edit.content, '📧 Bestätigung an greta\\@example.com gesendet');

    const [mail] = await until(
      () => (mailsTo('greta@example.com').length ? mailsTo('greta@example.com') : undefined),
      'the email',
    );
    assert.equal(mail!.parsed.subject, 'Deine Bestellung #1 bei Acme Sneakers ist bestätigt');
    const html = String(mail!.parsed.html);
    assert.match(html, /<html lang="de">/);
    assert.match(html, /Vielen Dank für deine Bestellung!/);
    assert.match(html, /10\. März 2025 bis 14\. März 2025/);
    assert.match(html, /<th>Bezahlt<\/th><td>\$150,00<\/td>/);

    // Stored with the order: what later messages use.
    const stored = await readOrders(dataDir, (orders) => orders.list({ userId: user.id }));
    assert.equal(stored[0]?.language, 'de');

    // The staff post is in the staff's language (staff_language: default_language, English).
    const post = await until(
      () => discord.channelMessages.find((m) => String(m.body.content).includes(user.id)),
      'the staff post',
    );
    assert.equal(post.body.content, `🛒 New order from <@${user.id}>`);
    const postFields = fieldsOf(((post.body.embeds as Json[])[0] as Json) ?? {});
    assert.equal(postFields['Order Number'], 'ORD\\-00025');
    assert.equal(postFields['Customer language'], 'Deutsch', 'the staff see which language to answer in');
    assert.deepEqual(buttonsOf(post.message), ['Accept', 'Cancel order']);

    // A manager accepts (in English); the customer hears in German, by DM and email.
    const manager = newUser({ permissions: MANAGER });
    const accept = discord.click(
      manager,
      { ...post.message, flags: 0 },
      String(findButton(post.message, 'Accept').custom_id),
    );
    await discord.waitForCallback(accept);
    assert.match(String(accept.callback?.data?.content), /is now \*\*Accepted\*\*/);
    const [dm] = await until(
      () => (discord.dmsTo(user.id).length ? discord.dmsTo(user.id) : undefined),
      'the DM',
    );
    assert.equal(
      dm!.content,
      '✅ **Acme Sneakers** hat deine Bestellung **ORD\\-00025** (\\#1) angenommen. Wir sagen dir Bescheid, wenn sie versandt wird.',
    );
    const statusMail = await until(
      () => mailsTo('greta@example.com').find((m) => /angenommen/.test(String(m.parsed.subject))),
      'the status email',
    );
    assert.equal(statusMail.parsed.subject, 'Deine Bestellung #1 bei Acme Sneakers wurde angenommen');
    assert.match(String(statusMail.parsed.html), /Gute Nachricht/);

    const mine = await c.command('my_orders');
    const list = String((mine.callback.data as Json).content);
    assert.match(list, /^🧾 Deine Bestellung \(neueste zuerst\):\n/);
    assert.match(list, / · Angenommen$/);
  });

  test('a customer whose language is not shipped ("ja") gets the server\'s language, else the default', async () => {
    const inFrance = customer(discord, newUser({ locale: 'ja' }), discord.guildIds[1]);
    const french = await inFrance.command('order_form', { email: 'not an address' });
    assert.match(String((french.callback.data as Json).content), /^❌ Adresse e-mail invalide\./);
    const opened = await inFrance.command('order_form', { email: 'kenji@example.com' });
    assert.equal((opened.callback.data as Json).title, 'Détails de la commande – Étape 1');

    const inKorea = customer(discord, newUser({ locale: 'ja' }), discord.guildIds[2]);
    const english = await inKorea.command('order_form', { email: 'not an address' });
    assert.match(String((english.callback.data as Json).content), /^❌ Invalid email address provided\./);
  });

  test("an owner's email_template.fr.json is used for a French customer; a Spanish one gets the shipped Spanish email", async () => {
    const french = newUser({ locale: 'fr' });
    // completeOrder presses the English buttons: the French form is walked by hand.
    const c = customer(discord, french);
    const inputs = validInputs(26);
    const opened = await c.command('order_form', { email: 'louise@example.com' });
    let last = await c.submit(opened.callback.data as Json, inputs[1]);
    for (const [label, values] of [
      ['Passer à l’étape 2', inputs[2]],
      ['Passer à la dernière étape', inputs[3]],
    ] as const) {
      const from = messageOf(last.entry);
      const open = await c.click(label, from);
      last = await c.submit(open.callback.data as Json, values, from);
    }
    const mail = await until(() => mailsTo('louise@example.com')[0], "the owner's French email");
    assert.match(String(mail.parsed.subject), /^Commande #\d+ chez Acme Sneakers : modèle de la boutique$/);
    assert.equal(String(mail.parsed.html).trim(), '<p>Bonjour ! Commande ORD-00026 du 10 mars 2025.</p>');

    const spanish = newUser({ locale: 'es-ES' });
    const s = customer(discord, spanish);
    const started = await s.command('order_form', { email: 'lucia@example.com' });
    let step = await s.submit(started.callback.data as Json, inputs[1]);
    for (const [label, values] of [
      ['Continuar al paso 2', inputs[2]],
      ['Continuar al último paso', inputs[3]],
    ] as const) {
      const from = messageOf(step.entry);
      const open = await s.click(label, from);
      step = await s.submit(open.callback.data as Json, values, from);
    }
    const spanishMail = await until(() => mailsTo('lucia@example.com')[0], 'the Spanish email');
    assert.match(String(spanishMail.parsed.subject), /^Tu pedido #\d+ en Acme Sneakers está confirmado$/);
    assert.match(String(spanishMail.parsed.html), /del 10 de marzo de 2025 al 14 de marzo de 2025/);
  });
});

describe('a shop that offers English only', () => {
  test('answers everyone in English: commands, modals, summary and email; its staff read German', async (t) => {
    const discord = await startFakeDiscord();
    const smtp = await startSmtpServer();
    const env = shopEnv(discord, smtp, {
      shop_name: 'Acme Sneakers',
      languages: ['en-US'],
      staff_language: 'de',
      orders_channel_id: STAFF_CHANNEL,
    });
    // The owner's own English template: used for every customer without a file of their language.
    writeFileSync(
      join(env.CONFIG_DIR!, 'email_template.json'),
      JSON.stringify({
        subject: 'Order {{order_id}} at {{shop_name}}',
        html_body: '<p>Thanks, {{email}}.</p>',
      }),
    );
    const bot = startBot({ env });
    t.after(async () => {
      await bot.stop('SIGKILL');
      await smtp.close();
      await discord.close();
    });
    await bot.waitForLog('bot.ready');
    const user = newUser({ locale: 'de' });
    const { final } = await completeOrder(discord, user, 'hans@example.com');
    const embed = (messageOf(final).embeds as Json[])[0]!;
    assert.equal(embed.title, '📦 Order Submitted!');
    const mail = await until(
      () => smtp.received.find((m) => m.envelope.to.includes('hans@example.com')),
      'the email',
    );
    assert.equal(mail.parsed.subject, 'Order #1 at Acme Sneakers');
    const again = await customer(discord, newUser({ locale: 'fr' })).command('order_form', { email: 'x' });
    assert.match(String((again.callback.data as Json).content), /^❌ Invalid email address provided\./);

    // staff_language: the staff post and /run_diagnostics in German, whatever the customers speak.
    const post = await until(
      () => discord.channelMessages.find((m) => String(m.body.content).includes(user.id)),
      'the staff post',
    );
    assert.equal(post.body.content, `🛒 Neue Bestellung von <@${user.id}>`);
    assert.deepEqual(buttonsOf(post.message), ['Annehmen', 'Bestellung stornieren']);
    const staffFields = fieldsOf((post.body.embeds as Json[])[0]!);
    assert.equal(staffFields.Bestellnummer, 'ORD\\-00001');
    assert.equal(staffFields['Sprache der Kundschaft'], 'English (US)');
    const admin = customer(discord, newUser({ permissions: MANAGER, locale: 'fr' }));
    const report = String(((await admin.command('run_diagnostics')).callback.data as Json).content);
    assert.match(report, /^\*\*🔧 Bot-Diagnose\*\*\n/);
    assert.match(report, /\*\*Bestellungen:\*\* 1 heute, 1 insgesamt \(1 eingegangen\)/);
    rmSync(env.CONFIG_DIR!, { recursive: true, force: true });
  });
});
