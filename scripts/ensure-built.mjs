// Builds dist/ when it is missing or older than any source file, so CLIs work on a fresh clone.
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let built = 0;
try {
  built = statSync('dist/main.js').mtimeMs;
} catch {}
if (built < newest('src')) {
  let canBuild = true;
  try {
    await import('esbuild');
  } catch {
    canBuild = false;
  }
  if (canBuild) {
    console.error('Building dist/ ...');
    execSync('node scripts/build.mjs', { stdio: 'inherit' });
  } else if (built === 0) {
    console.error('dist/ is missing and the build tools are not installed: run npm ci && npm run build');
    process.exit(1);
  } else {
    // After `npm prune --omit=dev` the build tools are gone: use the dist/ that is there.
    console.error(
      'Note: src/ is newer than dist/, and the build tools are not installed (npm prune): using dist/ as built. After an upgrade run npm ci && npm run build, then npm prune --omit=dev.',
    );
  }
}
