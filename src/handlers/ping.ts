/**
 * @module handlers/ping
 * `/ping`: a public `Pong! Latency: <n>ms` from the gateway heartbeat.
 */
import { CommandName } from '../commands.ts';
import type { GatewayStatus } from '../gateway/status.ts';
import type { Command } from './context.ts';

/** Creates the `/ping` handler. */
export function createPing(deps: { gateway: Pick<GatewayStatus, 'latencyMs'> }): Command {
  return {
    kind: 'command',
    name: CommandName.Ping,
    async run({ respond }) {
      const latency = deps.gateway.latencyMs();
      await respond.reply({
        content:
          latency === undefined
            ? 'Pong! Latency: not measured yet (the first gateway heartbeat has not completed; try again in a minute).'
            : `Pong! Latency: ${Math.round(latency)}ms`,
      });
    },
  };
}
