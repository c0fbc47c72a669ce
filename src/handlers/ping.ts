/**
 * @module handlers/ping
 * `/ping`: a public `Pong! Latency: <n>ms` from the gateway heartbeat. A process without a gateway
 * (an HTTP interactions replica) has no heartbeat to time: it reports how long the interaction took
 * to reach it instead (from the time in its snowflake ID), and says so.
 */
import { CommandName } from '../commands.ts';
import type { GatewayStatus } from '../gateway/status.ts';
import type { Command } from './context.ts';

/** Discord's epoch (2015-01-01), the zero of the time in a snowflake ID. */
const DISCORD_EPOCH = 1_420_070_400_000;

/** When a snowflake ID was made, in ms since the Unix epoch; undefined for something that is not one. */
export function snowflakeTime(id: string): number | undefined {
  if (!/^\d{1,20}$/.test(id)) return undefined;
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

/** Creates the `/ping` handler. */
export function createPing(deps: { gateway: Pick<GatewayStatus, 'latencyMs' | 'enabled'> }): Command {
  return {
    kind: 'command',
    name: CommandName.Ping,
    async run({ respond, interaction, clock }) {
      if (!deps.gateway.enabled) {
        const made = snowflakeTime(interaction.id);
        const delivery = made === undefined ? undefined : clock() - made;
        // A clock far off Discord's makes the figure meaningless: say so rather than print it.
        const measured = delivery !== undefined && delivery >= 0 && delivery < 60_000;
        await respond.reply({
          content: measured
            ? `Pong! Latency: ${Math.round(delivery)}ms (the time this interaction took to arrive; this process has no gateway connection, so there is no heartbeat to time)`
            : "Pong! Latency: not measured (this process has no gateway connection, and its clock is too far from Discord's to time the interaction's arrival)",
        });
        return;
      }
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
