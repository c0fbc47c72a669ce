/**
 * The PostgreSQL engine against a real PostgreSQL 15 server started for this file
 * (`test/support/postgres.ts`): the engine contract, with each test on a new database, and what
 * only this engine has (the schema's version table, connections the server drops).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPostgresEngine, POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres.ts';
import { query, type RunningPostgres, startPostgres } from '../support/postgres.ts';
import { type EngineDatabase, engineContract } from './engine-contract.ts';

let server: RunningPostgres;

before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

/** A new, empty database on the server. */
async function freshDatabase(): Promise<EngineDatabase & { url: string }> {
  const url = await server.freshDatabase();
  return {
    url,
    open: () => createPostgresEngine({ url, poolSize: 5 }),
    async damagePayload(jobId, raw) {
      await query(url, 'UPDATE jobs SET payload = $1 WHERE id = $2', [raw, jobId]);
    },
  };
}

engineContract({ shared: true, fresh: freshDatabase });

test('postgres: three engines starting together apply each migration once', async () => {
  const db = await freshDatabase();
  const engines = await Promise.all([db.open(), db.open(), db.open()]);
  await Promise.all(engines.map((engine) => engine.close()));
  const { rows } = await query(db.url, 'SELECT version FROM schema_version ORDER BY version');
  assert.deepEqual(
    rows.map((row: { version: number }) => row.version),
    Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
  );
  const meta = await query(db.url, `SELECT count(*)::int AS n FROM meta WHERE key = 'store_id'`);
  assert.equal(meta.rows[0].n, 1);
});

test('postgres: a database of a newer schema is refused with its version', async () => {
  const db = await freshDatabase();
  await (await db.open()).close();
  await query(db.url, 'INSERT INTO schema_version (version, applied_at) VALUES ($1, 0)', [
    POSTGRES_SCHEMA_VERSION + 1,
  ]);
  await assert.rejects(
    db.open(),
    new RegExp(
      `newer version of the bot \\(schema ${POSTGRES_SCHEMA_VERSION + 1}; this version knows up to ${POSTGRES_SCHEMA_VERSION}\\)`,
    ),
  );
});

test('postgres: an unreachable server rejects the engine, leaving nothing open', async () => {
  const url = server.url.replace(/:\d+\//, ':1/');
  await assert.rejects(createPostgresEngine({ url }), /ECONNREFUSED/);
});

test('postgres: connections the server drops (idle or not) are logged, not fatal, and replaced', async () => {
  const db = await freshDatabase();
  const lines: string[] = [];
  const { createLogger } = await import('../../src/log.ts');
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line), pretty: false });
  const engine = await createPostgresEngine({ url: db.url, log, poolSize: 3 });
  try {
    await Promise.all([engine.orders.counts(0), engine.orders.counts(0), engine.orders.list()]);
    await query(
      db.url,
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(
      lines.some((line) => line.includes('store.postgres_connection_lost')),
      lines.join('\n'),
    );
    assert.equal((await engine.orders.counts(0)).ordersTotal, 0, 'a new connection serves the next query');
    assert.deepEqual(await engine.orders.probe(Date.now()), { ok: true });
  } finally {
    await engine.close();
  }
});
