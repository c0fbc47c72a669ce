/**
 * The interaction API against a scripted HTTP server: retries, 429 waits, the callback window and
 * the in-flight cap, all over real sockets.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { InteractionResponseType } from 'discord-api-types/v10';
import { createHttpClient } from '../../src/discord/http-client.ts';
import {
  type AnswerEvent,
  AnswerExpiredError,
  createInteractionApi,
  DiscordRequestError,
  SERVER_ERROR_ATTEMPTS,
} from '../../src/discord/interactions.ts';

interface Seen {
  method: string;
  path: string;
  body: unknown;
}
type Answer = { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };

describe('interaction API', () => {
  let server: http.Server;
  let apiUrl: string;
  const seen: Seen[] = [];
  let answers: Answer[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const client = createHttpClient();
  const TOKEN = 'aW50ZXJhY3Rpb246c2VjcmV0LXRva2VuLXZhbHVl';
  const pong = { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'hi' } } as const;

  before(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body: text ? JSON.parse(text) : undefined,
        });
        const answer = answers.shift() ?? { status: 204 };
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        setTimeout(() => {
          concurrent--;
          const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
          res
            .writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers })
            .end(payload);
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  after(() => {
    client.destroy();
    server.close();
  });
  beforeEach(() => {
    seen.length = 0;
    answers = [];
    maxConcurrent = 0;
  });

  /** The API under test, and the events it reported (what the counters are fed). */
  const api = (options: { maxInFlight?: number; callbackWindowMs?: number; queueWindowMs?: number } = {}) => {
    const events: AnswerEvent[] = [];
    const created = createInteractionApi({
      http: client,
      apiUrl,
      ...options,
      onEvent: (event) => events.push(event),
    });
    return Object.assign(created, { events });
  };

  test('sends each route with its method, path and JSON body', async () => {
    const interactions = api();
    await interactions.callback('11', TOKEN, pong);
    await interactions.editOriginal('22', TOKEN, { content: 'edited' });
    await interactions.followUp('22', TOKEN, { content: 'more' });
    assert.deepEqual(seen, [
      { method: 'POST', path: `/api/v10/interactions/11/${TOKEN}/callback`, body: pong },
      {
        method: 'PATCH',
        // discord-api-types' Routes.webhookMessage encodes the "@" (as discord.js sends it too).
        path: `/api/v10/webhooks/22/${TOKEN}/messages/%40original`,
        body: { content: 'edited' },
      },
      { method: 'POST', path: `/api/v10/webhooks/22/${TOKEN}`, body: { content: 'more' } },
    ]);
  });

  test('a 429 is waited out for retry_after and the request sent again', async () => {
    const interactions = api();
    answers = [
      { status: 429, body: { message: 'You are being rate limited.', retry_after: 0.2, global: false } },
    ];
    const started = performance.now();
    await interactions.editOriginal('22', TOKEN, { content: 'x' });
    const waited = performance.now() - started;
    assert.equal(seen.length, 2);
    assert.ok(waited >= 190, `waited ${waited} ms`);
    assert.deepEqual(interactions.events, ['rate_limited']);
  });

  test('5xx answers are retried, then reported without the token', async () => {
    const interactions = api();
    answers = [{ status: 502 }, { status: 204 }];
    await interactions.callback('11', TOKEN, pong);
    assert.equal(seen.length, 2);
    assert.deepEqual(interactions.events, ['retried']);

    answers = Array.from({ length: SERVER_ERROR_ATTEMPTS }, () => ({
      status: 500,
      body: { message: 'Internal', code: 0 },
    }));
    const error = await interactions.callback('11', TOKEN, pong).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DiscordRequestError);
    assert.equal(error.status, 500);
    assert.equal(error.route, 'POST /interactions/:id/:token/callback');
    assert.ok(!error.message.includes(TOKEN));
    assert.ok(!String(error.stack).includes(TOKEN));
  });

  test('a retried callback that Discord calls already acknowledged counts as sent', async () => {
    const interactions = api();
    answers = [{ status: 503 }, { status: 400, body: { message: 'already acknowledged', code: 40060 } }];
    await interactions.callback('11', TOKEN, pong);
    assert.equal(seen.length, 2);
  });

  test('a follow-up is not retried after a 5xx (it may have been posted)', async () => {
    const interactions = api();
    answers = [{ status: 500, body: { message: 'Internal', code: 0 } }];
    await assert.rejects(interactions.followUp('22', TOKEN, { content: 'x' }), DiscordRequestError);
    assert.equal(seen.length, 1);
  });

  test('a 4xx is reported with Discord code and message, not retried', async () => {
    const interactions = api();
    answers = [{ status: 404, body: { message: 'Unknown interaction', code: 10062 } }];
    await assert.rejects(interactions.callback('11', TOKEN, pong), (error: unknown) => {
      assert.ok(error instanceof DiscordRequestError);
      assert.equal(error.code, 10062);
      assert.match(error.message, /404 \(code 10062\) Unknown interaction/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  test('at most maxInFlight requests are open at once; the rest wait in order', async () => {
    const interactions = api({ maxInFlight: 2 });
    answers = Array.from({ length: 6 }, () => ({ status: 204, delayMs: 30 }));
    const sends = Array.from({ length: 6 }, (_, i) =>
      interactions.followUp('22', TOKEN, { content: String(i) }),
    );
    assert.equal(interactions.queued, 4);
    await Promise.all(sends);
    assert.equal(maxConcurrent, 2);
    assert.deepEqual(
      seen.map((s) => (s.body as { content: string }).content),
      ['0', '1', '2', '3', '4', '5'],
    );
    assert.equal(interactions.queued, 0);
  });

  test('a callback that waited past the window is dropped unsent', async () => {
    const interactions = api({ maxInFlight: 1, callbackWindowMs: 100 });
    answers = [{ status: 204, delayMs: 250 }];
    const slow = interactions.editOriginal('22', TOKEN, { content: 'slow' });
    const late = interactions.callback('11', TOKEN, pong, performance.now());
    await assert.rejects(late, AnswerExpiredError);
    await slow;
    assert.equal(seen.length, 1, 'only the edit reached Discord');
    assert.deepEqual(interactions.events, ['expired']);
    // A callback inside its window still goes out.
    await interactions.callback('11', TOKEN, pong, performance.now());
    assert.equal(seen.length, 2);
  });

  test('an edit or follow-up still queued past its window is dropped unsent, so a backlog cannot grow for ever', async () => {
    const interactions = api({ maxInFlight: 1, queueWindowMs: 100 });
    answers = [{ status: 204, delayMs: 250 }];
    const slow = interactions.callback('11', TOKEN, pong);
    const late = interactions.followUp('22', TOKEN, { content: 'late' });
    await assert.rejects(late, AnswerExpiredError);
    await slow;
    assert.equal(seen.length, 1);
    assert.deepEqual(interactions.events, ['expired']);
  });
});
