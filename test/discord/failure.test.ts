/**
 * describeDiscordFailure: one line per failure, from @discordjs/rest's errors, the interaction
 * API's errors, and real timeouts and refused connections.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { DiscordAPIError, HTTPError, REST } from '@discordjs/rest';
import { DMS_CLOSED, describeDiscordFailure, discordCodeOf } from '../../src/discord/failure.ts';
import { createHttpClient, RequestTimeoutError } from '../../src/discord/http-client.ts';
import { createInteractionApi, DiscordRequestError } from '../../src/discord/interactions.ts';

const API = 'http://127.0.0.1:5/api';
const apiError = (status: number, raw: Record<string, unknown>, method: string, path: string) =>
  new DiscordAPIError(
    raw as never,
    (raw.code as number | undefined) ?? (undefined as never),
    status,
    method,
    `${API}/v10${path}`,
    {},
  );

/** A server that accepts requests and never answers. */
async function silentServer(): Promise<{ url: string; close(): void }> {
  const server = http.createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('describeDiscordFailure', () => {
  test('401: the route, and reset the token', () => {
    const line = describeDiscordFailure(
      apiError(401, { message: '401: Unauthorized', code: 0 }, 'GET', '/gateway/bot'),
    );
    assert.equal(
      line,
      'Discord answered GET /gateway/bot with 401 Unauthorized: DISCORD_BOT_TOKEN was rejected; reset the token in the developer portal (Bot -> Reset Token) and update DISCORD_BOT_TOKEN',
    );
  });

  test("403 on a channel: Discord's code and message, and the permissions to give", () => {
    const line = describeDiscordFailure(
      apiError(403, { message: 'Missing Permissions', code: 50013 }, 'POST', '/channels/123/messages'),
    );
    assert.match(
      line,
      /^Discord answered POST \/channels\/123\/messages with 403 Forbidden \(code 50013: Missing Permissions\): .*View Channel, Send Messages and Embed Links/,
    );
  });

  test('50007 on a direct message: the customer closed their DMs, nothing for the owner to fix', () => {
    const error = apiError(
      403,
      { message: 'Cannot send messages to this user', code: 50007 },
      'POST',
      '/channels/456/messages',
    );
    assert.equal(discordCodeOf(error), DMS_CLOSED);
    assert.equal(
      describeDiscordFailure(error),
      'Discord answered POST /channels/456/messages with 403 Forbidden (code 50007: Cannot send messages to this user): the customer does not accept direct messages from this server or from bots (their privacy settings); nothing to fix on your side, and the email still tells them',
    );
    assert.equal(discordCodeOf(new Error('socket hang up')), undefined);
  });

  test('403 on commands: the applications.commands scope', () => {
    const line = describeDiscordFailure(
      apiError(403, { message: 'Missing Access', code: 50001 }, 'PUT', '/applications/1/guilds/2/commands'),
    );
    assert.match(line, /with 403 Forbidden \(code 50001: Missing Access\): .*applications\.commands scope/);
  });

  test('404: a wrong ID or DISCORD_API_URL; a route without IDs blames only the URL', () => {
    const channel = describeDiscordFailure(
      apiError(404, { message: 'Unknown Channel', code: 10003 }, 'POST', '/channels/123/messages'),
      { apiUrl: API },
    );
    assert.match(
      channel,
      /\(code 10003: Unknown Channel\): channel 123 does not exist .*\(orders_channel_id\)/,
    );
    const guild = describeDiscordFailure(
      apiError(404, { message: 'Unknown Guild', code: 10004 }, 'PUT', '/applications/1/guilds/2/commands'),
    );
    assert.match(guild, /\(code 10004: Unknown Guild\): an ID is wrong or no longer exists/);
    assert.match(
      channel,
      /DISCORD_API_URL \(http:\/\/127\.0\.0\.1:5\/api; Discord's is https:\/\/discord\.com\/api\)/,
    );
    // Not JSON (not Discord at all): @discordjs/rest has no code and says "No Description".
    const gateway = describeDiscordFailure(
      new DiscordAPIError(
        new ArrayBuffer(0) as never,
        undefined as never,
        404,
        'GET',
        `${API}/v10/gateway/bot`,
        {},
      ),
      { apiUrl: API },
    );
    assert.equal(
      gateway,
      `Discord answered GET /gateway/bot with 404 Not Found: check DISCORD_API_URL (${API}; Discord's is https://discord.com/api): it does not point at Discord's API`,
    );
  });

  test('Invalid Form Body: the first field Discord names, still one line', () => {
    const error = apiError(
      400,
      {
        message: 'Invalid Form Body',
        code: 50035,
        errors: {
          content: {
            _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }],
          },
        },
      },
      'POST',
      '/channels/123/messages',
    );
    const line = describeDiscordFailure(error);
    assert.doesNotMatch(line, /\n/);
    assert.match(
      line,
      /\(code 50035: Invalid Form Body; content\[BASE_TYPE_MAX_LENGTH\]: Must be 2000 or fewer in length\.\): .*report this line as a bug/,
    );
  });

  test('429 and 5xx: the bot retries; how long Discord asked to wait', () => {
    const limited = describeDiscordFailure(
      apiError(
        429,
        { message: 'You are being rate limited.', code: 0, retry_after: 1.5 },
        'POST',
        '/channels/1/messages',
      ),
    );
    assert.match(
      limited,
      /with 429 Too Many Requests: the bot is being rate limited \(Discord asked to wait 1\.5 s\)/,
    );
    const down = describeDiscordFailure(
      new HTTPError(502, 'Bad Gateway', 'GET', `${API}/v10/gateway/bot`, {}),
    );
    assert.match(
      down,
      /^Discord answered GET \/gateway\/bot with 502 Bad Gateway: a problem on Discord's side/,
    );
    assert.match(down, /discordstatus\.com/);
  });

  test('an interaction route never shows its token, and an expired interaction says so', () => {
    const token = 'aW50ZXJhY3Rpb246c2VjcmV0';
    const line = describeDiscordFailure(
      apiError(
        404,
        { message: 'Unknown Webhook', code: 10015 },
        'PATCH',
        `/webhooks/42/${token}/messages/@original`,
      ),
    );
    assert.ok(!line.includes(token), line);
    assert.match(
      line,
      /^Discord answered PATCH \/webhooks\/42\/:token\/messages\/@original with 404 Not Found/,
    );
    assert.match(line, /the interaction expired/);
    const callback = describeDiscordFailure(
      new DiscordRequestError('POST /interactions/:id/:token/callback', 404, 10062, 'Unknown interaction'),
    );
    assert.match(callback, /\(code 10062: Unknown interaction\): the interaction expired/);
  });

  test('a refused connection names the host and DISCORD_API_URL', async () => {
    const client = createHttpClient();
    const rest = new REST({
      api: 'http://127.0.0.1:9/api',
      retries: 0,
      makeRequest: client.makeRequest,
    }).setToken('t');
    const error = await rest.get('/gateway/bot').catch((caught: unknown) => caught);
    client.destroy();
    const line = describeDiscordFailure(error, {
      apiUrl: 'http://127.0.0.1:9/api',
      route: 'GET /gateway/bot',
    });
    assert.match(
      line,
      /^Cannot reach Discord at http:\/\/127\.0\.0\.1:9\/api \(GET \/gateway\/bot\): connect ECONNREFUSED 127\.0\.0\.1:9: nothing listens there: check DISCORD_API_URL$/,
    );
  });

  test('a timeout is told by its type, through @discordjs/rest and through the interaction API', async () => {
    const server = await silentServer();
    const client = createHttpClient({ timeoutMs: 150 });
    try {
      const rest = new REST({
        api: server.url,
        retries: 0,
        timeout: 5000,
        makeRequest: client.makeRequest,
      }).setToken('t');
      const error = await rest.get('/gateway/bot').catch((caught: unknown) => caught);
      assert.ok(error instanceof RequestTimeoutError, String(error));
      assert.equal(
        describeDiscordFailure(error, { apiUrl: server.url, route: 'GET /gateway/bot' }),
        `Discord at ${server.url} did not answer GET /gateway/bot within 150 ms: check the network, a firewall, or DISCORD_API_URL (Discord's status: https://discordstatus.com)`,
      );
      // An error of another type with the same name is not a timeout.
      const lookalike = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      assert.doesNotMatch(describeDiscordFailure(lookalike), /did not answer/);

      const interactions = createInteractionApi({
        http: client,
        apiUrl: server.url,
        timeoutMs: 100,
        sleep: async () => {},
      });
      const answer = await interactions
        .followUp('42', 'secret-token', { content: 'x' })
        .catch((caught: unknown) => caught);
      assert.ok(answer instanceof DiscordRequestError);
      assert.ok(answer.cause instanceof RequestTimeoutError);
      const line = describeDiscordFailure(answer);
      assert.match(line, /^Discord did not answer POST \/webhooks\/:application_id\/:token within 100 ms/);
      assert.ok(!line.includes('secret-token'));
    } finally {
      client.destroy();
      server.close();
    }
  });

  test('anything else: what failed, in one line', () => {
    assert.equal(
      describeDiscordFailure(new TypeError('bad\nthing'), { route: 'GET /users/@me' }),
      'Discord request GET /users/@me failed: bad; thing',
    );
  });
});
