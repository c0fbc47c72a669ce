/**
 * Running it 24/7: health and metrics endpoints, configuration reload on SIGHUP.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startBot, writeConfigDir } from '../support/bot-process.ts';
import { customer } from '../support/customer.ts';
import { ADMIN_PERMISSIONS, startFakeDiscord } from '../support/fake-discord.ts';

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

describe('health and metrics', () => {
  test('/healthz is 503 before ready and 200 after; /metrics speaks the Prometheus text format', async () => {
    const discord = await startFakeDiscord({ guilds: 4, readyDelayMs: 1500, heartbeatIntervalMs: 200 });
    const bot = startBot({
      env: {
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        CONFIG_DIR: writeConfigDir(),
        HEALTH_PORT: '0',
      },
    });
    try {
      const listening = await bot.waitForLog('health.listening');
      assert.equal(listening.host, '127.0.0.1');
      const base = `http://127.0.0.1:${listening.port}`;
      const before = await get(`${base}/healthz`);
      assert.equal(before.status, 503);
      assert.equal(JSON.parse(before.body).status, 'starting');
      assert.match((await get(`${base}/metrics`)).body, /^orderbot_shards_ready 0$/m);

      await bot.waitForLog('bot.ready');
      const after = await get(`${base}/healthz`);
      assert.equal(after.status, 200);
      assert.deepEqual(
        { ...JSON.parse(after.body), uptime_seconds: 0 },
        {
          status: 'ok',
          shards_ready: 1,
          shards_total: 1,
          guilds: 4,
          smtp: 'disabled',
          store_writes: 'ok',
          outbox: 'running',
          outbox_pending: 0,
          outbox_retrying: 0,
          outbox_failed: 0,
          outbox_oldest_pending_seconds: 0,
          uptime_seconds: 0,
        },
      );

      await customer(discord, { id: '700000000000000001', username: 'a' }).command('ping');
      await customer(discord, {
        id: '700000000000000001',
        username: 'a',
        permissions: ADMIN_PERMISSIONS,
      }).command('run_diagnostics');
      const metrics = await get(`${base}/metrics`);
      assert.equal(metrics.type, 'text/plain; version=0.0.4; charset=utf-8');
      const body = metrics.body;
      for (const line of [
        /^orderbot_shards_ready 1$/m,
        /^orderbot_guilds 4$/m,
        /^orderbot_active_sessions 0$/m,
        /^orderbot_orders_total\{outcome="completed"\} 0$/m,
        /^orderbot_emails_total\{outcome="sent"\} 0$/m,
        /^orderbot_orders_stored 0$/m,
        /^orderbot_orders_by_status\{status="received"\} 0$/m,
        /^orderbot_orders_by_status\{status="shipped"\} 0$/m,
        /^orderbot_notifications_total\{kind="dm",outcome="refused"\} 0$/m,
        /^orderbot_status_changes_total 0$/m,
        /^orderbot_outbox_jobs\{status="pending"\} 0$/m,
        /^orderbot_outbox_oldest_pending_seconds 0$/m,
        /^orderbot_interactions_total 2$/m,
        /^orderbot_answers_total\{outcome="expired"\} 0$/m,
        /^orderbot_answers_queued 0$/m,
        /^orderbot_interaction_duration_ms_bucket\{le="\+Inf"\} 2$/m,
        /^orderbot_interaction_duration_ms_count 2$/m,
        /^process_resident_memory_bytes \d+$/m,
        /^orderbot_uptime_seconds \d/m,
        /^# TYPE orderbot_interaction_duration_ms histogram$/m,
      ]) {
        assert.match(body, line);
      }
      // every sample line is "name{labels} value"
      for (const line of body
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#'))) {
        assert.match(
          line,
          /^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|NaN)$/,
          line,
        );
      }
      assert.equal((await get(`${base}/nope`)).status, 404);
    } finally {
      await bot.stop('SIGKILL');
      await discord.close();
    }
  });

  test('health is off unless HEALTH_PORT is set', async () => {
    const discord = await startFakeDiscord();
    const bot = startBot({
      env: {
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        CONFIG_DIR: writeConfigDir(),
      },
    });
    try {
      await bot.waitForLog('bot.ready');
      assert.ok(!bot.logs.some((l) => l.event === 'health.listening'));
    } finally {
      await bot.stop('SIGKILL');
      await discord.close();
    }
  });
});

describe('SIGHUP reload', () => {
  test('a valid config applies to new interactions; a broken one is rejected and the old one stays', async () => {
    const discord = await startFakeDiscord();
    const dir = writeConfigDir();
    const bot = startBot({
      env: { DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, CONFIG_DIR: dir },
    });
    const user = { id: '700000000000000002', username: 'b' };
    try {
      await bot.waitForLog('bot.ready');
      const open = await customer(discord, user).command('order_form', { email: 'r@example.com' });
      assert.equal(open.callback.type, 9, 'anyone may order at first');

      const configPath = join(dir, 'config.json');
      const original = JSON.parse(readFileSync(configPath, 'utf8'));
      writeFileSync(configPath, JSON.stringify({ ...original, allowed_role_ids: ['800000000000000001'] }));
      bot.child.kill('SIGHUP');
      const reloaded = await bot.waitForLog('config.reloaded');
      assert.match(String(reloaded.note), /secrets from the environment need a restart/);
      const denied = await customer(discord, user).command('order_form', { email: 'r@example.com' });
      assert.match(
        String(denied.callback.data?.content),
        /open to members with the <@&800000000000000001> role/,
      );

      writeFileSync(configPath, JSON.stringify({ ...original, smtp_port: 'abc' }));
      bot.child.kill('SIGHUP');
      const rejected = await bot.waitForLog('config.reload_rejected');
      assert.equal(rejected.reason, `${dir}/config.json: smtp_port: expected an integer 1-65535, got "abc"`);
      const still = await customer(discord, user).command('order_form', { email: 'r@example.com' });
      assert.match(
        String(still.callback.data?.content),
        /<@&800000000000000001>/,
        'the previous valid config stays',
      );
      assert.equal(bot.child.exitCode, null, 'still running');
    } finally {
      await bot.stop('SIGKILL');
      await discord.close();
    }
  });
});
