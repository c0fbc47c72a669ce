/**
 * `/ping` and `/run_diagnostics` in-process, through the real registry, router and context:
 * who may see the report (Manage Server or Administrator, in the shop's own server), and that it
 * reads the live figures (sessions, orders, outbox, counters) from the operations snapshot.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { createOrderHarness, messageOf, type OrderHarness } from '../support/order-harness.ts';
import { ADMIN_PERMISSIONS, MEMBER_PERMISSIONS, slashCommand } from '../support/recording-discord.ts';

const EPHEMERAL = 64;
const admin = { id: '200000000000000021', permissions: ADMIN_PERMISSIONS };
const manager = { id: '200000000000000022', permissions: String(1n << 5n) }; // Manage Server only
const member = { id: '200000000000000023', permissions: MEMBER_PERMISSIONS };

describe('status commands', () => {
  let h: OrderHarness;
  afterEach(() => h.close());

  test('/ping answers in public with the gateway latency, and says so before the first heartbeat', async () => {
    h = createOrderHarness();
    const [early] = await h.send(slashCommand(member, 'ping'));
    assert.match(String(messageOf(early).content), /^Pong! Latency: not measured yet/);
    h.gateway.latency.set(0, 41.6);
    h.gateway.latency.set(1, 44.4);
    const [answer, ...more] = await h.send(slashCommand(member, 'ping'));
    assert.equal(more.length, 0);
    assert.deepEqual(messageOf(answer), { allowed_mentions: { parse: [] }, content: 'Pong! Latency: 43ms' });
  });

  test('/run_diagnostics refuses a member, ephemerally, and shows nothing', async () => {
    h = createOrderHarness();
    const [answer] = await h.send(slashCommand(member, 'run_diagnostics'));
    assert.deepEqual(messageOf(answer), {
      allowed_mentions: { parse: [] },
      content: '🚫 Access denied: /run_diagnostics needs the Manage Server permission.',
      flags: EPHEMERAL,
    });
  });

  test("/run_diagnostics refuses even an administrator of a server that is not the shop's", async () => {
    h = createOrderHarness({ config: { allowed_guild_ids: ['1300000000000000001'] } });
    const [answer] = await h.send(slashCommand(admin, 'run_diagnostics', {}, '1399999999999999999'));
    assert.match(String(messageOf(answer).content), /works only in the shop's own Discord server/);
    assert.doesNotMatch(String(messageOf(answer).content), /Diagnostics/);
  });

  test('/run_diagnostics shows an administrator or a manager the live figures, ephemerally', async () => {
    h = createOrderHarness({ start: Date.now() });
    await h.send(slashCommand(member, 'order_form', { email: 'a@example.com' })); // one open form
    h.orders.commit(
      {
        orderNumber: 'ORD-1',
        userId: member.id,
        guildId: undefined,
        email: 'a@example.com',
        fields: {},
        createdAt: h.now(),
      },
      [{ kind: 'email' }, { kind: 'staff_post' }],
    );
    h.metrics.count('emails_sent');
    h.gateway.latency.set(0, 12);
    h.advance(90_000);
    for (const user of [admin, manager]) {
      const [answer] = await h.send(slashCommand(user, 'run_diagnostics'));
      const message = messageOf(answer);
      assert.equal(message.flags, EPHEMERAL);
      const lines = String(message.content).split('\n');
      assert.equal(lines[0], '**🔧 Bot Diagnostics**');
      for (const line of [
        '**Ping:** 12ms',
        '**Uptime:** 0d 0h 1m 30s',
        '**Active order sessions:** 1',
        '**Outbox:** 2 pending, oldest waiting 90s, 0 failed',
        '**Emails since start:** 1 sent, 0 failed, 0 retried',
        '**SMTP:** ⏳ not checked yet',
      ]) {
        assert.ok(lines.includes(line), `${line} in:\n${lines.join('\n')}`);
      }
      assert.ok(
        lines.some((line) => /^\*\*Orders:\*\* [01] today, 1 total$/.test(line)),
        lines.join('\n'),
      );
    }
  });
});
