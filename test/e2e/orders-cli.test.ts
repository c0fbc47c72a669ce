/**
 * End to end: `npm run orders` (the built CLI) on the database a running bot wrote: list, show,
 * a CSV export of hostile input, retry of a failed email, backup and purge; exports and backups
 * are new private files, and a failed write says so and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { createOrderStore } from '../../src/store/orders.ts';
import { type BotProcess, ROOT, shopEnv, startBot } from '../support/bot-process.ts';
import { completeOrder, validInputs } from '../support/customer.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

/** A strict RFC 4180 reader: quoted cells, doubled quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: string[] = [];
    for (;;) {
      assert.equal(text[i], '"', `every cell is quoted (at ${i})`);
      let cell = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        assert.ok(quote >= 0, 'a quoted cell ends');
        cell += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          cell += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      row.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      assert.equal(text.slice(i, i + 2), '\r\n', 'records end with CRLF');
      i += 2;
      break;
    }
    rows.push(row);
  }
  return rows;
}

describe('the orders CLI', () => {
  let discord: FakeDiscord;
  let smtp: TestSmtpServer;
  let bot: BotProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'order-bot-cli-data-'));
  const orders = (...args: string[]) => {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
      cwd: mkdtempSync(join(tmpdir(), 'order-bot-cli-cwd-')),
      encoding: 'utf8',
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  };
  // The CLI on SQLite (backup, the folder's files): on SQLite in every run;
  // orders-cli-postgres.test.ts runs it on PostgreSQL.
  const launch = () =>
    startBot({
      engine: 'sqlite',
      env: {
        ...shopEnv(discord, smtp, { order_cooldown_seconds: 0, mail_retry_initial_seconds: 0.05 }),
        DATA_DIR: dataDir,
      },
    });

  const hostile = validInputs(90);
  hostile[1].product_name = '=HYPERLINK("http://evil.example","click")';
  hostile[2].style_id = '+1+1';
  hostile[2].color = '-2+3, "red"';
  hostile[2].product_condition = '@SUM(A1:A9)';
  hostile[3] = { shipping_address: '1 Main St, Apt "4"\nSpringfield', notes: "\t=cmd|' /C calc'!A0" };

  before(async () => {
    discord = await startFakeDiscord();
    smtp = await startSmtpServer();
    smtp.rejectRecipients.add('bounce@example.com');
    bot = launch();
    await bot.waitForLog('bot.ready');
    await completeOrder(discord, { id: '610000000000000001', username: 'eve' }, 'eve@example.com', hostile);
    await completeOrder(
      discord,
      { id: '610000000000000002', username: 'bob' },
      'bounce@example.com',
      validInputs(91),
    );
    await smtp.waitForRecipients(['eve@example.com']);
    await bot.waitForLog('outbox.failed', (l) => l.reason === 'recipient_rejected');
  });
  after(async () => {
    await bot.stop('SIGKILL');
    await smtp.close();
    await discord.close();
  });

  test('list shows the newest first and filters by status', () => {
    const all = orders('list');
    assert.equal(all.code, 0, all.err);
    const lines = all.out.trim().split('\n');
    assert.match(lines[0]!, /^id\s+created\s+status/);
    assert.match(
      lines[1]!,
      /^#2\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+received\s+failed\s+ORD-00091\s+bounce@example\.com/,
    );
    assert.match(lines[2]!, /^#1 .* received\s+sent\s+ORD-00090\s+eve@example\.com/);
    const failed = orders('list', '--status', 'failed');
    assert.equal(failed.out.trim().split('\n').length, 2);
    assert.match(orders('list', '--since', '2999-01-01').out, /No orders match/);
    const bad = orders('list', '--since', 'yesterday');
    assert.deepEqual(
      [bad.code, bad.err.trim()],
      [1, '--since: expected a date written YYYY-MM-DD, got "yesterday"'],
    );
  });

  test('show prints every field and each delivery job with its reason', () => {
    const shown = orders('show', '2');
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /^Order #2: received, created .*; delivery failed$/m);
    assert.match(shown.out, /Email: bounce@example\.com/);
    assert.match(shown.out, /Product Name: +Runner 91/);
    assert.match(shown.out, /email +failed +after 1 attempt\(s\) \(recipient_rejected: recipient rejected/);
    assert.match(orders('show', '99').err, /No order #99/);
  });

  test('export --csv: RFC 4180, UTF-8 with BOM and a header; formulas and hostile text open as plain text', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'order-bot-csv-')), 'orders.csv');
    const result = orders('export', '--csv', '--out', file);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Wrote 2 order\(s\)/);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith('\uFEFF'), 'BOM');
    const [header, eve, bob] = parseCsv(text.slice(1));
    assert.deepEqual(header!.slice(0, 7), [
      'order_id',
      'created_at',
      'status',
      'email',
      'discord_user_id',
      'discord_server_id',
      'order_number',
    ]);
    const cell = (row: string[], name: string) => row[header!.indexOf(name)];
    assert.equal(cell(eve!, 'product_name'), '\'=HYPERLINK("http://evil.example","click")');
    assert.equal(cell(eve!, 'style_id'), "'+1+1");
    assert.equal(cell(eve!, 'color'), '\'-2+3, "red"');
    assert.equal(cell(eve!, 'product_condition'), "'@SUM(A1:A9)");
    assert.equal(
      cell(eve!, 'shipping_address'),
      '1 Main St, Apt "4"\nSpringfield',
      'newlines kept inside the cell',
    );
    assert.equal(
      cell(eve!, 'notes'),
      "'=cmd|' /C calc'!A0",
      'the form trimmed the tab; the = is neutralised',
    );
    assert.equal(cell(bob!, 'email'), 'bounce@example.com');
    for (const row of [eve!, bob!]) {
      for (const value of row)
        assert.doesNotMatch(value, /^[=+\-@\t\r]/, `a cell would run as a formula: ${value}`);
    }
  });

  test('retry sends a failed email again once the cause is fixed', async () => {
    smtp.rejectRecipients.delete('bounce@example.com');
    const result = orders('retry', '2');
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Order #2: 1 failed delivery job\(s\) will be tried again/);
    await smtp.waitForRecipients(['bounce@example.com'], 15_000);
    const store = createOrderStore(openDatabase(dataDir));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(store.get(2)?.status, 'sent');
    assert.match(orders('retry', '2').out, /no failed delivery to retry/);
  });

  test('backup makes a consistent copy while the bot runs; purge removes personal data', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'order-bot-backup-')), 'copy');
    const result = orders('backup', join(target, '..', 'orders-backup.db'));
    assert.equal(result.code, 0, result.err);
    const copy = join(target, '..', 'orders-backup.db');
    assert.ok(existsSync(copy));
    const restoredDir = mkdtempSync(join(tmpdir(), 'order-bot-restore-'));
    spawnSync('cp', [copy, join(restoredDir, 'orders.db')]);
    const restored = createOrderStore(openDatabase(restoredDir));
    assert.deepEqual(
      restored.list().map((o) => [o.id, o.email]),
      [
        [2, 'bounce@example.com'],
        [1, 'eve@example.com'],
      ],
    );
    assert.match(orders('backup', copy).err, /exists already/);

    const purged = orders('purge', '--before', '2999-01-01');
    assert.match(purged.out, /Removed the personal data of 2 order\(s\)/);
    const shown = orders('show', '1').out;
    assert.match(shown, /Personal data removed/);
    assert.doesNotMatch(shown, /eve@example\.com|Main St/);
  });

  test('export into a folder that does not exist: an error naming the path, exit 1, no file', () => {
    const file = join(tmpdir(), `order-bot-no-such-folder-${process.pid}`, 'orders.csv');
    const result = orders('export', '--csv', '--out', file);
    assert.equal(result.code, 1);
    assert.equal(result.out, '', 'no "Wrote ..." line');
    assert.equal(result.err.trim(), `export: cannot write ${file}: its folder does not exist (ENOENT)`);
    assert.equal(existsSync(file), false);
  });

  test('export and backup refuse a file that exists, and leave it as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'order-bot-existing-'));
    const file = join(dir, 'precious.txt');
    writeFileSync(file, 'keep me\n');
    const exported = orders('export', '--csv', '--out', file);
    assert.deepEqual(
      [exported.code, exported.out, exported.err.trim()],
      [1, '', `export: ${file} exists already; name a new file`],
    );
    const backedUp = orders('backup', file);
    assert.deepEqual(
      [backedUp.code, backedUp.out, backedUp.err.trim()],
      [1, '', `backup: ${file} exists already; name a new file`],
    );
    assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
    assert.deepEqual(readdirSync(dir), ['precious.txt']);
  });

  test('exports and backups hold personal data: readable by their owner only (mode 600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'order-bot-private-'));
    const csv = join(dir, 'orders.csv');
    const db = join(dir, 'orders.db');
    assert.equal(orders('export', '--csv', '--out', csv).code, 0);
    assert.equal(orders('backup', db).code, 0);
    assert.equal(statSync(csv).mode & 0o777, 0o600, 'export');
    assert.equal(statSync(db).mode & 0o777, 0o600, 'backup');
  });

  test('backup and export onto a full disk: exit 1, "disk full" with the path, no file left', (t) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'order-bot-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], {
      encoding: 'utf8',
    });
    if (mount.status !== 0 && /permission denied|must be superuser|only root/i.test(mount.stderr)) {
      rmdirSync(mountPoint);
      t.skip('needs root to mount a tmpfs');
      return;
    }
    assert.equal(mount.status, 0, `mount: ${mount.stderr}`);
    t.after(() => {
      const umount = spawnSync('umount', [mountPoint], { encoding: 'utf8' });
      assert.equal(umount.status, 0, `umount: ${umount.stderr}`);
      rmdirSync(mountPoint);
    });
    // Fill the disk to the last byte.
    const filler = openSync(join(mountPoint, 'filler'), 'w');
    try {
      for (;;) writeSync(filler, Buffer.alloc(1024));
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(filler);
    }

    const copy = join(mountPoint, 'orders-backup.db');
    const backedUp = orders('backup', copy);
    assert.deepEqual(
      [backedUp.code, backedUp.out, backedUp.err.trim()],
      [1, '', `backup: cannot write ${copy}: disk full`],
    );
    const csv = join(mountPoint, 'orders.csv');
    const exported = orders('export', '--csv', '--out', csv);
    assert.deepEqual(
      [exported.code, exported.out, exported.err.trim()],
      [1, '', `export: cannot write ${csv}: disk full (ENOSPC)`],
    );
    assert.deepEqual(readdirSync(mountPoint), ['filler'], 'no partial file to block the next try');
  });

  test('a mistyped DATA_DIR is reported, and nothing is created there', () => {
    const missing = join(tmpdir(), `order-bot-missing-${process.pid}`);
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/orders.js'), 'list'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: missing },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /orders\.db: no order database here \(set DATA_DIR/);
    assert.equal(existsSync(missing), false);
  });
});
