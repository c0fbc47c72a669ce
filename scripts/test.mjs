// Runs every test file under test/ on node:test through tsx. Node 20 has no --test glob, so the
// files are listed here. `npm test -- <file>...` runs only the named files; options go to node's
// test runner, e.g. `npm test -- --test-name-pattern="daily cap"` runs only tests whose name
// matches (the others are reported as skipped and never run). `npm test -- --engine=postgres` (or
// ORDERBOT_TEST_ENGINE=postgres) runs every bot on PostgreSQL and Redis instead of SQLite: one
// server of each is started here for the whole run (see test/support/bot-process.ts).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the suites need from the machine beyond npm: libfaketime (Debian's `faketime`), PostgreSQL
 * and redis-server. Installed here as root with apt-get (said in one line each), else one line
 * names what to install.
 */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
/** What the suites start themselves: Debian's package, and a file that shows it is installed. */
const NEEDED = [
  { pkg: 'faketime', file: LIBFAKETIME, why: "sets the bot's clock back in the reliability suite" },
  { pkg: 'redis-server', file: '/usr/bin/redis-server', why: 'holds forms in progress in the engine suites' },
  {
    pkg: 'postgresql',
    file: '/usr/lib/postgresql',
    why: 'holds orders in the engine suites',
  },
];
const missing = NEEDED.filter((need) => !existsSync(need.file));
if (missing.length > 0) {
  const names = missing.map((need) => need.pkg);
  const root = process.getuid?.() === 0;
  const aptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !aptGet) {
    console.error(`The tests need Debian's ${names.join(', ')}: apt-get install ${names.join(' ')}`);
    process.exit(1);
  }
  for (const need of missing)
    console.log(`Installing ${need.pkg} (it ${need.why}): apt-get install -y ${need.pkg}`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'] };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], quiet).status;
  let status = install();
  if (status !== 0) {
    spawnSync('apt-get', ['update'], quiet);
    status = install();
  }
  if (status !== 0 || missing.some((need) => !existsSync(need.file))) {
    console.error(
      `Could not install ${names.join(', ')}: run apt-get install ${names.join(' ')}, then npm test again.`,
    );
    process.exit(1);
  }
}

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'support' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * Files that load the whole machine: run on their own, first, so they cannot slow the other
 * suites' answers past Discord's 3 seconds. The rest run two files at a time.
 */
const SOLO = new Set([join('test', 'e2e', 'capacity.test.ts')]);

/**
 * The longest files, longest first (seconds each, run alone on 2 cores): node's runner takes files
 * in the order given, so the long ones start early and the short ones fill in beside them, and
 * the two workers finish together instead of one waiting out a long file started last. One swap:
 * order-flow before durability, so that order-flow (200 customers at once) is over before
 * hardening (100 at once) starts, and the two never load the machine together. Files not listed
 * follow in name order.
 */
const LONGEST_FIRST = [
  'e2e/cluster.test.ts', // 24 (PostgreSQL, Redis and up to three bots)
  'store/postgres.test.ts', // 15
  'e2e/orders-cli-postgres.test.ts', // 10
  'e2e/http-cluster.test.ts', // 7 (PostgreSQL, Redis, two replicas and a gateway process)
  'e2e/reliability.test.ts', // 9.2
  'e2e/order-flow.test.ts', // 7.4
  'e2e/durability.test.ts', // 8.9
  'e2e/hardening.test.ts', // 6.6
  'e2e/setup.test.ts', // 4.6
  'e2e/foundation.test.ts', // 4.1
  'e2e/operations.test.ts', // 3.5
  'e2e/demo.test.ts', // 3.4
  'mail/smtp-mistakes.test.ts', // 3.3
  'e2e/orders-cli.test.ts', // 3.1
  'e2e/cli.test.ts', // 2.5
  'mail/smtp.test.ts', // 2.5
  'discord/interactions.test.ts', // 2.4
  'e2e/form.test.ts', // 2.1
].map((file) => join('test', file));
const rank = (file) => {
  const index = LONGEST_FIRST.indexOf(join(file));
  return index < 0 ? LONGEST_FIRST.length : index;
};

const args = process.argv.slice(2);
const engineFlag = args.find((arg) => arg.startsWith('--engine='));
const engine = engineFlag
  ? engineFlag.slice('--engine='.length)
  : (process.env.ORDERBOT_TEST_ENGINE ?? 'sqlite');
if (engine !== 'sqlite' && engine !== 'postgres') {
  console.error(`--engine=${engine}: expected sqlite or postgres`);
  process.exit(1);
}
const flags = args.filter((arg) => arg.startsWith('-') && arg !== engineFlag);
const named = args.filter((arg) => !arg.startsWith('-'));
const files = (named.length > 0 ? named : findTests('test').sort()).sort((a, b) => rank(a) - rank(b));

/** The engine's servers for the run, and what the test processes are told of them. */
const env = { ...process.env, NODE_ENV: 'test', ORDERBOT_TEST_ENGINE: engine };
const servers = [];
if (engine === 'postgres') {
  // The test support is TypeScript: loaded through tsx, as the tests are.
  const { tsImport } = await import('tsx/esm/api');
  const { startPostgres } = await tsImport('../test/support/postgres.ts', import.meta.url);
  const { startRedis } = await tsImport('../test/support/redis.ts', import.meta.url);
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  servers.push(postgres, redis);
  env.ORDERBOT_TEST_DATABASE_ADMIN_URL = postgres.url;
  env.ORDERBOT_TEST_REDIS_URL = redis.url;
  console.log(`Bots on PostgreSQL (${postgres.url}) and Redis (${redis.url})`);
}
const stopServers = () => Promise.all(servers.splice(0).map((server) => server.stop()));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void stopServers().then(() => process.exit(1));
  });
}

// Asynchronous, so this process keeps reading the servers' output while the tests run.
const run = async (list, concurrency) => {
  if (list.length === 0) return 0;
  const child = spawn(
    process.execPath,
    // --test-force-exit: a file whose clean-up failed (a server it started left running) still
    // ends when its tests have, instead of holding the whole run until CI's time limit.
    [
      '--import',
      'tsx',
      '--test',
      '--test-force-exit',
      `--test-concurrency=${concurrency}`,
      ...flags,
      ...list,
    ],
    { stdio: 'inherit', env },
  );
  const [code] = await once(child, 'exit');
  return code ?? 1;
};
let status = 1;
try {
  const solo = await run(
    files.filter((file) => SOLO.has(join(file))),
    1,
  );
  const rest = await run(
    files.filter((file) => !SOLO.has(join(file))),
    2,
  );
  status = solo || rest;
} finally {
  await stopServers();
}
process.exit(status);
