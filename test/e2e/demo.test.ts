/**
 * `npm run demo` works from the repository, end to end, and leaves the captured email behind.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/bot-process.ts';

test('the demo walks through the product and writes the confirmation email', async () => {
  rmSync(join(ROOT, 'demo-output'), { recursive: true, force: true });
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'scripts/demo.ts')],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
        (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
      );
    },
  );
  assert.equal(code, 0, stderr);
  for (const step of [
    '👤 alice: /ping',
    'Pong! Latency:',
    'Step 1 of 3 needs a fix',
    '[Arrival End = "2025-02-30"]',
    'Step 2 of 3 complete',
    '📦 Order Submitted!',
    '📧 Confirmation sent to alice@example.com',
    'New order from',
    '👤 sam (staff): presses [Accept] on the staff post',
    'edits the staff post: Status: Accepted · by <@910000000000000003>',
    'sends alice a direct message: ✅ Demo Sneaker Shop accepted your order ORD-00042 (#1)',
    'Tracking: 1Z999AA10123456784',
    '[Mark delivered]',
    'email to alice: Your Demo Sneaker Shop order #1 has shipped',
    '👤 alice: /my_orders',
    'Shipped · [track it](<https://track.example/1Z999AA10123456784>)',
    '🔧 Bot Diagnostics',
    'Orders: 1 today, 1 total (1 shipped)',
    '8. The order, read back from the database',
    'npm run orders -- list',
    '9. A customer whose Discord is in German orders',
    '👤 greta: /order_form email:greta@example.com',
    'opens the form "Bestelldaten – Schritt 1": [Bestellnummer',
    '⚠️ Schritt 1 von 3 muss korrigiert werden:',
    '• Ankunft spätestens muss ein echtes Datum im Format JJJJ-MM-TT sein',
    '[Schritt 1 korrigieren] [Abbrechen]',
    '✅ Schritt 2 von 3 abgeschlossen.',
    '┃ 📦 Bestellung übermittelt!',
    '┃ 📅 Voraussichtliche Ankunft: 10. März 2025 bis 14. März 2025',
    '📧 Bestätigung an greta@example.com gesendet',
    'email to greta: Deine Bestellung #2 bei Demo Sneaker Shop ist bestätigt',
    'shut down cleanly (exit code 0)',
  ]) {
    assert.ok(stdout.includes(step), `transcript lacks ${step}`);
  }
  assert.match(stdout, /🤖 Bot \(\d+(\.\d+)? ms\)/, 'bot time per step');
  assert.match(
    stdout,
    /#1 +\d{4}-\d\d-\d\d \d\d:\d\d +shipped +sent +ORD-00042 +alice@example\.com +Runner 42/,
  );
  assert.match(
    stdout,
    /accepted -> shipped {2}by Discord user 910000000000000003 {2}\(tracking 1Z999AA10123456784/,
  );
  assert.match(stdout, /email +done +after 1 attempt\(s\)/);
  assert.match(stdout, /staff_post +done +after 1 attempt\(s\)/);
  const html = readFileSync(join(ROOT, 'demo-output/confirmation.html'), 'utf8');
  for (const value of ['ORD-00042', 'Runner 42', 'STY-42', '$150.00', 'Demo Sneaker Shop'])
    assert.ok(html.includes(value), value);
  const eml = readFileSync(join(ROOT, 'demo-output/confirmation.eml'), 'utf8');
  assert.match(eml, /^Subject: Your Demo Sneaker Shop order #1 is confirmed$/m);
  assert.match(eml, /Content-Type: multipart\/alternative/);
});
