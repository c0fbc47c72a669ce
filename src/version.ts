/**
 * @module version
 * The bot's version, from package.json (built into the bundle): shown in `bot.starting`,
 * `/run_diagnostics` and `node dist/main.js --version`, and named in CHANGELOG.md.
 */
import pkg from '../package.json' with { type: 'json' };

/** This build's version, e.g. `0.2.0`. */
export const VERSION: string = pkg.version;
