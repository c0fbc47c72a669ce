/**
 * One bot process's REST, for `npm run bench -- --rest-budget`: the bot's own transport
 * (`createDiscordTransport`, as src/main.ts builds it) in a child process, driven over IPC.
 *
 * Environment: `API_URL` (the fake Discord or the proxy), `TOKEN`, `RPS` (`rest_requests_per_second`;
 * unset: @discordjs/rest's 50). Messages: `{ burst: n }` posts n channel messages at once (one per
 * channel, as n staff posts to n shops would be) and answers when all are done; `{ gets: n }` sends
 * n `GET /users/@me` one after another and answers each one's milliseconds; `{ answer: route }`
 * sends one interaction-token request on the interaction routes' client and answers its milliseconds.
 */
import { Routes } from 'discord-api-types/v10';
import { createDiscordTransport } from '../src/discord/rest.ts';

const transport = createDiscordTransport({
  token: process.env.TOKEN ?? '',
  apiUrl: process.env.API_URL ?? '',
  ...(process.env.RPS ? { globalRequestsPerSecond: Number(process.env.RPS) } : {}),
});
let tooMany = 0;
transport.rest.on('response', (_request, response) => {
  if (response.status === 429) tooMany++;
});

type Message = { burst: number; channelBase: string } | { gets: number } | { answer: string };

process.on('message', (message: Message) => {
  void (async () => {
    if ('burst' in message) {
      tooMany = 0;
      const started = performance.now();
      const base = BigInt(message.channelBase);
      const results = await Promise.allSettled(
        Array.from({ length: message.burst }, (_, i) =>
          transport.rest.post(Routes.channelMessages(String(base + BigInt(i))), {
            body: { content: `Order #${i} received` },
          }),
        ),
      );
      process.send?.({
        ms: performance.now() - started,
        failed: results.filter((r) => r.status === 'rejected').length,
        tooMany,
      });
    } else if ('gets' in message) {
      const ms: number[] = [];
      for (let i = 0; i < message.gets; i++) {
        const started = performance.now();
        await transport.rest.get(Routes.user('@me'));
        ms.push(performance.now() - started);
      }
      process.send?.({ ms });
    } else {
      // An interaction answer as the bot sends it: the same client, outside rest's queue.
      const started = performance.now();
      const status = await transport.interactions
        .editOriginal(process.env.APPLICATION_ID ?? '', message.answer, { content: 'Your order is in.' })
        .then(
          () => 200,
          (error: { status?: number }) => error.status ?? 0,
        );
      process.send?.({ ms: performance.now() - started, status });
    }
  })();
});
process.on('disconnect', () => {
  transport.destroy();
  process.exit(0);
});
process.send?.({ ready: true });
