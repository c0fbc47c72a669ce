/**
 * @module cli/orders
 * The shop's order tools, on PostgreSQL at DATABASE_URL when it is set, else on the SQLite database
 * in DATA_DIR (safe while the bot runs), through the engine-neutral interfaces (`store/engine.ts`):
 *
 *   npm run orders -- list [--since 2026-11-01] [--status pending|sent|failed] [--limit 50]
 *   npm run orders -- show <id>
 *   npm run orders -- status <id> <accepted|shipped|delivered|cancelled> [--tracking N] [--tracking-url U] [--reason R]
 *   npm run orders -- export --csv [--out orders.csv] [--since 2026-11-01] [--status sent]
 *   npm run orders -- retry <id> | --failed
 *   npm run orders -- purge --before 2025-11-01
 *   npm run orders -- backup <file>                      (SQLite; PostgreSQL is backed up with pg_dump)
 *   npm run orders -- migrate --from-sqlite <DATA_DIR>   (into DATABASE_URL, once per store)
 *
 * Exports and backups hold personal data: each is a new file (never one that exists already),
 * readable by its owner only (mode 600), reported written only once it is complete on disk, and
 * removed again if writing it fails, so a failed run leaves nothing half-written behind.
 */
import { rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backup } from '@photostructure/sqlite';
import { loadConfigFiles, loadDotEnv, readToolEnv } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { CSV_BOM, csvHeader, csvLine, exportColumns } from '../order/export.ts';
import { shownValue } from '../order/fields.ts';
import { DEFAULT_FORM, formOfOrder, loadForm, type OrderForm } from '../order/form.ts';
import { canMove, changeJobs, isLifecycleStatus, LIMITS } from '../order/lifecycle.ts';
import { isCalendarDate, isHttpUrl } from '../order/validate.ts';
import { lockDataDir, openDatabase, StoreError, sqliteCode } from '../store/database.ts';
import type {
  LifecycleStatus,
  OrderFilter,
  OrderStatus,
  StatusChange,
  StoredOrder,
} from '../store/engine.ts';
import { createPostgresEngine, type ImportCounts, type PostgresEngine } from '../store/postgres.ts';
import { createSqliteEngine } from '../store/sqlite.ts';

const USAGE = `Usage: npm run orders -- <command>
  list [--since YYYY-MM-DD] [--status S] [--limit N]                 newest first (default 50); S: received,
                                                                      accepted, shipped, delivered, cancelled
                                                                      (the order) or pending, sent, failed (delivery)
  show <id>                                                           every field, delivery job and status change
  status <id> <status> [--tracking N] [--tracking-url U] [--reason R] move an order on (accepted, shipped,
                                                                      delivered, cancelled: --reason required);
                                                                      the customer and webhook are told, as from Discord
  export --csv [--out FILE] [--since YYYY-MM-DD] [--status S]         a new spreadsheet file (or standard output)
  retry <id> | --failed                                               send failed emails / staff posts again
  purge --before YYYY-MM-DD                                           remove personal data of older orders
  backup FILE                                                         a consistent copy, safe while the bot runs
  migrate --from-sqlite DATA_DIR                                      copy a shop's SQLite orders into DATABASE_URL
The database is PostgreSQL at DATABASE_URL when it is set, else DATA_DIR/orders.db
(both from .env or the environment; DATA_DIR defaults to ./data).
export --out and backup write a new file, readable only by you (mode 600); they never overwrite one.`;

class UsageError extends Error {}

/** A file the CLI could not write; the message names the command, the path and the reason. */
class FileError extends Error {}

/** PostgreSQL could not be used; the message names the host, never the password. */
class DatabaseError extends Error {}

/** What an OS error code means for a file the CLI writes. */
const FILE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EISDIR: 'it is a folder',
  EIO: 'input/output error',
};

/** SQLite's primary result codes for a failed write (the extended code's low byte). */
const SQLITE_REASONS: Readonly<Record<number, string>> = {
  8: 'read-only file system',
  10: 'input/output error',
  13: 'disk full',
  14: 'cannot open the file',
};

/** One line for a failed write: `export: cannot write /x/orders.csv: disk full (ENOSPC)`. */
function fileError(command: string, path: string, error: unknown, leftBehind = false): FileError {
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  const why =
    typeof code === 'string' && /^E[A-Z]+$/.test(code)
      ? `${FILE_REASONS[code] ?? String(message)} (${code})`
      : ((typeof errcode === 'number' ? SQLITE_REASONS[errcode & 0xff] : undefined) ??
        String(message ?? error));
  const text =
    code === 'EEXIST'
      ? `${command}: ${path} exists already; name a new file`
      : `${command}: cannot write ${path}: ${why}${leftBehind ? ' (a partial file is left there: remove it)' : ''}`;
  return new FileError(text, { cause: error });
}

/** Removes a file this run created and could not finish; false if it is still there. */
function discard(path: string): boolean {
  try {
    rmSync(path, { force: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates `path` as a new file readable by its owner only: `wx` refuses anything already there,
 * atomically, so a file that existed before is never touched.
 */
async function createNewFile(command: string, path: string): Promise<FileHandle> {
  try {
    return await open(path, 'wx', 0o600);
  } catch (error) {
    throw fileError(command, path, error);
  }
}

/** Runs `write`, which completes the new file at `path`; if it fails, the file is removed. */
async function completeOrRemove(command: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw fileError(command, path, error, !discard(path));
  }
}

/** Writes all of `text`: a write on a nearly full disk may take only part of it. */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    const { bytesWritten } = await handle.write(bytes);
    bytes = bytes.subarray(bytesWritten);
  }
}

const STATUSES: readonly OrderStatus[] = ['pending', 'sent', 'failed'];

/** Local midnight of a `YYYY-MM-DD` day. */
function day(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!isCalendarDate(value))
    throw new UsageError(`${flag}: expected a date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const [year, month, date] = value.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date).getTime();
}

/** `--status`: a delivery state or a lifecycle status, as the filter it makes. */
function status(value: string | undefined): Pick<OrderFilter, 'status' | 'lifecycle'> {
  if (value === undefined) return {};
  if (STATUSES.includes(value as OrderStatus)) return { status: value as OrderStatus };
  if (isLifecycleStatus(value)) return { lifecycle: value };
  throw new UsageError(
    `--status: expected received, accepted, shipped, delivered or cancelled (the order), or pending, sent or failed (its delivery), got ${JSON.stringify(value)}`,
  );
}

/** Who made a change, for `show`. */
const actorOf = (actor: string) => (actor === 'cli' ? 'the owner (CLI)' : `Discord user ${actor}`);

function orderId(value: string | undefined): number {
  const id = Number(value?.replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1)
    throw new UsageError(`expected an order ID such as 42, got ${JSON.stringify(value)}`);
  return id;
}

const when = (ms: number) => {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * The status as the list shows it: `capped` is an order taken and posted whose confirmation email a
 * cap kept back (not to be mistaken for `sent`).
 */
function listStatus(order: StoredOrder): string {
  return order.emailRefused && order.status === 'sent' ? 'capped' : order.status;
}

function listLine(order: StoredOrder): string {
  return [
    `#${order.id}`.padEnd(7),
    when(order.createdAt),
    order.lifecycle.padEnd(9),
    listStatus(order).padEnd(8),
    oneLine(order.orderNumber, 20).padEnd(20),
    oneLine(order.email || '(purged)', 32).padEnd(32),
    // What was ordered: the shipped form's product, else the first answer of the order's form.
    oneLine(order.fields.product_name ?? Object.values(order.fields).find((value) => value !== '') ?? '', 30),
  ].join('  ');
}

/** The shop's form in force; a form.json the bot would refuse is reported, and the shipped form used. */
function currentForm(configDir: string): OrderForm {
  try {
    return loadForm(configDir);
  } catch (error) {
    console.error(
      `${(error as Error).message}\n(using the shipped form's columns; every order still shows its own fields)`,
    );
    return DEFAULT_FORM;
  }
}

/** `host:port` of a connection URL, for messages (never the user or password). */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return 'the configured host';
  }
}

/** PostgreSQL at `url`, migrated; a failure is one line naming the host. */
async function openPostgres(url: string): Promise<PostgresEngine> {
  try {
    return await createPostgresEngine({ url, poolSize: 2 });
  } catch (error) {
    throw new DatabaseError(
      `DATABASE_URL: cannot use PostgreSQL at ${hostOf(url)} (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

/** The orders the commands work on: PostgreSQL at DATABASE_URL, else the SQLite database that must exist in DATA_DIR. */
async function openEngine(env: { dataDir: string; databaseUrl: string | undefined }) {
  return env.databaseUrl
    ? await openPostgres(env.databaseUrl)
    : createSqliteEngine(openDatabase(env.dataDir, { mustExist: true }));
}

/** `backup` with DATABASE_URL set: one line naming the tool that backs PostgreSQL up. */
const BACKUP_ON_POSTGRES =
  'backup: the orders are in PostgreSQL (DATABASE_URL); back them up with pg_dump, e.g. pg_dump --format=custom --file=orders.dump "$DATABASE_URL"';

const COUNTED = ['orders', 'jobs', 'forms', 'events'] as const satisfies readonly (keyof ImportCounts)[];

/**
 * `migrate --from-sqlite DATA_DIR`: copies the shop's orders, jobs and forms from its SQLite
 * database into PostgreSQL at `url` (see `PostgresEngine.importStore`), with the bot on that folder
 * stopped (its lock is taken: a bot still delivering from SQLite would send again what the copy
 * leaves pending). Prints each count, source against copied, and a verdict; 1 on a mismatch.
 */
async function migrate(url: string, from: string): Promise<number> {
  const source = openDatabase(from, { mustExist: true });
  let lock: ReturnType<typeof lockDataDir> | undefined;
  try {
    try {
      lock = lockDataDir(from);
    } catch (error) {
      const code = sqliteCode((error as Error).cause);
      if (code === 5 || code === 6)
        throw new StoreError(
          `migrate: a bot is running on ${resolve(from)}: stop it first (it would go on taking and delivering orders the copy does not have)`,
        );
      throw error;
    }
    // Read a page at a time with `all()`: an SQLite iterator kept open across the awaits of the
    // copy crashed the process (SIGSEGV, @photostructure/sqlite 2.6.0).
    const pages = async function* (table: 'orders' | 'jobs' | 'order_events') {
      const page = source.prepare(`SELECT * FROM ${table} WHERE id > ? ORDER BY id LIMIT 500`);
      for (let after = 0; ; ) {
        const rows = page.all(after) as Record<string, unknown>[];
        yield* rows;
        if (rows.length < 500) return;
        after = Number(rows.at(-1)?.id);
      }
    };
    const count = (table: string) =>
      Number((source.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    const counts: ImportCounts = {
      orders: count('orders'),
      jobs: count('jobs'),
      forms: count('forms'),
      events: count('order_events'),
    };
    const storeId = String(
      (source.prepare(`SELECT value FROM meta WHERE key = 'store_id'`).get() as { value: string }).value,
    );
    const engine = await openPostgres(url);
    try {
      console.log(
        `Copying ${resolve(from, 'orders.db')} (store ${storeId}) into PostgreSQL at ${hostOf(url)}.`,
      );
      const report = await engine.importStore({
        storeId,
        counts,
        forms: source.prepare('SELECT * FROM forms ORDER BY created_at, id').all() as Record<
          string,
          unknown
        >[],
        orders: pages('orders'),
        jobs: pages('jobs'),
        events: pages('order_events'),
      });
      const copiedWhen = report.outcome === 'already' ? ` (copied ${when(report.at)})` : '';
      for (const kind of COUNTED)
        console.log(
          `${`${kind}:`.padEnd(7)} ${counts[kind]} in SQLite, ${report.copied[kind]} in PostgreSQL${copiedWhen}`,
        );
      const same = COUNTED.every((kind) => counts[kind] === report.copied[kind]);
      switch (report.outcome) {
        case 'copied': {
          const ids = report.keptIds
            ? 'under the same order IDs'
            : 'under new order IDs (the database held orders already; `list` shows them)';
          const storeIdKept = report.keptStoreId
            ? ', and the store ID (email Message-IDs stay the same)'
            : '';
          console.log(
            `Copied: the counts match, ${ids}${storeIdKept}. Start the bot with DATABASE_URL set, and keep ${resolve(from)} as it is until you are sure.`,
          );
          return 0;
        }
        case 'mismatch':
          console.log('Not copied: the counts differ, so nothing was written (PostgreSQL is as it was).');
          return 1;
        case 'already':
          if (same) {
            console.log(`Already copied ${when(report.at)}: nothing copied this time.`);
            return 0;
          }
          console.log(
            `Already copied ${when(report.at)}, but the SQLite database has changed since: what it holds now is not all in PostgreSQL (a store is copied once).`,
          );
          return 1;
        default: {
          const unreachable: never = report;
          throw new Error(`unknown import outcome ${JSON.stringify(unreachable)}`);
        }
      }
    } finally {
      await engine.close();
    }
  } finally {
    lock?.release();
    source.close();
  }
}

/** The change `status` asks for, or a line saying why it cannot be made. */
function cliChange(
  order: StoredOrder,
  to: LifecycleStatus,
  values: { tracking?: string | undefined; 'tracking-url'?: string | undefined; reason?: string | undefined },
): StatusChange | string {
  if (!canMove(order.lifecycle, to)) {
    return `Order #${order.id} is ${order.lifecycle}; it cannot become ${to} (received -> accepted -> shipped -> delivered; cancelled from any status before delivered).`;
  }
  const change: StatusChange = { orderId: order.id, from: order.lifecycle, to, actor: 'cli', at: Date.now() };
  const tracking = values.tracking?.trim();
  const trackingUrl = values['tracking-url']?.trim();
  const reason = values.reason?.trim();
  if ((tracking || trackingUrl) && to !== 'shipped') return '--tracking and --tracking-url go with shipped.';
  if (tracking) change.trackingNumber = tracking.slice(0, LIMITS.trackingNumber);
  if (trackingUrl) {
    if (!isHttpUrl(trackingUrl) || trackingUrl.length > LIMITS.trackingUrl)
      return '--tracking-url: expected a web address starting with http:// or https://';
    change.trackingUrl = trackingUrl;
  }
  if (to === 'cancelled') {
    if (!reason) return 'cancelled: add --reason "…" (the customer reads it).';
    change.reason = reason.slice(0, LIMITS.reason);
  } else if (reason) {
    change.note = reason.slice(0, LIMITS.reason);
  }
  return change;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      before: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'boolean' },
      failed: { type: 'boolean' },
      'from-sqlite': { type: 'string' },
      tracking: { type: 'string' },
      'tracking-url': { type: 'string' },
      reason: { type: 'string' },
    },
  });
  loadDotEnv();
  const env = readToolEnv();
  // Refused before connecting: PostgreSQL has its own tool.
  if (command === 'backup' && env.databaseUrl) throw new UsageError(BACKUP_ON_POSTGRES);
  if (command === 'migrate') {
    const from = values['from-sqlite'];
    if (!from)
      throw new UsageError('migrate: --from-sqlite DATA_DIR is required (the SQLite data folder to copy)');
    if (!env.databaseUrl)
      throw new UsageError('migrate: set DATABASE_URL to the PostgreSQL database to copy the orders into');
    return await migrate(env.databaseUrl, from);
  }
  const engine = await openEngine(env);
  const { orders, jobs } = engine;
  let loaded: OrderForm | undefined;
  const current = () => {
    loaded ??= currentForm(env.configDir);
    return loaded;
  };
  try {
    switch (command) {
      case 'list': {
        const limit = values.limit === undefined ? 50 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new UsageError('--limit: expected a positive number');
        const filter: OrderFilter = { limit };
        const since = day(values.since, '--since');
        Object.assign(filter, status(values.status));
        if (since !== undefined) filter.since = since;
        const found = await orders.list(filter);
        if (found.length === 0) {
          console.log('No orders match.');
          return 0;
        }
        console.log(
          [
            'id'.padEnd(7),
            'created'.padEnd(16),
            'status'.padEnd(9),
            'delivery',
            'order number'.padEnd(20),
            'email'.padEnd(32),
            'product',
          ].join('  '),
        );
        for (const order of found) console.log(listLine(order));
        if (found.some((order) => listStatus(order) === 'capped'))
          console.log(
            '(capped: the order was taken, but a cap kept its confirmation email back; show <id> says which)',
          );
        if (found.length === limit) console.log(`(the newest ${limit}; --limit shows more)`);
        return 0;
      }
      case 'show': {
        const id = orderId(positionals[0]);
        const order = await orders.get(id);
        if (!order) {
          console.error(`No order #${id}.`);
          return 1;
        }
        console.log(
          `Order #${order.id}: ${order.lifecycle}, created ${when(order.createdAt)}; delivery ${order.status}`,
        );
        if (order.trackingNumber || order.trackingUrl)
          console.log(`  Tracking: ${[order.trackingNumber, order.trackingUrl].filter(Boolean).join('  ')}`);
        if (order.emailRefused)
          console.log(`  No confirmation email: refused by a cap (${order.emailRefused}).`);
        if (order.purgedAt !== null) console.log(`Personal data removed ${when(order.purgedAt)}.`);
        console.log(`  Discord user ${order.userId || '-'} in server ${order.guildId ?? '-'}`);
        console.log(`  Email: ${order.email || '-'}`);
        // The fields of the form the order was taken under, then any other key it holds.
        const definition = order.formId === null ? undefined : await orders.formDefinition(order.formId);
        const form = formOfOrder(order.formId, current(), () => definition);
        const rows = form.fields.map((field) => ({
          label: field.label,
          value: shownValue(field, order.fields[field.key] ?? ''),
        }));
        for (const [key, value] of Object.entries(order.fields)) {
          if (!form.fields.some((field) => field.key === key)) rows.push({ label: key, value });
        }
        const width = Math.max(0, ...rows.map((row) => row.label.length)) + 1;
        for (const row of rows) {
          const value = row.value.replace(/\r?\n/g, `\n  ${' '.repeat(width + 1)}`);
          console.log(`  ${`${row.label}:`.padEnd(width)} ${value}`);
        }
        console.log('Delivery:');
        for (const job of await orders.jobsOf(order.id)) {
          const why =
            job.reason && job.status !== 'done'
              ? ` (${job.reason}${job.detail ? `: ${job.detail}` : ''})`
              : '';
          console.log(
            `  ${job.kind.padEnd(16)} ${job.status.padEnd(7)} after ${job.attempts} attempt(s)${why}`,
          );
        }
        const history = await orders.history(order.id);
        console.log(history.length === 0 ? 'History: received, no change since.' : 'History:');
        for (const event of history) {
          const extra = [
            event.trackingNumber ? `tracking ${event.trackingNumber}` : '',
            event.trackingUrl ?? '',
            event.reason ? `reason: ${oneLine(event.reason, 200)}` : '',
            event.note ? `note: ${oneLine(event.note, 200)}` : '',
          ].filter(Boolean);
          console.log(
            `  ${when(event.at)}  ${event.from} -> ${event.to}  by ${actorOf(event.actor)}${extra.length ? `  (${extra.join('; ')})` : ''}`,
          );
        }
        return 0;
      }
      case 'status': {
        const id = orderId(positionals[0]);
        const to = positionals[1];
        if (!to || !isLifecycleStatus(to) || to === 'received')
          throw new UsageError(
            `status: expected accepted, shipped, delivered or cancelled after the order ID, got ${JSON.stringify(to ?? '')}`,
          );
        const order = await orders.get(id);
        if (!order || order.purgedAt !== null) {
          console.error(`No order #${id}.`);
          return 1;
        }
        const change = cliChange(order, to, values);
        if (typeof change === 'string') {
          console.error(change);
          return 1;
        }
        const { config } = loadConfigFiles(env.configDir);
        const result = await orders.changeStatus(
          change,
          changeJobs({ config, mailEnabled: env.senderEmail !== undefined }),
        );
        if (!result.ok) {
          console.error(
            result.reason === 'missing'
              ? `No order #${id}.`
              : `Order #${id} changed meanwhile: it is ${result.order.lifecycle} now. Nothing was changed.`,
          );
          return 1;
        }
        console.log(
          `Order #${id}: ${change.from} -> ${to}. ${result.jobs.length} notification(s) queued; the running bot sends them within seconds.`,
        );
        return 0;
      }
      case 'export': {
        if (!values.csv) throw new UsageError('export: add --csv (the only format)');
        const filter: OrderFilter = {};
        const since = day(values.since, '--since');
        Object.assign(filter, status(values.status));
        if (since !== undefined) filter.since = since;
        const stored = await orders.forms();
        const definitions = new Map(stored.map((form) => [form.id, form.definition]));
        const columns = exportColumns(
          current(),
          stored.map((form) => formOfOrder(form.id, current(), (key) => definitions.get(key))),
        );
        if (!values.out) {
          const write = (text: string) =>
            process.stdout.write(text)
              ? Promise.resolve()
              : new Promise<void>((done) => process.stdout.once('drain', () => done()));
          await write(CSV_BOM + csvHeader(columns));
          for await (const order of orders.each(filter)) await write(csvLine(order, columns));
          return 0;
        }
        const target = resolve(values.out);
        let count = 0;
        const file = await createNewFile('export', target);
        await completeOrRemove('export', target, async () => {
          try {
            // Lines gathered into writes of about 64 KiB: few system calls, little memory.
            let pending = CSV_BOM + csvHeader(columns);
            for await (const order of orders.each(filter)) {
              pending += csvLine(order, columns);
              count++;
              if (pending.length >= 65_536) {
                await writeAll(file, pending);
                pending = '';
              }
            }
            await writeAll(file, pending);
            // Some file systems report a full disk only when the data is flushed.
            await file.sync();
          } catch (error) {
            await file.close().catch(() => undefined);
            throw error;
          }
          await file.close();
        });
        console.log(`Wrote ${count} order(s) to ${target}.`);
        return 0;
      }
      case 'retry': {
        const now = Date.now();
        if (values.failed) {
          console.log(
            `${await jobs.retryAllFailed(now)} failed delivery job(s) will be tried again by the running bot.`,
          );
          return 0;
        }
        const id = orderId(positionals[0]);
        if (!(await orders.get(id))) {
          console.error(`No order #${id}.`);
          return 1;
        }
        const count = await jobs.retryOrder(id, now);
        console.log(
          count === 0
            ? `Order #${id} has no failed delivery to retry.`
            : `Order #${id}: ${count} failed delivery job(s) will be tried again by the running bot (or at its next start).`,
        );
        return 0;
      }
      case 'purge': {
        const before = day(values.before, '--before');
        if (before === undefined) throw new UsageError('purge: --before YYYY-MM-DD is required');
        // SQLite's purge also rewrites the file (VACUUM) so no copy of the data is left in it.
        const count = await orders.purge(before, Date.now());
        console.log(`Removed the personal data of ${count} order(s) created before ${values.before}.`);
        return 0;
      }
      case 'backup': {
        const file = positionals[0];
        if (!file) throw new UsageError('backup: name the file to write, e.g. backup orders-2026-11-24.db');
        if (engine.name !== 'sqlite') throw new UsageError(BACKUP_ON_POSTGRES);
        const target = resolve(file);
        const { database } = engine;
        // The file is made here, new and private; SQLite then fills the empty file it finds and
        // keeps its mode. A failed copy is removed, so it does not block the next try.
        const empty = await createNewFile('backup', target);
        await completeOrRemove('backup', target, async () => {
          await empty.close();
          await backup(database, target);
        });
        console.log(
          `Backed up to ${target}. Restore: stop the bot, copy it to DATA_DIR/orders.db, start the bot.`,
        );
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    }
  } finally {
    await engine.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  const known =
    error instanceof UsageError ||
    error instanceof FileError ||
    error instanceof DatabaseError ||
    error instanceof StoreError ||
    error instanceof ConfigError ||
    String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  console.error(known ? (error as Error).message : String(error));
  process.exitCode = 1;
}
