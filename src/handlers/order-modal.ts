/**
 * @module handlers/order-modal
 * A submitted step: validate, keep what was typed, and either ask for a fix (prefilled retry),
 * offer the next step, or complete the order: summary first (within Discord's 3 seconds), then
 * the staff channel post and the confirmation email, whose outcome is reported afterwards.
 */
import { type APIModalSubmitInteraction, ButtonStyle, MessageFlags } from 'discord-api-types/v10';
import { EXPIRED } from '../gateway/dispatcher.ts';
import type { MessageData } from '../gateway/responder.ts';
import { isStep, type Order, type StepNumber } from '../order/fields.ts';
import {
  continueLabel,
  discordText,
  OrderIds,
  problemsMessage,
  readModalValues,
  staffMessage,
  stepButtons,
  summaryEmbed,
} from '../order/ui.ts';
import { validateStep } from '../order/validate.ts';
import { type OrderSession, toOrder } from '../sessions.ts';
import type { HandlerContext, ModalHandler } from './types.ts';

type Ctx = HandlerContext<APIModalSubmitInteraction>;

export default {
  kind: 'modal',
  prefix: OrderIds.Modal,
  async run(ctx) {
    const { interaction, args, respond, sessions, log } = ctx;
    const step = Number(args[0]);
    const userId = interaction.member?.user.id ?? interaction.user?.id ?? '';
    const session = isStep(step) ? sessions.get(userId, args[1] ?? '') : undefined;
    if (!session || !isStep(step)) {
      log.info('order.stale_modal', { step: args[0] });
      return respond.reply({
        content: `${EXPIRED}\nWhat you typed in this step could not be saved because the form had ended.`,
        flags: MessageFlags.Ephemeral,
      });
    }

    // A modal opened from one of our buttons replaces that message, so the chat stays tidy.
    const answer = (data: MessageData) =>
      interaction.message ? respond.update(data) : respond.reply({ ...data, flags: MessageFlags.Ephemeral });

    const typed = readModalValues(interaction.data);
    const result = validateStep(step, typed);
    if (!result.ok) {
      session.drafts[step] = typed;
      log.info('order.step_invalid', { step, fields: result.problems.map((p) => p.key) });
      return answer({
        content: problemsMessage(step, result.problems),
        components: stepButtons(step, session.nonce, `Fix Step ${step}`, ButtonStyle.Danger),
        embeds: [],
      });
    }

    session.accepted[step] = result.values;
    delete session.drafts[step];
    log.info('order.step_done', { step });
    if (step < 3) {
      const next = (step + 1) as StepNumber;
      const notice = session.replacedEarlier ? '\n(Your earlier unfinished order form was discarded.)' : '';
      session.replacedEarlier = false;
      return answer({
        content: `✅ Step ${step} of 3 complete.${notice}`,
        components: stepButtons(next, session.nonce, continueLabel(next)),
        embeds: [],
      });
    }
    return complete(ctx, session, answer);
  },
} satisfies ModalHandler;

async function complete(
  ctx: Ctx,
  session: OrderSession,
  answer: (data: MessageData) => Promise<void>,
): Promise<void> {
  const { respond, config, sessions, limits, stats, log, interaction } = ctx;
  const order = toOrder(session);
  sessions.end(session.userId, 'completed');
  limits.record(session.userId);
  stats.counters.orders_completed++;
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

  const staffPost = postToStaff(ctx, order, session.userId);
  const outcome = await emailOutcome(ctx, order);
  const tellCustomer = isPublic
    ? respond.followUp({ content: outcome, flags: MessageFlags.Ephemeral })
    : respond.editReply({ content: outcome });
  await Promise.all([
    staffPost,
    tellCustomer.catch((error: unknown) => olog.warn('order.outcome_not_shown', { error })),
  ]);
}

async function postToStaff(ctx: Ctx, order: Order, userId: string): Promise<void> {
  const channelId = ctx.config.orders_channel_id;
  if (!channelId) return;
  try {
    await ctx.api.channels.createMessage(channelId, staffMessage(order, userId));
  } catch (error) {
    // The order is already confirmed to the customer and in the log; staff can look it up there.
    ctx.log.error('order.staff_post_failed', { order_number: order.order_number.slice(0, 60), error });
  }
}

async function emailOutcome(ctx: Ctx, order: Order): Promise<string> {
  const { mailer, config, template, log } = ctx;
  const to = discordText(order.email, 300);
  const received = '✅ Your order was received and the shop has it';
  const queued = mailer.sendConfirmation(order, config, template);
  if (!queued.accepted) {
    log.error('order.email_not_queued', { reason: queued.reason });
    return `${received}, but the confirmation email could not be sent right now (${
      queued.reason === 'full' ? 'too many emails are waiting' : 'email is not available'
    }). The shop will contact you if needed.`;
  }
  const outcome = await queued.done;
  if (outcome.status === 'delivered') return `📧 Confirmation sent to ${to}`;
  if (outcome.status === 'failed' && /recipient/i.test(outcome.reason)) {
    return `${received}, but the mail server refused the address ${to}, so no confirmation email was sent.`;
  }
  return `${received}, but the confirmation email to ${to} could not be sent. The shop will contact you if needed.`;
}
