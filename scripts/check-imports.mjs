// `npm run check:imports`: proves the layering of src/ from its imports, read with the TypeScript
// compiler's own parser (type-only imports count too). Fails on an import that runs back up the
// layer list, on any import cycle, and on a dependency-free room that imports a feature.
//
// Layers, top to bottom (a module may import only its own folder or a lower layer):
//   main.ts, cli/          composition and command-line tools
//   ops/                   the operations snapshot and what /healthz makes of it
//   handlers/              one file per command, modal step or button
//   order/                 the order feature
//   router/                generic routing; knows no feature
//   gateway/               the websocket
//   discord/               HTTP transport to Discord
//   mail/                  template, transport (retries belong to the outbox)
//   store/                 sessions, limits, orders
//   leaves                 clock, config, log, metrics, errors, health, commands, email-address, faults, trace, version,
//                          i18n/ (the message catalogs and the language choice)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve('src');
const LAYERS = [
  ['main.ts', 'cli/'],
  ['ops/'],
  ['handlers/'],
  ['order/'],
  ['router/'],
  ['gateway/'],
  ['discord/'],
  ['mail/'],
  ['store/'],
  [
    'clock.ts',
    'config.ts',
    'log.ts',
    'metrics.ts',
    'errors.ts',
    'health.ts',
    'commands.ts',
    'email-address.ts',
    'faults.ts',
    'trace.ts',
    'version.ts',
    'i18n/',
  ],
];
/** Rooms that must stay generic: they may not import these, whatever the layer order says. */
const FORBIDDEN = {
  'router/': ['handlers/', 'order/', 'mail/', 'store/', 'gateway/'],
  'gateway/': ['handlers/', 'order/', 'mail/', 'store/', 'router/'],
  'discord/': ['handlers/', 'order/', 'mail/', 'store/', 'router/', 'gateway/'],
  'mail/': ['handlers/', 'order/', 'store/', 'router/', 'gateway/', 'discord/'],
  'store/': ['handlers/', 'order/', 'mail/', 'router/', 'gateway/', 'discord/'],
};

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const rel = (path) => relative(SRC, path).replaceAll('\\', '/');
const roomOf = (file) => (file.includes('/') ? `${file.slice(0, file.indexOf('/'))}/` : file);
const layerOf = (file) => {
  const room = roomOf(file);
  const index = LAYERS.findIndex((layer) => layer.includes(room));
  if (index < 0) throw new Error(`src/${file}: not in any layer of scripts/check-imports.mjs; add it`);
  return index;
};

const graph = new Map();
for (const path of files(SRC)) {
  const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
  const targets = info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => rel(resolve(dirname(path), name)))
    // Data files outside src/ (package.json, the shipped config) are not modules of the layers.
    .filter((target) => !target.startsWith('..'));
  graph.set(rel(path), targets);
}

const problems = [];
for (const [from, targets] of graph) {
  for (const to of targets) {
    if (!graph.has(to)) {
      problems.push(`src/${from} imports src/${to}, which does not exist`);
      continue;
    }
    const [a, b] = [roomOf(from), roomOf(to)];
    if ((FORBIDDEN[a] ?? []).includes(b))
      problems.push(`src/${from} -> src/${to}: ${a} must not import ${b}`);
    else if (a !== b && layerOf(to) < layerOf(from)) {
      problems.push(`src/${from} -> src/${to}: runs back up (${b} is above ${a})`);
    }
  }
}

// Cycles: depth-first search with colours; report each cycle once.
const state = new Map();
const stack = [];
const visit = (node) => {
  state.set(node, 'open');
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!graph.has(next)) continue;
    if (state.get(next) === 'open') {
      problems.push(
        `cycle: ${[...stack.slice(stack.indexOf(next)), next].map((f) => `src/${f}`).join(' -> ')}`,
      );
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(node, 'done');
};
for (const node of graph.keys()) if (!state.has(node)) visit(node);

if (problems.length > 0) {
  console.error(`check:imports: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exit(1);
}
const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
console.log(`check:imports: ${graph.size} modules, ${edges} imports, every one points down; no cycles.`);
