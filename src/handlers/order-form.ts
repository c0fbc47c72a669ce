/**
 * @module handlers/order-form
 * `/order_form email:<address>`: checks the address, who may order and the per-user limits,
 * starts a session and opens the first modal.
 */
import { MessageFlags } from 'discord-api-types/v10';
import { CommandName } from '../commands.ts';
import { normalizeEmailAddress } from '../email-address.ts';
import { cooldownText, dailyLimitText, rolesRequired } from '../order/texts.ts';
import { buildModal } from '../order/ui.ts';
import type { OrderLimits } from '../store/limits.ts';
import type { SessionStore } from '../store/sessions.ts';
import { type Command, openModal } from './context.ts';
import { refuseOutsideShop } from './shop-only.ts';

/** What `/order_form` uses. */
export interface OrderFormDeps {
  sessions: SessionStore;
  limits: OrderLimits;
}

/** Creates the `/order_form` handler. */
export function createOrderForm({ sessions, limits }: OrderFormDeps): Command {
  return {
    kind: 'command',
    name: CommandName.OrderForm,
    async run(ctx) {
      const refused = refuseOutsideShop(ctx);
      if (refused) return refused;
      const { interaction, userId, guildId, respond, config, log, t } = ctx;
      const ephemeral = (content: string) => respond.reply({ content, flags: MessageFlags.Ephemeral });
      if (!userId) return ephemeral(t('unknown_user'));

      const option = interaction.data.options?.find((o) => o.name === 'email');
      const typed = option && 'value' in option && typeof option.value === 'string' ? option.value : '';
      // Normalised (ASCII domain): what the confirmation is sent to and what the customer is shown.
      const email = normalizeEmailAddress(typed);
      if (email === undefined) {
        log.info('order.invalid_email', {});
        return ephemeral(t('invalid_email'));
      }

      const allowed = config.allowed_role_ids;
      if (allowed.length > 0) {
        const roles = interaction.member?.roles ?? [];
        if (!roles.some((role) => allowed.includes(role))) {
          log.info('order.role_denied', {});
          return ephemeral(rolesRequired(t, allowed));
        }
      }

      const limit = await limits.check(userId);
      if (!limit.ok) {
        log.info('order.limited', { reason: limit.reason, retry_after_ms: limit.retryAfterMs });
        return ephemeral(
          limit.reason === 'cooldown'
            ? cooldownText(t, limit.retryAfterMs)
            : dailyLimitText(t, config.daily_order_limit, limit.retryAfterMs),
        );
      }

      // The forms in progress may live on a server that is down (Redis, restarting): the customer
      // is told to try again in a minute, rather than the generic apology for a bug (and the
      // outage is logged as one, not as a failed interaction).
      let started: Awaited<ReturnType<SessionStore['start']>>;
      try {
        started = await sessions.start(userId, email, guildId, ctx.form.id, ctx.language);
      } catch (error) {
        log.error('order.sessions_unavailable', { error });
        return ephemeral(t('forms_unavailable'));
      }
      if (!started.ok) {
        log.warn('order.sessions_full', { active: sessions.size });
        return ephemeral(t('forms_full'));
      }
      if (started.replaced) log.info('order.draft_replaced', {});
      await openModal(ctx, buildModal(t, ctx.form, 1, started.session.nonce));
    },
  };
}
