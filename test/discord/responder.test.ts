import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AllowedMentionsTypes } from 'discord-api-types/v10';
import type { InteractionApi } from '../../src/discord/interactions.ts';
import { createResponder } from '../../src/discord/responder.ts';

/** The interaction API as the responder sees it: every request recorded, each settled by the test. */
function recordingApi() {
  const calls: { route: string; body: unknown; settle: (error?: Error) => void }[] = [];
  const request = (route: string, body: unknown) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ route, body, settle: (error) => (error ? reject(error) : resolve()) });
    });
  const api: InteractionApi = {
    callback: (_id, _token, body) => request('callback', body),
    editOriginal: (_app, _token, body) => request('edit', body),
    followUp: (_app, _token, body) => request('followup', body),
    get queued() {
      return 0;
    },
  };
  return { api, calls };
}
const target = { id: '1', token: 't', application_id: 'app' };

describe('responder', () => {
  test('the first answer is handed to the API at once, in the same turn, not after a microtask', () => {
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 0 });
    void respond.reply({ content: 'hi' });
    assert.equal(calls.length, 1, 'sent synchronously');
    assert.equal(calls[0]!.route, 'callback');
    assert.equal((calls[0]!.body as { type: number }).type, 4);
    assert.equal(typeof respond.firstResponseMs, 'number');
  });

  test('a second answer waits for the first, then becomes a follow-up (calls never race)', async () => {
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 0 });
    const first = respond.reply({ content: 'one' });
    const second = respond.reply({ content: 'two' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls.length, 1, 'the second is held while the first is on its way');
    calls[0]!.settle();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      calls.map((c) => c.route),
      ['callback', 'followup'],
    );
    calls[1]!.settle();
    await second;
    // Idle again: the next call starts at once.
    void respond.followUp({ content: 'three' });
    assert.equal(calls.length, 3);
  });

  test('a handler still running after deferAfterMs is deferred then, ephemerally; not a moment before', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { api, calls } = recordingApi();
    createResponder(api, target, { deferAfterMs: 2000 });
    t.mock.timers.tick(1999);
    assert.equal(calls.length, 0);
    t.mock.timers.tick(1);
    assert.deepEqual(
      calls.map((call) => [call.route, call.body]),
      [['callback', { type: 5, data: { flags: 64 } }]],
    );
    const visible = recordingApi();
    createResponder(visible.api, target, { deferAfterMs: 10, deferEphemeral: false });
    t.mock.timers.tick(10);
    assert.deepEqual(visible.calls[0]?.body, { type: 5 }, 'deferEphemeral: false');
  });

  test('a failed automatic defer is reported, not thrown', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { api, calls } = recordingApi();
    const errors: unknown[] = [];
    createResponder(api, target, { deferAfterMs: 5, onAutoDeferError: (error) => errors.push(error) });
    t.mock.timers.tick(5);
    calls[0]!.settle(new Error('503'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['503'],
    );
  });

  test('settle() stops the automatic defer; so does an answer sent in time', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 5 });
    respond.settle();
    t.mock.timers.tick(60_000);
    assert.equal(calls.length, 0);
    assert.equal(respond.state, 'pending');
    assert.equal(respond.firstResponseMs, undefined);

    const answered = recordingApi();
    const quick = createResponder(answered.api, target, { deferAfterMs: 5 });
    void quick.reply({ content: 'at once' });
    answered.calls[0]!.settle();
    t.mock.timers.tick(60_000);
    assert.deepEqual(
      answered.calls.map((call) => call.route),
      ['callback'],
      'no defer after the answer',
    );
  });

  test('messages mention no one unless they say so; edits drop the ephemeral flag', async () => {
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 0 });
    const first = respond.reply({ content: 'a', flags: 64 });
    calls[0]!.settle();
    await first;
    assert.ok((respond.firstResponseMs ?? -1) >= 0);
    const second = respond.followUp({
      content: 'b',
      allowed_mentions: { parse: [AllowedMentionsTypes.User] },
    });
    calls[1]!.settle();
    await second;
    const third = respond.editReply({ content: 'c', flags: 64 });
    calls[2]!.settle();
    await third;
    assert.deepEqual(
      calls.map((call) => [call.route, call.body]),
      [
        ['callback', { type: 4, data: { allowed_mentions: { parse: [] }, content: 'a', flags: 64 } }],
        ['followup', { allowed_mentions: { parse: [AllowedMentionsTypes.User] }, content: 'b' }],
        ['edit', { allowed_mentions: { parse: [] }, content: 'c' }],
      ],
    );
  });

  test('a reply made while an automatic defer is on its way edits the deferred message', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 5 });
    t.mock.timers.tick(5);
    assert.equal(calls.length, 1);
    assert.equal((calls[0]!.body as { type: number }).type, 5, 'deferred');
    const reply = respond.reply({ content: 'late' });
    assert.equal(calls.length, 1, 'waits for the defer to be acknowledged');
    calls[0]!.settle();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls[1]!.route, 'edit');
    calls[1]!.settle();
    await reply;
    assert.equal(respond.state, 'replied');
  });

  test('a modal after an answer is refused as a rejected promise, and later calls still run', async () => {
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 0 });
    const reply = respond.reply({ content: 'one' });
    calls[0]!.settle();
    await reply;
    const modal = respond.modal({ custom_id: 'm', title: 'T', components: [] });
    assert.ok(modal instanceof Promise, 'not a synchronous throw');
    await assert.rejects(modal, /A modal can only be the first answer/);
    void respond.followUp({ content: 'still works' });
    assert.equal(calls.at(-1)!.route, 'followup');
  });

  test('a failed first answer rejects, and the responder goes on serving later calls', async () => {
    const { api, calls } = recordingApi();
    const respond = createResponder(api, target, { deferAfterMs: 0 });
    const first = respond.reply({ content: 'one' });
    calls[0]!.settle(new Error('500'));
    await assert.rejects(first, /500/);
    assert.equal(respond.state, 'pending', 'nothing reached Discord');
    void respond.reply({ content: 'again' });
    assert.equal(calls.length, 2, 'the retry starts at once');
    assert.equal(calls[1]!.route, 'callback');
  });
});
