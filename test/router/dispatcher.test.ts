/**
 * The router and the dispatcher with hand-made handlers, wired to this bot's context and hooks,
 * answering through real REST calls to the fake Discord (no gateway socket needed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIInteraction } from 'discord-api-types/v10';
import { loadConfigFiles } from '../../src/config.ts';
import { createDiscordTransport, type DiscordTransport } from '../../src/discord/rest.ts';
import { APOLOGY, type AppContext, createAppContext } from '../../src/handlers/context.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';
import { EXPIRED } from '../../src/order/texts.ts';
import { createDispatcher } from '../../src/router/dispatcher.ts';
import { createRegistry, createRouter, type Handler } from '../../src/router/router.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.ts';

const user = { id: '100000000000000001', username: 'tester' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('router and dispatcher', () => {
  let discord: FakeDiscord;
  let transport: DiscordTransport;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    discord = await startFakeDiscord();
    transport = createDiscordTransport({ token: discord.token, apiUrl: discord.apiUrl });
  });
  after(async () => {
    transport.destroy();
    await discord.close();
  });

  function dispatcherWith(handlers: Handler<AppContext>[], deferAfterMs = 100) {
    const { config, template } = loadConfigFiles('config/defaults');
    const log = createLogger({
      level: 'debug',
      pretty: false,
      write: (line) => lines.push(JSON.parse(line)),
    });
    const metrics = createMetrics();
    const app = createAppContext({
      interactions: transport.interactions,
      log,
      metrics,
      clock: Date.now,
      settings: () => ({ config, template, form: DEFAULT_FORM }),
      deferAfterMs,
    });
    const router = createRouter({ handlers, notFound: app.notFound, onError: app.onError });
    return {
      metrics,
      dispatcher: createDispatcher({ router, context: app.context, finished: app.finished }),
    };
  }

  const commandInteraction = (name: string) => {
    const interaction = discord.makeInteraction(2, user);
    interaction.data = { id: '1', name, type: 1 };
    return { entry: discord.track(interaction), interaction: interaction as unknown as APIInteraction };
  };

  test('a command is found by name, answered, counted and timed', async () => {
    const { dispatcher, metrics } = dispatcherWith([
      {
        kind: 'command',
        name: 'hello',
        run: ({ respond, userId }) => respond.reply({ content: `hi ${userId}` }),
      },
    ]);
    const { entry, interaction } = commandInteraction('hello');
    assert.equal(await dispatcher.handle(interaction), '/hello');
    assert.equal(entry.callback?.type, 4);
    assert.equal(entry.callback?.data?.content, `hi ${user.id}`, 'ctx.userId is the member');
    assert.equal(metrics.counters.interactions, 1);
    assert.equal(metrics.interactionMs.count, 1);
    const handled = lines.find(
      (l) => l.event === 'interaction.handled' && l.interaction_id === interaction.id,
    );
    assert.equal(handled?.route, '/hello');
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
    await dispatcher.handle(interaction);
    assert.equal(entry.callback?.type, 5, 'deferred');
    assert.equal(entry.callback?.data?.flags, 64);
    assert.equal(entry.edits.length, 1);
    assert.equal(entry.original?.content, 'done at last');
  });

  test('a throwing handler gets a generic ephemeral apology and an error line with stack and interaction id', async () => {
    const { dispatcher, metrics } = dispatcherWith([
      { kind: 'command', name: 'boom', run: async () => Promise.reject(new TypeError('secret internals')) },
    ]);
    const { entry, interaction } = commandInteraction('boom');
    await dispatcher.handle(interaction);
    assert.equal(entry.callback?.data?.content, APOLOGY);
    assert.equal(entry.callback?.data?.flags, 64);
    assert.ok(!JSON.stringify(entry.callback).includes('secret internals'));
    const line = lines.find((l) => l.event === 'interaction.failed' && l.interaction_id === interaction.id);
    assert.ok(line, 'logged');
    assert.match(String((line.error as { stack: string }).stack), /TypeError: secret internals\n\s+at /);
    assert.equal(metrics.counters.interaction_errors, 1);
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
    await dispatcher.handle(interaction);
    assert.equal(entry.callback?.data?.content, 'first part');
    assert.equal(entry.followUps[0]?.content, APOLOGY);
    assert.equal(entry.followUps[0]?.flags, 64);
  });

  test('unknown commands and custom_ids go to notFound: answered and logged, never dropped', async () => {
    const { dispatcher } = dispatcherWith([]);
    const { entry, interaction } = commandInteraction('nope');
    await dispatcher.handle(interaction);
    assert.match(String(entry.callback?.data?.content), /don't know the command \/nope/);
    const button = discord.makeInteraction(3, user);
    button.message = { id: '5', content: 'x', flags: 64 };
    button.data = { custom_id: 'gone:1:abc', component_type: 2 };
    const buttonEntry = discord.track(button);
    await dispatcher.handle(button as unknown as APIInteraction);
    assert.equal(buttonEntry.callback?.data?.content, EXPIRED);
    assert.ok(lines.some((l) => l.event === 'interaction.unknown_custom_id' && l.custom_id === 'gone:1:abc'));
  });

  test('the router alone calls the hooks it is given and knows no feature', async () => {
    const misses: string[] = [];
    const router = createRouter<{ tag: string }>({
      handlers: [],
      notFound: async (ctx, miss) => void misses.push(`${ctx.tag}:${miss.kind}:${miss.key}`),
      onError: async () => assert.fail('no error expected'),
    });
    const interaction = discord.makeInteraction(5, user);
    interaction.data = { custom_id: 'form:3:n', components: [] };
    assert.equal(await router.route(interaction as unknown as APIInteraction, { tag: 't' }), 'modal:form');
    assert.deepEqual(misses, ['t:modal:form:3:n']);
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
    await dispatcher.handle(button as unknown as APIInteraction);
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

  test('beyond maxInFlight running handlers, interactions are refused as busy at once; after close, as closed', async () => {
    const refused: string[] = [];
    let release: () => void = () => {};
    const router = createRouter<Record<string, never>>({
      handlers: [
        { kind: 'command', name: 'wait', run: () => new Promise<void>((resolve) => (release = resolve)) },
      ],
      notFound: async () => {},
      onError: async () => {},
    });
    const dispatcher = createDispatcher({
      router,
      context: () => ({}),
      finished: () => {},
      maxInFlight: 1,
      refused: (interaction, reason) => refused.push(`${interaction.id}:${reason}`),
    });
    const payload = (id: string) =>
      ({
        t: 'INTERACTION_CREATE',
        op: 0,
        s: 1,
        d: { ...discord.makeInteraction(2, user), id, data: { id: '1', name: 'wait', type: 1 } },
      }) as unknown as Parameters<typeof dispatcher.dispatch>[0];
    dispatcher.dispatch(payload('1'));
    dispatcher.dispatch(payload('2'));
    assert.deepEqual(refused, ['2:busy']);
    assert.equal(dispatcher.inFlight, 1);
    release();
    await dispatcher.idle(1000);
    dispatcher.close();
    dispatcher.dispatch(payload('3'));
    assert.deepEqual(refused, ['2:busy', '3:closed']);
  });
});
