/**
 * @module handlers/run-diagnostics
 * `/run_diagnostics`: an ephemeral health report for members who can manage the server.
 * Registered with Manage Server as the default permission and checked again here, because a
 * server can override command permissions. Built from the operations snapshot (the figures
 * `/healthz` and `/metrics` show too), no REST call. On a process without a gateway, the gateway's
 * figures are named as unknown here rather than shown as zeros.
 */
import { MessageFlags, PermissionFlagsBits } from 'discord-api-types/v10';
import { CommandName } from '../commands.ts';
import type { MailFailureReason } from '../errors.ts';
import { formatWait, type MessageKey, type Translator } from '../i18n/translate.ts';
import { formatMegabytes, formatUptime, type OpsSnapshot } from '../metrics.ts';
import { statusName } from '../order/texts.ts';
import { LIFECYCLE_STATUSES, type LifecycleStatus } from '../store/engine.ts';
import { VERSION } from '../version.ts';
import type { Command } from './context.ts';

/** What the report reads. */
export interface DiagnosticsDeps {
  /** The operations snapshot (`ops/snapshot.ts`). */
  snapshot: () => Promise<OpsSnapshot>;
}

const ALLOWED = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator;

/** Whether a permissions bit string grants Manage Server or Administrator. */
export function canRunDiagnostics(permissions: string | undefined): boolean {
  if (!permissions) return false;
  try {
    return (BigInt(permissions) & ALLOWED) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Counts with the language's thousands separator (12,345; 12.345). Not Intl.NumberFormat:
 * creating one pages in ICU data from the Node binary, 6.6 MB of resident memory measured here,
 * for commas.
 */
const counter = (t: Translator) => ({
  format: (n: number) => String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, t('thousands_separator')),
});

/** What diagnostics says about SMTP: a short classified phrase, never the server's raw reply. */
const SMTP_PROBLEMS: Readonly<Record<MailFailureReason, MessageKey>> = {
  auth: 'smtp_auth',
  tls: 'smtp_tls',
  config: 'smtp_config',
  unreachable: 'smtp_unreachable',
  server_busy: 'smtp_server_busy',
  recipient_rejected: 'smtp_recipient_rejected',
  message_rejected: 'smtp_message_rejected',
  disabled: 'smtp_disabled',
  unknown: 'smtp_unknown',
};

/** Creates the `/run_diagnostics` handler (in `staff_language`). */
export function createRunDiagnostics({ snapshot }: DiagnosticsDeps): Command {
  return {
    kind: 'command',
    name: CommandName.RunDiagnostics,
    async run({ interaction, inShop, respond, log, staffT: t }) {
      if (!inShop) {
        // Another server's admins learn nothing about the shop.
        log.warn('diagnostics.foreign_server', {});
        await respond.reply({ content: t('diag_foreign'), flags: MessageFlags.Ephemeral });
        return;
      }
      if (!canRunDiagnostics(interaction.member?.permissions)) {
        log.warn('diagnostics.denied', {});
        await respond.reply({ content: t('diag_denied'), flags: MessageFlags.Ephemeral });
        return;
      }
      const number = counter(t);
      const figures = await snapshot();
      const { counters, gateway, outbox, memory, mail } = figures;
      const latency = gateway.latencyMs;
      const oldest =
        outbox.pending === 0 ? '' : t('diag_oldest', { wait: formatWait(t, outbox.oldestPendingMs) });
      const problem =
        SMTP_PROBLEMS[(mail.reason as MailFailureReason | undefined) ?? 'unknown'] ?? 'smtp_unknown';
      const smtp =
        {
          ok: t('diag_smtp_ok'),
          unchecked: t('diag_smtp_unchecked'),
          down: t('diag_smtp_down', { problem: t(problem) }),
          disabled: t('diag_smtp_disabled'),
        }[mail.smtp] ?? mail.smtp;
      const byStatus = Object.entries(figures.orders?.byStatus ?? {})
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${number.format(n)} ${statusLabel(t, status)}`)
        .join(', ');
      const orders = figures.orders
        ? `${t('diag_orders_counts', { today: number.format(figures.orders.today), total: number.format(figures.orders.total) })}${byStatus ? ` (${byStatus})` : ''}`
        : t('diag_db_unreadable', { error: figures.storeReadError ?? 'unknown error' });
      const lines = [
        t('diag_title'),
        '',
        t('diag_version', { version: VERSION }),
        ...(gateway.enabled
          ? [
              t('diag_ping', {
                ping: latency === undefined ? t('diag_ping_unmeasured') : `${Math.round(latency)}ms`,
              }),
              t('diag_uptime', { uptime: formatUptime(figures.uptimeMs / 1000) }),
              t('diag_servers', { count: number.format(gateway.guilds) }),
              t('diag_users', { count: number.format(gateway.usersApproximate) }),
              t('diag_shards', { ready: gateway.shardsReady, total: gateway.shardsTotal }),
            ]
          : [t('diag_gateway_off'), t('diag_uptime', { uptime: formatUptime(figures.uptimeMs / 1000) })]),
        t('diag_memory', {
          rss: formatMegabytes(memory.residentBytes),
          used: formatMegabytes(memory.heapUsedBytes),
          total: formatMegabytes(memory.heapTotalBytes),
        }),
        t('diag_sessions', { count: number.format(figures.activeSessions) }),
        t('diag_orders', { orders }),
        t('diag_outbox', {
          pending: number.format(outbox.pending),
          oldest,
          failed: number.format(outbox.failed),
          hint: outbox.failed ? t('diag_failed_hint') : '',
          paused: outbox.paused ? t('diag_paused') : '',
        }),
        t('diag_emails', {
          sent: number.format(counters.emails_sent),
          failed: number.format(counters.emails_failed + counters.emails_gave_up),
          retried: number.format(counters.emails_retried),
        }),
        t('diag_notifications', {
          emails_sent: number.format(counters.notify_email_sent),
          emails_failed: number.format(counters.notify_email_failed),
          dms_sent: number.format(counters.notify_dm_sent),
          dms_refused: number.format(counters.notify_dm_refused),
          dms_failed: number.format(counters.notify_dm_failed),
          hooks_sent: number.format(counters.notify_webhook_sent),
          hooks_failed: number.format(counters.notify_webhook_failed),
        }),
        t('diag_smtp', { smtp }),
      ];
      await respond.reply({ content: lines.join('\n').slice(0, 2000), flags: MessageFlags.Ephemeral });
    },
  };
}

/** A lifecycle status by name in the staff's language (lower case); another key as it is. */
function statusLabel(t: Translator, status: string): string {
  return (LIFECYCLE_STATUSES as readonly string[]).includes(status)
    ? statusName(t, status as LifecycleStatus).toLowerCase()
    : status;
}
