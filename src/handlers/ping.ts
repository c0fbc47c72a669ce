/**
 * @module handlers/ping
 * `/ping`: a public `Pong! Latency: <n>ms` from the gateway heartbeat.
 */
import { CommandName } from '../commands.ts';
import type { CommandHandler } from './types.ts';

export default {
  kind: 'command',
  name: CommandName.Ping,
  async run({ respond, stats }) {
    const latency = stats.gateway.latencyMs();
    await respond.reply({
      content:
        latency === undefined
          ? 'Pong! Latency: not measured yet (the first gateway heartbeat has not completed; try again in a minute).'
          : `Pong! Latency: ${Math.round(latency)}ms`,
    });
  },
} satisfies CommandHandler;
