import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGuildCounter } from '../src/gateway/status.ts';
import {
  COUNTER_NAMES,
  createHistogram,
  createMetrics,
  formatMegabytes,
  formatUptime,
} from '../src/metrics.ts';

test('uptime reads like 2d 14h 32m 18s', () => {
  assert.equal(formatUptime(2 * 86_400 + 14 * 3600 + 32 * 60 + 18.9), '2d 14h 32m 18s');
  assert.equal(formatUptime(0), '0d 0h 0m 0s');
  assert.equal(formatUptime(-5), '0d 0h 0m 0s');
});

test('megabytes with one decimal', () => {
  assert.equal(formatMegabytes(52_428_800), '50.0 MB');
});

test('the histogram is cumulative, Prometheus style', () => {
  const h = createHistogram([1, 10, 100]);
  for (const v of [0.5, 5, 50, 500]) h.observe(v);
  assert.deepEqual(h.counts, [1, 2, 3, 4]);
  assert.equal(h.count, 4);
  assert.equal(h.sum, 555.5);
});

test('guild counter keeps one number per guild and a running member total', () => {
  const guilds = createGuildCounter();
  guilds.set('1', 100);
  guilds.set('2', 50);
  guilds.set('1', 120); // GUILD_CREATE again after an outage
  assert.equal(guilds.size, 2);
  assert.equal(guilds.members, 170);
  guilds.delete('2');
  guilds.delete('3');
  assert.equal(guilds.size, 1);
  assert.equal(guilds.members, 120);
});

test('every counter starts at zero, uses one naming style and counts in one place', () => {
  const metrics = createMetrics(0);
  for (const name of COUNTER_NAMES) {
    assert.equal(metrics.counters[name], 0);
    assert.match(name, /^[a-z]+(_[a-z]+)*$/);
  }
  metrics.count('emails_sent');
  metrics.count('emails_sent', 2);
  assert.equal(metrics.counters.emails_sent, 3);
});
