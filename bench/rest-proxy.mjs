/**
 * The REST proxy measured by `npm run bench -- --rest-budget`: @discordjs/proxy 2.x's handler over
 * one @discordjs/rest client (Discord's 50 requests/s, its queues), as its README starts it, on
 * 127.0.0.1. `UPSTREAM` is Discord's API base (`https://discord.com/api`; here the fake's);
 * `REJECT_ON_RATE_LIMIT=1` answers 429 instead of queueing (the discordjs/proxy container's setting).
 * Prints `listening <port>` once it accepts requests.
 */
import { createServer } from 'node:http';
import { proxyRequests } from '@discordjs/proxy';
import { REST } from '@discordjs/rest';

const api = new REST({
  api: process.env.UPSTREAM ?? 'https://discord.com/api',
  ...(process.env.REJECT_ON_RATE_LIMIT === '1' ? { rejectOnRateLimit: () => true, retries: 0 } : {}),
});
const server = createServer(proxyRequests(api));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
