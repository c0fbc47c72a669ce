/**
 * The dispatcher with hand-made handlers, answering through real REST calls to the fake Discord
 * (no gateway socket needed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API } from '@discordjs/core/http-only';
import type { APIInteraction } from 'discord-api-types/v10';
import { loadConfigFiles } from '../../src/config.ts';
import { createGuildCounter, createRest } from '../../src/gateway/connection.ts';
import { APOLOGY, createDispatcher, EXPIRED } from '../../src/gateway/dispatcher.ts';
import type { InteractionApi } from '../../src/gateway/interactions.ts';
import { createRegistry } from '../../src/handlers/registry.ts';
import type { Handler } from '../../src/handlers/types.ts';
import { createLogger } from '../../src/log.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import { createStats } from '../../src/metrics.ts';
import { createOrderLimits } from '../../src/order/limits.ts';
import { createSessionStore } from '../../src/sessions.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';

const user = { id: '100000000000000001', username: 'tester' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('dispatcher', () => {
  let discord: FakeDiscord;
  let destroyRest: () => void;
  let api: API;
  let interactions: InteractionApi;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    discord = await startFakeDiscord();
    const rest = createRest(discord.token, discord.apiUrl);
    destroyRest = rest.destroy;
    api = new API(rest.rest);
    interactions = rest.interactions;
  });
  after(async () => {
    destroyRest();
    await discord.close();
  });

  function dispatcherWith(handlers: Handler[], deferAfterMs = 100) {
    const { config, template } = loadConfigFiles('config');
    const log = createLogger({
      level: 'debug',
      pretty: false,
      write: (line) => lines.push(JSON.parse(line)),
    });
    const guilds = createGuildCounter();
    const stats = createStats({
      latencyMs: () => undefined,
      shardsReady: () => 1,
      shardTotal: () => 1,
      guilds: () => guilds.size,
      users: () => guilds.members,
    });
    return {
      stats,
      dispatcher: createDispatcher({
        registry: createRegistry(handlers),
        api,
        interactions,
        sessions: createSessionStore({ sweepIntervalMs: 0 }),
        limits: createOrderLimits(),
        mailer: createMailer({ transport: undefined, from: undefined, config, log }),
        stats,
        log,
        clock: Date.now,
        settings: () => ({ config, template }),
        deferAfterMs,
      }),
    };
  }

  const commandInteraction = (name: string) => {
    const interaction = discord.makeInteraction(2, user);
    interaction.data = { id: '1', name, type: 1 };
    return { entry: discord.track(interaction), interaction: interaction as unknown as APIInteraction };
  };

  test('a command is found by name and answered', async () => {
    const { dispatcher, stats } = dispatcherWith([
      { kind: 'command', name: 'hello', run: ({ respond }) => respond.reply({ content: 'hi' }) },
    ]);
    const { entry, interaction } = commandInteraction('hello');
    await dispatcher.handleInteraction(interaction);
    assert.equal(entry.callback?.type, 4);
    assert.equal(entry.callback?.data?.content, 'hi');
    assert.equal(stats.counters.interactions, 1);
    assert.equal(stats.interactionMs.count, 1);
  });

  test('a slow handler is deferred automatically and its reply edits the deferred message', async () => {
    const { dispatcher } = dispatcherWith([
      {
        kind: 'command',
        name: 'slow',
        run: async ({ respond }) => {
          await sleep(250);
          await respond.reply({ content: 'done at last' });
        },
      },
    ]);
    const { entry, interaction } = commandInteraction('slow');
    await dispatcher.handleInteraction(interaction);
    assert.equal(entry.callback?.type, 5, 'deferred');
    assert.equal(entry.callback?.data?.flags, 64);
    assert.equal(entry.edits.length, 1);
    assert.equal(entry.original?.content, 'done at last');
  });

  test('a throwing handler gets a generic ephemeral apology and an error line with stack and interaction id', async () => {
    const { dispatcher, stats } = dispatcherWith([
      { kind: 'command', name: 'boom', run: async () => Promise.reject(new TypeError('secret internals')) },
    ]);
    const { entry, interaction } = commandInteraction('boom');
    await dispatcher.handleInteraction(interaction);
    assert.equal(entry.callback?.data?.content, APOLOGY);
    assert.equal(entry.callback?.data?.flags, 64);
    assert.ok(!JSON.stringify(entry.callback).includes('secret internals'));
    const line = lines.find((l) => l.event === 'interaction.failed' && l.interaction_id === interaction.id);
    assert.ok(line, 'logged');
    assert.match(String((line.error as { stack: string }).stack), /TypeError: secret internals\n\s+at /);
    assert.equal(stats.counters.interaction_errors, 1);
  });

  test('a handler that throws after replying gets the apology as a follow-up', async () => {
    const { dispatcher } = dispatcherWith([
      {
        kind: 'command',
        name: 'half',
        run: async ({ respond }) => {
          await respond.reply({ content: 'first part' });
          throw new Error('then failed');
        },
      },
    ]);
    const { entry, interaction } = commandInteraction('half');
    await dispatcher.handleInteraction(interaction);
    assert.equal(entry.callback?.data?.content, 'first part');
    assert.equal(entry.followUps[0]?.content, APOLOGY);
    assert.equal(entry.followUps[0]?.flags, 64);
  });

  test('unknown commands and custom_ids are answered and logged, never dropped', async () => {
    const { dispatcher } = dispatcherWith([]);
    const { entry, interaction } = commandInteraction('nope');
    await dispatcher.handleInteraction(interaction);
    assert.match(String(entry.callback?.data?.content), /don't know the command \/nope/);
    const button = discord.makeInteraction(3, user);
    button.message = { id: '5', content: 'x', flags: 64 };
    button.data = { custom_id: 'gone:1:abc', component_type: 2 };
    const buttonEntry = discord.track(button);
    await dispatcher.handleInteraction(button as unknown as APIInteraction);
    assert.equal(buttonEntry.callback?.data?.content, EXPIRED);
    assert.ok(lines.some((l) => l.event === 'interaction.unknown_custom_id' && l.custom_id === 'gone:1:abc'));
  });

  test('components and modals are found by custom_id prefix, with the rest as args', async () => {
    let seen: readonly string[] = [];
    const { dispatcher } = dispatcherWith([
      {
        kind: 'component',
        prefix: 'pick',
        run: async ({ args, respond }) => {
          seen = args;
          await respond.update({ content: 'picked' });
        },
      },
    ]);
    const button = discord.makeInteraction(3, user);
    button.message = { id: '5', content: 'x', flags: 64 };
    button.data = { custom_id: 'pick:2:nonce', component_type: 2 };
    const entry = discord.track(button);
    await dispatcher.handleInteraction(button as unknown as APIInteraction);
    assert.deepEqual(seen, ['2', 'nonce']);
    assert.equal(entry.callback?.type, 7);
  });

  test('the registry refuses duplicate keys', () => {
    const run = async () => {};
    assert.throws(
      () =>
        createRegistry([
          { kind: 'command', name: 'a', run },
          { kind: 'command', name: 'a', run },
        ]),
      /Duplicate command handler: a/,
    );
    assert.throws(() => createRegistry([{ kind: 'modal', prefix: 'a:b', run }]), /must not contain ":"/);
  });
});
