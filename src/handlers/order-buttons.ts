/**
 * @module handlers/order-buttons
 * The form's buttons: "Continue to …" and "Fix Step N" open a step's modal (prefilled with what
 * the customer typed last), "Cancel" discards the draft. A button of a session that no longer
 * exists answers that the form expired.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { EXPIRED } from '../gateway/dispatcher.ts';
import { isStep } from '../order/fields.ts';
import { buildModal, OrderIds } from '../order/ui.ts';
import type { ComponentHandler } from './types.ts';

/** Opens the modal of a step: `order_open:<step>:<nonce>`. */
export const openStep = {
  kind: 'component',
  prefix: OrderIds.Open,
  async run({ interaction, args, respond, sessions, log }) {
    const step = Number(args[0]);
    const userId = interaction.member?.user.id ?? interaction.user?.id ?? '';
    const session = isStep(step) ? sessions.get(userId, args[1] ?? '') : undefined;
    if (!session || !isStep(step)) {
      log.info('order.stale_button', { step: args[0] });
      return respond.reply({ content: EXPIRED, flags: MessageFlags.Ephemeral });
    }
    // Steps are taken in order; a button for a later step than the draft has reached is stale.
    const firstMissing = ([1, 2, 3] as const).find((s) => !session.accepted[s]) ?? 3;
    if (step > firstMissing) {
      return respond.reply({ content: EXPIRED, flags: MessageFlags.Ephemeral });
    }
    await respond.modal(buildModal(step, session.nonce, session.drafts[step] ?? session.accepted[step]));
  },
} satisfies ComponentHandler;

/** Cancels the draft: `order_cancel:<nonce>`. */
export const cancelOrder = {
  kind: 'component',
  prefix: OrderIds.Cancel,
  async run({ interaction, args, respond, sessions, stats, log }) {
    const userId = interaction.member?.user.id ?? interaction.user?.id ?? '';
    const session = sessions.get(userId, args[0] ?? '');
    if (!session) return respond.update({ content: EXPIRED, components: [], embeds: [] });
    sessions.end(userId, 'cancelled');
    stats.counters.orders_cancelled++;
    log.info('order.cancelled', {});
    await respond.update({
      content: '🗑️ Order cancelled. Nothing was sent. Run /order_form whenever you want to start again.',
      components: [],
      embeds: [],
    });
  },
} satisfies ComponentHandler;
