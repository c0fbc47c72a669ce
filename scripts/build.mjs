// Bundles the bot and its CLIs with esbuild: one self-contained ESM file each, so production
// never loads TypeScript tooling and parses one file instead of hundreds of modules.
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const cliEntries = readdirSync('src/cli')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `src/cli/${file}`);

/** Stand-in for undici: @discordjs/rest imports it at the top level, but the bot injects its own
 * `makeRequest` (node:http with a keep-alive agent), so the real undici (~1 MB of JS) is dead weight. */
const undiciShim = {
  name: 'undici-shim',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici-shim', namespace: 'shim' }));
    b.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({
      contents: `
        export const FormData = globalThis.FormData;
        export const Headers = globalThis.Headers;
        export class Agent { constructor() {} }
        export function request() { throw new Error('undici is not bundled: pass makeRequest to REST'); }
        export function setGlobalDispatcher() {}
      `,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: {
    main: 'src/main.ts',
    ...Object.fromEntries(cliEntries.map((e) => [`cli/${e.slice(8, -3)}`, e])),
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Optional native accelerators of ws and @discordjs/ws: loaded only when installed.
  external: ['bufferutil', 'utf-8-validate', 'zlib-sync'],
  plugins: [undiciShim],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
