/**
 * @module handlers/order-modal
 * A submitted step: validate, keep what was typed, and either ask for a fix (prefilled retry),
 * offer the next step, or complete the order: summary first (within Discord's 3 seconds), then
 * the staff channel post and the confirmation email, whose outcome is reported afterwards.
 */
import { type APIModalSubmitInteraction, ButtonStyle, MessageFlags } from 'discord-api-types/v10';
import type { MessageData } from '../discord/responder.ts';
import type { OrderDelivery } from '../order/delivery.ts';
import { isStep, type StepNumber, toOrder } from '../order/fields.ts';
import { EXPIRED } from '../order/texts.ts';
import {
  continueLabel,
  discordText,
  OrderIds,
  problemsMessage,
  readModalValues,
  stepButtons,
  summaryEmbed,
} from '../order/ui.ts';
import { validateStep } from '../order/validate.ts';
import type { OrderLimits } from '../store/limits.ts';
import type { OrderSession, SessionStore } from '../store/sessions.ts';
import type { Ctx, Modal } from './context.ts';

/** What the modal handler uses. */
export interface OrderModalDeps {
  sessions: SessionStore;
  limits: OrderLimits;
  delivery: OrderDelivery;
}

/** Creates the handler of the form's modals: `order_modal:<step>:<nonce>`. */
export function createOrderModal(deps: OrderModalDeps): Modal {
  const { sessions } = deps;
  return {
    kind: 'modal',
    prefix: OrderIds.Modal,
    async run(ctx) {
      const { interaction, userId, args, respond, log } = ctx;
      const step = Number(args[0]);
      const nonce = args[1] ?? '';
      const typed = readModalValues(interaction.data);
      const result = isStep(step) ? validateStep(step, typed) : undefined;
      const session =
        !result || !isStep(step)
          ? undefined
          : result.ok
            ? sessions.accept(userId, nonce, step, result.values)
            : sessions.saveDraft(userId, nonce, step, typed);
      if (!session || !result || !isStep(step)) {
        log.info('order.stale_modal', { step: args[0] });
        return respond.reply({
          content: `${EXPIRED}\nWhat you typed in this step could not be saved because the form had ended.`,
          flags: MessageFlags.Ephemeral,
        });
      }

      // A modal opened from one of our buttons replaces that message, so the chat stays tidy.
      const answer = (data: MessageData) =>
        interaction.message
          ? respond.update(data)
          : respond.reply({ ...data, flags: MessageFlags.Ephemeral });

      if (!result.ok) {
        log.info('order.step_invalid', { step, fields: result.problems.map((p) => p.key) });
        return answer({
          content: problemsMessage(step, result.problems),
          components: stepButtons(step, session.nonce, `Fix Step ${step}`, ButtonStyle.Danger),
          embeds: [],
        });
      }

      log.info('order.step_done', { step });
      if (step < 3) {
        const next = (step + 1) as StepNumber;
        const notice = session.replacedEarlier ? '\n(Your earlier unfinished order form was discarded.)' : '';
        return answer({
          content: `✅ Step ${step} of 3 complete.${notice}`,
          components: stepButtons(next, session.nonce, continueLabel(next)),
          embeds: [],
        });
      }
      return complete(ctx, deps, session, answer);
    },
  };
}

async function complete(
  ctx: Ctx<APIModalSubmitInteraction>,
  deps: OrderModalDeps,
  session: OrderSession,
  answer: (data: MessageData) => Promise<void>,
): Promise<void> {
  const { respond, config, template, log, interaction } = ctx;
  const order = toOrder(session);
  deps.sessions.end(session.userId, 'completed');
  deps.limits.record(session.userId);
  const olog = log.child({ order_number: order.order_number.slice(0, 60) });
  olog.info('order.completed', {});

  const isPublic = config.order_summary === 'public';
  const embed = summaryEmbed(order, !isPublic || config.show_address_publicly);
  const pending = `📧 Sending your confirmation to ${discordText(order.email, 300)}…`;
  if (isPublic) {
    await respond.reply({ embeds: [embed] });
    if (interaction.message) {
      await respond.followUp({ content: pending, flags: MessageFlags.Ephemeral }).catch(() => undefined);
    }
  } else {
    await answer({ content: pending, embeds: [embed], components: [] });
  }

  const staffPost = deps.delivery.postToStaff(order, session.userId, config, olog);
  const outcome = await deps.delivery.sendConfirmation(order, config, template, olog);
  const tellCustomer = isPublic
    ? respond.followUp({ content: outcome, flags: MessageFlags.Ephemeral })
    : respond.editReply({ content: outcome });
  await Promise.all([
    staffPost,
    tellCustomer.catch((error: unknown) => olog.warn('order.outcome_not_shown', { error })),
  ]);
}
