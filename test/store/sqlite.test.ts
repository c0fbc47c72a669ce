/**
 * The embedded engine against the engine contract (`engine-contract.ts`), each test on a new
 * database in a temporary folder. One process owns a SQLite database (`lockDataDir`), so the
 * contract's tests of several engines on one database do not apply.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { createSqliteEngine, type SqliteEngine } from '../../src/store/sqlite.ts';
import { engineContract } from './engine-contract.ts';

const folders: string[] = [];
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

engineContract({
  shared: false,
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'order-bot-engine-'));
    folders.push(dir);
    let engine: SqliteEngine | undefined;
    return {
      open: async () => {
        engine = createSqliteEngine(openDatabase(dir));
        return engine;
      },
      async damagePayload(jobId, raw) {
        engine?.database.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run(raw, jobId);
      },
    };
  },
});
