/**
 * @module clock
 * The bot's clock for waiting: retries, backoff, cooldowns and caps. It reads the wall clock once,
 * at start-up, and then advances with the monotonic clock, so setting the system clock back (or an
 * NTP step) while the bot runs neither holds deliveries up nor tells a customer to wait hours. What
 * a person reads (dates in messages and emails) uses the wall clock itself.
 */

/** Milliseconds since the epoch, as measured from start-up on the monotonic clock. */
export type Clock = () => number;

/** Creates a {@link Clock} anchored to the wall clock now. */
export function createMonotonicClock(): Clock {
  const wallAtStart = Date.now();
  const monotonicAtStart = performance.now();
  return () => wallAtStart + Math.floor(performance.now() - monotonicAtStart);
}
