/**
 * The fake Discord holds the bot to Discord's own OpenAPI description: a request that does not
 * conform is answered 400 and recorded, and closing the fake then fails the test that used it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from '../src/commands.ts';
import { startFakeDiscord } from './support/fake-discord.ts';

test('nonconforming requests are refused and reported; conforming ones pass, with the one tolerated quirk', async () => {
  const discord = await startFakeDiscord();
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${discord.apiUrl}/v10${path}`, {
      method,
      headers: { Authorization: `Bot ${discord.token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = await call('PUT', `/applications/${discord.applicationId}/commands`, COMMANDS);
  assert.equal(ok.status, 200, 'the commands (with default_member_permissions as digits) conform');
  assert.equal((await call('POST', '/channels/300000000000000001/messages', { content: 7 })).status, 400);
  assert.equal((await call('GET', '/channels/300000000000000001/messages?color=red')).status, 400);
  assert.equal((await call('POST', '/no/such/route', {})).status, 400);
  assert.equal(discord.specChecked, 4);
  assert.equal(discord.specViolations.length, 3);
  assert.match(discord.specViolations.join('\n'), /POST \/channels\/\{channel_id\}\/messages: body/);
  assert.match(discord.specViolations.join('\n'), /unknown query parameter color/);
  assert.match(discord.specViolations.join('\n'), /no such route/);
  await assert.rejects(discord.close(), /3 request\(s\) did not conform to Discord's OpenAPI description/);
});
