/**
 * The CLIs, built, run as a shop owner runs them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { commandsFor } from '../../src/commands.ts';
import { LANGUAGES } from '../../src/i18n/languages.ts';
import { ROOT, writeConfigDir } from '../support/bot-process.ts';
import { startFakeDiscord } from '../support/fake-discord.ts';
import { startSmtpServer } from '../support/smtp.ts';

function cli(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, `dist/cli/${name}.js`), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd: mkdtempSync(join(tmpdir(), 'cli-')) },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('sync-commands', () => {
  test('--dry-run prints the JSON and sends nothing', async () => {
    const discord = await startFakeDiscord();
    const { code, stdout } = await cli('sync-commands', ['--dry-run'], {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
    });
    assert.equal(code, 0);
    const json = JSON.parse(stdout.slice(stdout.indexOf('[')));
    assert.deepEqual(json, JSON.parse(JSON.stringify(commandsFor(LANGUAGES))));
    assert.equal(json[2].name_localizations.de, 'bestellformular');
    assert.equal(
      json[2].options[0].description_localizations['pt-BR'],
      'Para onde enviar a confirmação do seu pedido',
    );
    // A shop that offers two languages registers those two.
    const two = await cli('sync-commands', ['--dry-run'], {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      CONFIG_DIR: writeConfigDir({ smtp_server: 'h', smtp_port: 1, languages: ['en-US', 'fr'] }),
    });
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stdout, /^Dry run: would register 4 commands for .*, in en-US, fr:$/m);
    const localized = JSON.parse(two.stdout.slice(two.stdout.indexOf('[')));
    for (const command of localized) {
      assert.deepEqual(Object.keys(command.name_localizations), ['en-US', 'fr']);
      assert.deepEqual(Object.keys(command.description_localizations), ['en-US', 'fr']);
    }
    assert.equal(localized[3].name_localizations.fr, 'mes_commandes');
    assert.equal(discord.requests.length, 0);
    await discord.close();
  });

  test('bulk-overwrites global and guild commands and prints what was registered', async () => {
    const discord = await startFakeDiscord();
    const env = { DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl };
    const global = await cli('sync-commands', [], env);
    assert.equal(global.code, 0, global.stderr);
    assert.match(global.stdout, /Registered 4 commands for all servers/);
    for (const name of ['ping', 'run_diagnostics', 'order_form', 'my_orders'])
      assert.match(global.stdout, new RegExp(`/${name} `));
    const put = discord.requests.find((r) => r.method === 'PUT');
    assert.equal(put?.path, `/applications/${discord.applicationId}/commands`);
    assert.ok(put);
    const diagnostics = (put.body as { name: string; default_member_permissions?: string }[]).find(
      (c) => c.name === 'run_diagnostics',
    );
    assert.equal(diagnostics?.default_member_permissions, '32', 'Manage Server');
    const guild = await cli('sync-commands', ['--guild', '123456789012345678'], env);
    assert.equal(guild.code, 0, guild.stderr);
    assert.ok(
      discord.requests.some(
        (r) =>
          r.method === 'PUT' &&
          r.path === `/applications/${discord.applicationId}/guilds/123456789012345678/commands`,
      ),
    );
    await discord.close();
  });

  test('a bad token (401) gives a one-line error and exit 1', async () => {
    const discord = await startFakeDiscord();
    const { code, stderr } = await cli('sync-commands', [], {
      DISCORD_BOT_TOKEN: 'wrong',
      DISCORD_API_URL: discord.apiUrl,
    });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(
      stderr,
      /^Discord answered GET \/applications\/@me with 401 Unauthorized: .*reset the token/,
    );
    await discord.close();
  });

  test('an unreachable API gives a one-line error and exit 1', async () => {
    const { code, stderr } = await cli('sync-commands', [], {
      DISCORD_BOT_TOKEN: 't',
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
    });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /^Cannot reach Discord at http:\/\/127\.0\.0\.1:9\/api: .*ECONNREFUSED/);
  });

  test('a missing token is the critical error', async () => {
    const { code, stderr } = await cli('sync-commands', [], {});
    assert.equal(code, 1);
    assert.equal(stderr.trim(), 'CRITICAL ERROR: DISCORD_BOT_TOKEN not found');
  });
});

describe('email tools', () => {
  test('preview-email writes the rendered sample to an HTML file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'preview-')), 'preview.html');
    const { code, stdout } = await cli('preview-email', ['--out', out], {
      CONFIG_DIR: join(ROOT, 'config/defaults'),
    });
    assert.equal(code, 0);
    assert.match(stdout, /Subject: Your Our Shop order #1 is confirmed/);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.includes('ORD-12345') && html.includes('Runner 2') && html.includes('<!DOCTYPE html>'));
    assert.match(readFileSync(out.replace('.html', '.txt'), 'utf8'), /Order Number: +ORD-12345/);
  });

  test('preview-email and preview-form --lang show what a customer of that language gets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preview-'));
    const env = { CONFIG_DIR: writeConfigDir({ smtp_server: 'h', smtp_port: 1, shop_name: 'Acme' }) };
    const email = await cli('preview-email', ['--lang', 'de', '--out', join(dir, 'de.html')], env);
    assert.equal(email.code, 0, email.stderr);
    assert.match(email.stdout, /^Language: de$/m);
    assert.match(email.stdout, /^Subject: Deine Bestellung #1 bei Acme ist bestätigt$/m);
    assert.match(readFileSync(join(dir, 'de.html'), 'utf8'), /Vielen Dank für deine Bestellung!/);
    const form = await cli('preview-form', ['--lang', 'fr', '--out', join(dir, 'fr.html')], env);
    assert.equal(form.code, 0, form.stderr);
    assert.match(form.stdout, /, in fr: 3 step\(s\)/);
    assert.match(form.stdout, /Step 1 of 3: a form titled "Détails de la commande – Étape 1"/);
    assert.match(form.stdout, /Numéro de commande \*/);
    assert.match(form.stdout, /then "✅ Étape 1 sur 3 terminée\." with \[Passer à l’étape 2\] \[Annuler\]/);
    const wrong = await cli('preview-email', ['--lang', 'it'], env);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.trim(), '--lang: expected one of en-US, de, fr, es-ES, pt-BR, got "it"');
  });

  test('send-test-email delivers through the configured SMTP server, and says why when it cannot', async () => {
    const smtp = await startSmtpServer();
    const env = {
      CONFIG_DIR: writeConfigDir({ smtp_server: smtp.host, smtp_port: smtp.port }),
      SENDER_EMAIL: 'shop@example.test',
      SENDER_PASSWORD: 'app-password',
      NODE_EXTRA_CA_CERTS: smtp.certPath,
    };
    try {
      const ok = await cli('send-test-email', ['owner@example.com'], env);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Sent a sample confirmation to owner@example\.com/);
      const [mail] = await smtp.waitForRecipients(['owner@example.com']);
      assert.equal(String(mail!.parsed.subject), 'Your Our Shop order #1 is confirmed');
      assert.match(String(mail!.parsed.html), /ORD-12345/);
      const bad = await cli('send-test-email', ['owner@example.com'], { ...env, SENDER_PASSWORD: 'wrong' });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /SMTP Authentication Error/);
      const usage = await cli('send-test-email', ['not-an-address'], env);
      assert.equal(usage.code, 1);
      assert.match(usage.stderr, /Usage/);
    } finally {
      await smtp.close();
    }
  });
});
