/**
 * @module handlers/shop-only
 * The guard of every order interaction: outside the shop's own servers (`allowed_guild_ids`) the
 * customer is told so, and nothing else happens.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { NOT_THIS_SERVER } from '../order/texts.ts';
import type { AppContext } from './context.ts';

/** Answers and returns true when the interaction comes from a server that is not the shop's. */
export async function refusedOutsideShop(
  ctx: Pick<AppContext, 'inShop' | 'log' | 'respond'>,
): Promise<boolean> {
  if (ctx.inShop) return false;
  ctx.log.warn('order.foreign_server', {});
  await ctx.respond.reply({ content: NOT_THIS_SERVER, flags: MessageFlags.Ephemeral });
  return true;
}
