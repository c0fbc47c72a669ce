/**
 * @module faults
 * Crash points for the end-to-end tests that prove no order is lost: when the environment
 * variable `ORDERBOT_CRASH_AT` names a point, the process kills itself there with SIGKILL, as a
 * power cut or an OOM kill would (no handler runs, nothing is flushed). Unset in production,
 * where a crash point costs one string comparison.
 */

const target = process.env.ORDERBOT_CRASH_AT;

/** Kills the process at once when `ORDERBOT_CRASH_AT` equals `name`. */
export function crashPoint(name: string): void {
  if (target === name) process.kill(process.pid, 'SIGKILL');
}
