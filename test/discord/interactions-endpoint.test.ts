import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { APIInteraction } from 'discord-api-types/v10';
import { AnswerExpiredError, type InteractionApi } from '../../src/discord/interactions.ts';
import {
  createHttpAnswers,
  createInteractionsListener,
  type HttpAnswers,
} from '../../src/discord/interactions-endpoint.ts';
import { createResponder } from '../../src/discord/responder.ts';
import { createSignatureVerifier } from '../../src/discord/signature.ts';
import { createLogger } from '../../src/log.ts';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicHex = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url').toString('hex');
const impostor = generateKeyPairSync('ed25519').privateKey;

/** The REST interaction routes, recorded. */
function recordingRest() {
  const calls: { route: string; body: unknown }[] = [];
  const rest: InteractionApi = {
    callback: async (_id, _token, body) => void calls.push({ route: 'callback', body }),
    editOriginal: async (_app, _token, body) => void calls.push({ route: 'edit', body }),
    followUp: async (_app, _token, body) => void calls.push({ route: 'followup', body }),
    queued: 0,
  };
  return { rest, calls };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request to the endpoint. */
function request(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/interactions',
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Headers of a request signed with `key` at `timestamp` (now by default). */
function signedHeaders(body: string | Buffer, key: KeyObject = privateKey, timestamp = now()) {
  return {
    'Content-Type': 'application/json',
    'X-Signature-Timestamp': timestamp,
    'X-Signature-Ed25519': sign(
      null,
      Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]),
      key,
    ).toString('hex'),
  };
}
const now = () => String(Math.floor(Date.now() / 1000));

const interaction = (id: string) =>
  ({
    id,
    application_id: '2',
    token: `token-${id}`,
    type: 2,
    version: 1,
    data: { id: '3', name: 'ping', type: 1 },
  }) as unknown as APIInteraction;

describe('the HTTP interactions endpoint', () => {
  let server: http.Server;
  let port: number;
  let answers: HttpAnswers;
  let calls: ReturnType<typeof recordingRest>['calls'];
  /** What the handler does with each interaction it receives; every interaction received, by id. */
  let behaviour: (ctx: ReturnType<typeof createResponder>) => Promise<void>;
  const received: string[] = [];
  /** The server's side of the newest connection. */
  let lastSocket: Socket | undefined;
  const rejected: string[] = [];

  before(async () => {
    const recording = recordingRest();
    calls = recording.calls;
    answers = createHttpAnswers(recording.rest);
    const listener = createInteractionsListener({
      verifier: createSignatureVerifier(publicHex),
      answers,
      log: createLogger({ level: 'error', write: () => {} }),
      maxBodyBytes: 64 * 1024,
      onRejected: (problem) => rejected.push(problem),
      receive: async (i) => {
        received.push(i.id);
        const respond = createResponder(answers, i, { deferAfterMs: 200 });
        try {
          await behaviour(respond);
        } finally {
          respond.settle();
        }
      },
      fallback: (_req, res) => res.writeHead(200).end('health'),
    });
    server = http.createServer(listener);
    server.on('connection', (socket) => {
      lastSocket = socket;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('bad HTTP gets the right 4xx and reaches no handler: method, path, content type, size, signature', async () => {
    behaviour = async (respond) => respond.reply({ content: 'should not run' });
    const body = JSON.stringify(interaction('10'));
    const big = JSON.stringify({ ...interaction('11'), padding: 'x'.repeat(70 * 1024) });
    const replies = {
      get: await request(port, { method: 'GET' }),
      put: await request(port, { method: 'PUT', headers: signedHeaders(body), body }),
      otherPath: await request(port, { path: '/interactions/x', headers: signedHeaders(body), body }),
      textPlain: await request(port, {
        headers: { ...signedHeaders(body), 'Content-Type': 'text/plain' },
        body,
      }),
      noContentType: await request(port, {
        headers: { 'X-Signature-Ed25519': signedHeaders(body)['X-Signature-Ed25519'] },
        body,
      }),
      tooLarge: await request(port, { headers: signedHeaders(big), body: big }),
      tooLargeChunked: await request(port, {
        headers: { ...signedHeaders(big), 'Transfer-Encoding': 'chunked' },
        body: big,
      }),
      wrongKey: await request(port, { headers: signedHeaders(body, impostor), body }),
      stale: await request(port, {
        headers: signedHeaders(body, privateKey, String(Number(now()) - 301)),
        body,
      }),
      emptyBody: await request(port, { headers: signedHeaders(''), body: '' }),
      missingHeaders: await request(port, { headers: { 'Content-Type': 'application/json' }, body }),
      notJson: await request(port, { headers: signedHeaders('{"type":'), body: '{"type":' }),
      notInteraction: await request(port, { headers: signedHeaders('[1,2]'), body: '[1,2]' }),
      health: await request(port, { method: 'GET', path: '/healthz' }),
    };
    assert.deepEqual(
      Object.fromEntries(Object.entries(replies).map(([name, reply]) => [name, reply.status])),
      {
        get: 405,
        put: 405,
        otherPath: 200,
        textPlain: 415,
        noContentType: 415,
        tooLarge: 401,
        tooLargeChunked: 401,
        wrongKey: 401,
        stale: 401,
        emptyBody: 401,
        missingHeaders: 401,
        notJson: 400,
        notInteraction: 400,
        health: 200,
      },
    );
    assert.equal(replies.get.headers.allow, 'POST');
    assert.deepEqual(received, [], 'no handler ran');
    assert.deepEqual(calls, [], 'no REST call');
    assert.deepEqual(rejected, [
      'too_large',
      'too_large',
      'bad_signature',
      'stale_timestamp',
      'empty_body',
      'missing_signature',
    ]);
  });

  test('PING is answered {"type":1} without a handler', async () => {
    const body = '{"type":1,"id":"1","application_id":"2","token":"t","version":1}';
    const reply = await request(port, { headers: signedHeaders(body), body });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(reply.body), { type: 1 });
    assert.deepEqual(received, []);
  });

  test("the handler's first answer is the HTTP response; a second goes through REST", async () => {
    behaviour = async (respond) => {
      await respond.reply({ content: 'first' });
      await respond.followUp({ content: 'second' });
    };
    const body = JSON.stringify(interaction('20'));
    const reply = await request(port, { headers: signedHeaders(body), body });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), {
      type: 4,
      data: { allowed_mentions: { parse: [] }, content: 'first' },
    });
    assert.deepEqual(received, ['20']);
    await waitUntil(() => calls.length === 1);
    assert.deepEqual(calls, [
      { route: 'followup', body: { allowed_mentions: { parse: [] }, content: 'second' } },
    ]);
    assert.equal(answers.held, 0);
  });

  test('a slow handler: the HTTP response is a defer, and its answer edits it through REST', async () => {
    calls.length = 0;
    let finish = () => {};
    const late = new Promise<void>((resolve) => {
      finish = resolve;
    });
    behaviour = async (respond) => {
      await late;
      await respond.reply({ content: 'late answer' });
    };
    const body = JSON.stringify(interaction('30'));
    const reply = await request(port, { headers: signedHeaders(body), body });
    assert.deepEqual(JSON.parse(reply.body), { type: 5, data: { flags: 64 } });
    assert.deepEqual(calls, [], 'nothing through REST before the handler answers');
    finish();
    await waitUntil(() => calls.length === 1);
    assert.deepEqual(calls, [
      { route: 'edit', body: { allowed_mentions: { parse: [] }, content: 'late answer' } },
    ]);
  });

  test('a client that gave up before the answer (Discord stops waiting after 3 s): the answer fails as expired, nothing throws', async () => {
    let finish = () => {};
    const late = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let outcome: unknown;
    let handled = () => {};
    const done = new Promise<void>((resolve) => {
      handled = resolve;
    });
    behaviour = async (respond) => {
      respond.settle(); // no automatic defer: the answer comes after the client left
      await late;
      await respond.reply({ content: 'too late' }).then(
        () => {
          outcome = 'sent';
        },
        (error: unknown) => {
          outcome = error;
        },
      );
      handled();
    };
    calls.length = 0;
    const body = JSON.stringify(interaction('50'));
    await new Promise<void>((resolve) => {
      const req = http.request({
        agent: false,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/interactions',
        headers: signedHeaders(body),
      });
      req.on('error', () => resolve());
      req.end(body, () => {
        void waitUntil(() => received.includes('50')).then(() => {
          req.destroy();
          resolve();
        });
      });
    });
    await waitUntil(() => answers.held === 1);
    await waitUntil(() => lastSocket?.destroyed === true); // the server has seen the client leave
    finish();
    await done;
    assert.ok(outcome instanceof AnswerExpiredError, String(outcome));
    assert.deepEqual(calls, [], 'not sent through REST either');
    assert.equal(answers.held, 0);
  });

  test('a handler that finishes without answering gets a 500, not a hung request', async () => {
    behaviour = async () => {};
    const body = JSON.stringify(interaction('40'));
    const reply = await request(port, { headers: signedHeaders(body), body });
    assert.equal(reply.status, 500);
    assert.equal(answers.held, 0);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
