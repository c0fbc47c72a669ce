// Bundles the bot and its CLIs with esbuild: one self-contained ESM file each, so production
// never loads TypeScript tooling and parses one file instead of hundreds of modules.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const cliEntries = readdirSync('src/cli')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `src/cli/${file}`);

/** Stand-in for undici: @discordjs/rest imports it at the top level, but the bot injects its own
 * `makeRequest` (node:http with a keep-alive agent), so the real undici (~1 MB of JS) is dead weight.
 * The stand-ins never touch `globalThis.FormData` or `globalThis.Headers`: reading either makes
 * Node 20 load its own internal copy of undici, which costs 12 MB of resident memory (measured:
 * `node -e "globalThis.Headers"` 51.2 MB against 39.2 MB for an empty script). */
const undiciShim = {
  name: 'undici-shim',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici-shim', namespace: 'shim' }));
    b.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({
      contents: `
        const unbundled = () => { throw new Error('undici is not bundled: the bot sends no files and passes makeRequest to REST'); };
        export class FormData { constructor() { unbundled(); } }
        export class Headers { constructor() { unbundled(); } }
        export class Agent { constructor() {} }
        export const request = unbundled;
        export function setGlobalDispatcher() {}
      `,
      loader: 'js',
    }));
    // @discordjs/rest polyfills FormData and Blob on import (`globalThis.FormData ??= ...`); the
    // read alone loads Node's undici. Node 20 has both globals, so the polyfill is dropped.
    b.onLoad({ filter: /@discordjs[\\/]rest[\\/]dist[\\/]index\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const polyfill = /^globalThis\.FormData \?\?= \w+;$/m;
      if (!polyfill.test(source))
        throw new Error(`${args.path}: the FormData polyfill line moved; update build.mjs`);
      return { contents: source.replace(polyfill, ''), loader: 'js' };
    });
    // pg asks whether it runs in a Cloudflare Worker by constructing a global `Response`; on Node 20
    // that read alone loads Node's internal undici: 54.3 MB resident after `import('pg')` against
    // 42 MB without it (measured with process.memoryUsage().rss). The bot runs on Node, never there.
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const probe = "if (typeof Response === 'function') {";
      if (!source.includes(probe))
        throw new Error(`${args.path}: pg's Cloudflare probe moved; update build.mjs`);
      return { contents: source.replace(probe, 'if (false) {'), loader: 'js' };
    });
    // node-redis adds its ~960 command methods one by one to a new class's prototype when a client
    // is created; V8 keeps a prototype in fast mode and copies its growing descriptor array on
    // every addition, so createClient() allocated 20.6 MB of garbage (sampled with the inspector's
    // heap profiler) and left the bot's RSS 13 MB higher until a major GC. An added-then-deleted
    // property puts the prototype in dictionary mode first: the same methods, 0.4 MB (measured in
    // a loop of 960 methods: heap 3.5 -> 7.1 MB fast, 3.5 -> 3.9 MB dictionary). Calls are not
    // slower in a way the bot can see: it calls a handful of script methods per interaction.
    b.onLoad({ filter: /[\\/]@redis[\\/]client[\\/]dist[\\/]lib[\\/]commander\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const loop = 'for (const [name, command] of Object.entries(commands)) {';
      if (!source.includes(loop))
        throw new Error(`${args.path}: attachConfig's command loop moved; update build.mjs`);
      return {
        contents: source.replace(
          loop,
          `Class.prototype.__dictionaryMode = 0; delete Class.prototype.__dictionaryMode;\n    ${loop}`,
        ),
        loader: 'js',
      };
    });
  },
};

// A clean folder: chunk names carry content hashes, so an old build's chunks would pile up.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: {
    bot: 'src/main.ts',
    ...Object.fromEntries(cliEntries.map((e) => [`cli/${e.slice(8, -3)}`, e])),
  },
  outdir: 'dist',
  bundle: true,
  // Shared code and what is loaded on demand (the PostgreSQL and Redis clients, imported only when
  // DATABASE_URL or REDIS_URL is set) go to chunks: a bot on SQLite never parses them.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Optional native accelerators of ws and @discordjs/ws: loaded only when installed. The SQLite
  // binding finds its native binary relative to its own package, so it stays in node_modules.
  external: ['bufferutil', 'utf-8-validate', 'zlib-sync', '@photostructure/sqlite'],
  plugins: [undiciShim],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});

/**
 * dist/main.js checks the Node version before anything else is loaded (static imports of the
 * bundle would run first), then loads the bot. An older Node gets one line, not a stack trace.
 */
const entry = (bundle) => `// Built by scripts/build.mjs: checks the Node version, then loads ${bundle}.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(\`This bot needs Node.js 20.12 or newer; this is \${process.version}. Install a newer Node (https://nodejs.org, or your distribution's nodejs 20+ package) and try again.\\n\`);
  process.exit(1);
}
await import('./${bundle}');
`;
writeFileSync('dist/main.js', entry('bot.js'));
