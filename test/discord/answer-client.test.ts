import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { createAnswerClient } from '../../src/discord/answer-client.ts';
import { testCertificate } from '../support/smtp.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json', 'User-Agent': 'test' };

/** A node:http server on loopback that counts the connections it accepted. */
async function server(handler: http.RequestListener, secure = false) {
  const cert = testCertificate();
  const s = secure
    ? https.createServer({ key: cert.key, cert: cert.cert }, handler)
    : http.createServer(handler);
  let connections = 0;
  s.on(secure ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    server: s,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}

/** A raw TCP server that answers every request with `reply` (exact bytes), for malformed answers. */
async function rawServer(reply: string | Buffer, then: 'keep' | 'end' = 'keep') {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => {
      socket.write(reply);
      if (then === 'end') socket.end();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => resolve());
      }),
  };
}

describe('answer client', () => {
  const client = createAnswerClient({ tls: { ca: testCertificate().cert } });
  after(() => client.destroy());

  test('sends the request as node:http would receive it, and reuses one connection for requests in turn', async () => {
    const seen: {
      method: string | undefined;
      url: string | undefined;
      headers: http.IncomingHttpHeaders;
      body: string;
    }[] = [];
    const s = await server((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    let written = 0;
    for (let i = 0; i < 3; i++) {
      const response = await client.send({
        url: `${s.url}/api/v10/interactions/1/tok/callback`,
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ type: 4, data: { content: `Pong ${i} – ✓` } }),
        onWritten: () => written++,
      });
      assert.equal(response.status, 204);
      assert.equal(response.body.length, 0);
    }
    assert.equal(written, 3, 'onWritten is called for every request');
    assert.equal(s.connections, 1, 'one keep-alive connection served all three');
    assert.equal(seen.length, 3);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.url, '/api/v10/interactions/1/tok/callback');
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    assert.equal(seen[0]!.headers.host, new URL(s.url).host);
    assert.equal(
      seen[2]!.body,
      JSON.stringify({ type: 4, data: { content: 'Pong 2 – ✓' } }),
      'UTF-8 body intact',
    );
    assert.equal(Number(seen[2]!.headers['content-length']), Buffer.byteLength(seen[2]!.body));
    await s.close();
  });

  test('an error answer: status, lower-case headers and a Content-Length body', async () => {
    const s = await server((req, res) => {
      req.resume();
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' });
      res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 1.5 }));
    });
    const response = await client.send({
      url: `${s.url}/x`,
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{}',
    });
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '2');
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), {
      message: 'You are being rate limited.',
      retry_after: 1.5,
    });
    await s.close();
  });

  test('a chunked body, in pieces, is put back together', async () => {
    const s = await server((req, res) => {
      req.resume();
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.write('{"code": 50035, ');
      setTimeout(() => res.end('"message": "Invalid Form Body"}'), 5);
    });
    const response = await client.send({
      url: `${s.url}/x`,
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: '{}',
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), {
      code: 50035,
      message: 'Invalid Form Body',
    });
    await s.close();
  });

  test('Connection: close ends the connection; the next request opens a new one', async () => {
    const own = createAnswerClient();
    const s = await server((req, res) => {
      req.resume();
      res.setHeader('Connection', 'close');
      res.statusCode = 204;
      res.end();
    });
    assert.equal((await own.send({ url: `${s.url}/x`, method: 'POST', body: '{}' })).status, 204);
    assert.equal((await own.send({ url: `${s.url}/x`, method: 'POST', body: '{}' })).status, 204);
    assert.equal(s.connections, 2);
    assert.equal(own.connections, 0, 'nothing kept');
    own.destroy();
    await s.close();
  });

  test('an idle connection the server closed is dropped, and the next request still goes through', async () => {
    const own = createAnswerClient();
    const s = await server((req, res) => {
      req.resume();
      res.statusCode = 204;
      res.end(() => setTimeout(() => req.socket.destroy(), 20)); // the server drops it once idle
    });
    assert.equal((await own.send({ url: `${s.url}/x`, method: 'POST', body: '{}' })).status, 204);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(own.connections, 0, 'the closed connection left the pool');
    assert.equal((await own.send({ url: `${s.url}/x`, method: 'POST', body: '{}' })).status, 204);
    assert.equal(s.connections, 2);
    own.destroy();
    await s.close();
  });

  test('requests at once each get a connection of their own and their own answer', async () => {
    const s = await server((req, res) => {
      req.resume();
      setTimeout(() => res.end(req.url), 10);
    });
    const urls = Array.from({ length: 8 }, (_, i) => `/n/${i}`);
    const bodies = await Promise.all(
      urls.map(async (path) => (await client.send({ url: s.url + path, method: 'GET' })).body.toString()),
    );
    assert.deepEqual(bodies, urls);
    assert.equal(s.connections, 8);
    await s.close();
  });

  test('no answer within timeoutMs: rejected, and the connection is not reused', async () => {
    const s = await server(() => {
      // never answers
    });
    await assert.rejects(
      client.send({ url: `${s.url}/slow`, method: 'POST', body: '{}', timeoutMs: 50 }),
      /no response in 50 ms/,
    );
    await s.close();
  });

  test('an interim 1xx answer is skipped; a body without length runs until the server closes', async () => {
    const s = await rawServer(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it',
      'end',
    );
    const response = await client.send({ url: `${s.url}/x`, method: 'POST', body: '{}' });
    assert.equal(response.status, 200);
    assert.equal(response.body.toString(), 'all of it');
    await s.close();
  });

  test('an answer that is not HTTP, or a malformed chunk, fails that request and never the process', async () => {
    for (const reply of [
      'SSH-2.0-OpenSSH_9.2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    ]) {
      const s = await rawServer(reply);
      await assert.rejects(client.send({ url: `${s.url}/x`, method: 'POST', body: '{}' }), Error, reply);
      await s.close();
    }
    const closed = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', 'end');
    await assert.rejects(
      client.send({ url: `${closed.url}/x`, method: 'POST', body: '{}' }),
      /closed before the response/,
    );
    await closed.close();
  });

  test('line breaks in a header or the path are refused before anything is sent', async () => {
    await assert.rejects(
      client.send({ url: 'http://127.0.0.1:9/x', method: 'POST', headers: { 'X-A': 'b\r\nInjected: 1' } }),
      /refusing header/,
    );
    await assert.rejects(
      client.send({ url: 'http://127.0.0.1:9/x\r\nInjected: 1', method: 'GET' }),
      /refusing/,
    );
  });

  test('https: the certificate is checked, and a trusted one works with keep-alive', async () => {
    const s = await server((req, res) => {
      req.resume();
      res.statusCode = 204;
      res.end();
    }, true);
    assert.equal((await client.send({ url: `${s.url}/x`, method: 'POST', body: '{}' })).status, 204);
    assert.equal((await client.send({ url: `${s.url}/x`, method: 'POST', body: '{}' })).status, 204);
    assert.equal(s.connections, 1);
    const untrusting = createAnswerClient();
    await assert.rejects(
      untrusting.send({ url: `${s.url}/x`, method: 'POST', body: '{}' }),
      /self.signed|certificate/i,
    );
    untrusting.destroy();
    await s.close();
  });
});
