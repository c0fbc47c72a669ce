/**
 * How the benchmarks start this bot: as `npm start` does (its malloc settings and Node flags, read
 * from package.json), or with `BENCH_FLAGS` in place of its Node flags, to try others.
 */
import { startCommand } from '../test/support/bot-process.ts';

const npmStart = startCommand();
/** The environment `npm start` sets. */
export const START_ENV = npmStart.env;
/** The Node flags this bot is started with. */
export const START_FLAGS = process.env.BENCH_FLAGS?.split(/\s+/).filter(Boolean) ?? npmStart.flags;
/** The command as a line, for the reports. */
export const START_TEXT = `${Object.entries(START_ENV)
  .map(([name, value]) => `${name}=${value} `)
  .join('')}node ${START_FLAGS.join(' ')}`;
