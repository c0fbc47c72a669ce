/**
 * @module handlers/shop-only
 * The guard of every order interaction: outside the shop's own servers (`allowed_guild_ids`) the
 * customer is told so, and nothing else happens.
 */
import { MessageFlags } from 'discord-api-types/v10';
import type { AppContext } from './context.ts';

/**
 * Outside the shop's servers: answers the customer so, and returns that answer for the handler to
 * return. Inside: returns undefined at once, without a turn of the event loop, so the handler runs
 * straight on to its own answer.
 */
export function refuseOutsideShop(
  ctx: Pick<AppContext, 'inShop' | 'log' | 'respond' | 't'>,
): Promise<void> | undefined {
  if (ctx.inShop) return undefined;
  ctx.log.warn('order.foreign_server', {});
  return ctx.respond.reply({ content: ctx.t('not_this_server'), flags: MessageFlags.Ephemeral });
}
