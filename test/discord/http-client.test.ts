/**
 * The one HTTP client (node:http with a keep-alive agent) against a local server: what it sends,
 * connection reuse, the deadline, and what @discordjs/rest reads through `makeRequest`.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpClient, RequestTimeoutError } from '../../src/discord/http-client.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  port: number;
}

describe('http client', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];
  /** What the next request is answered with; `hang` never answers. */
  let next: { status: number; body?: string; headers?: Record<string, string>; hang?: boolean } = {
    status: 204,
  };
  const client = createHttpClient();

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
          port: req.socket.remotePort ?? 0,
        });
        const answer = next;
        next = { status: 204 };
        if (answer.hang) return;
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    client.destroy();
    server.closeAllConnections();
    server.close();
  });

  test('sends method, path, headers and body with its length; requests in turn share one connection', async () => {
    const headers = { 'Content-Type': 'application/json', 'User-Agent': 'DiscordBot (x, 1.0.0)' };
    const body = JSON.stringify({ type: 4, data: { content: 'héllo' } });
    seen.length = 0;
    for (let i = 0; i < 3; i++) {
      const response = await client.send({
        url: `${base}/api/v10/x/${i}?a=1`,
        method: 'POST',
        headers,
        body,
      });
      assert.equal(response.status, 204);
    }
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/api/v10/x/0?a=1', '/api/v10/x/1?a=1', '/api/v10/x/2?a=1'],
    );
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.body, body);
    assert.equal(seen[0]!.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(seen[0]!.headers['user-agent'], 'DiscordBot (x, 1.0.0)');
    assert.equal(new Set(seen.map((s) => s.port)).size, 1, 'one keep-alive connection');
    assert.deepEqual(headers, { 'Content-Type': 'application/json', 'User-Agent': 'DiscordBot (x, 1.0.0)' });
  });

  test('an error answer: status, headers and body as sent', async () => {
    next = { status: 429, body: '{"retry_after":0.5}', headers: { 'Retry-After': '1' } };
    const response = await client.send({ url: `${base}/api/x`, method: 'PATCH', body: '{}' });
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '1');
    assert.equal(response.body.toString(), '{"retry_after":0.5}');
  });

  test('no complete answer within timeoutMs: a RequestTimeoutError naming method and host, never the path', async () => {
    next = { status: 204, hang: true };
    const error = await client
      .send({ url: `${base}/webhooks/1/secret-token`, method: 'POST', body: '{}', timeoutMs: 100 })
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof RequestTimeoutError);
    assert.equal(error.message, 'POST to 127.0.0.1: no response in 100 ms');
    // The next request still goes through (on another connection).
    assert.equal((await client.send({ url: `${base}/ok`, method: 'GET' })).status, 204);
  });

  test('makeRequest: what @discordjs/rest reads (status, ok, headers.get, json) and its deadline', async () => {
    next = { status: 200, body: '{"url":"wss://x"}', headers: { 'Content-Type': 'application/json' } };
    const response = await client.makeRequest(`${base}/api/v10/gateway/bot`, { method: 'GET', headers: {} });
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), { url: 'wss://x' });

    const quick = createHttpClient({ timeoutMs: 80 });
    next = { status: 204, hang: true };
    await assert.rejects(
      quick.makeRequest(`${base}/api/v10/gateway/bot`, { method: 'GET' }),
      RequestTimeoutError,
    );
    quick.destroy();
  });
});
