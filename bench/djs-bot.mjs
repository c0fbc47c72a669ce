// The comparison: what a shop would otherwise pick. discord.js v14 with its default caches and the
// Guilds intent, answering the same /ping and opening the same first modal. Reports its memory on
// GET /memory (BENCH_PORT) so the benchmark reads heap figures the same way for both bots.
import http from 'node:http';
import { Client, Events, GatewayIntentBits } from 'discord.js';

const started = Date.now();
const modal = JSON.parse(process.env.BENCH_MODAL ?? '{}');
const client = new Client({
  intents: [GatewayIntentBits.Guilds],
  rest: { api: process.env.DISCORD_API_URL },
});

client.on(Events.InteractionCreate, async (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  try {
    if (interaction.commandName === 'ping')
      await interaction.reply({ content: `Pong! Latency: ${client.ws.ping}ms` });
    else if (interaction.commandName === 'order_form') await interaction.showModal(modal);
  } catch (error) {
    console.error(JSON.stringify({ event: 'interaction.failed', message: String(error) }));
  }
});
client.once(Events.ClientReady, () => {
  console.log(
    JSON.stringify({
      event: 'bot.ready',
      guilds: client.guilds.cache.size,
      startup_ms: Date.now() - started,
    }),
  );
});

http
  .createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(process.memoryUsage()));
  })
  .listen(Number(process.env.BENCH_PORT), '127.0.0.1');

await client.login(process.env.DISCORD_BOT_TOKEN);
