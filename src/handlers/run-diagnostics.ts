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
import { formatMegabytes, formatUptime, type OpsSnapshot } from '../metrics.ts';
import { formatWait } from '../order/texts.ts';
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
 * Counts with thousands separators (12,345). Not Intl.NumberFormat: creating one pages in ICU data
 * from the Node binary, 6.6 MB of resident memory measured here, for commas.
 */
const number = { format: (n: number) => String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') };

/** What diagnostics says about SMTP: a short classified phrase, never the server's raw reply. */
const SMTP_PROBLEMS: Readonly<Record<MailFailureReason, string>> = {
  auth: 'login refused (check SENDER_EMAIL and SENDER_PASSWORD)',
  tls: 'TLS problem (check smtp_port and smtp_security)',
  config: 'mail settings are invalid (check config.json)',
  unreachable: 'cannot reach the mail server',
  server_busy: 'the mail server is busy; retrying',
  recipient_rejected: 'a recipient was refused',
  message_rejected: 'a message was refused',
  disabled: 'email is switched off',
  unknown: 'unavailable',
};

/** Creates the `/run_diagnostics` handler. */
export function createRunDiagnostics({ snapshot }: DiagnosticsDeps): Command {
  return {
    kind: 'command',
    name: CommandName.RunDiagnostics,
    async run({ interaction, inShop, respond, log }) {
      if (!inShop) {
        // Another server's admins learn nothing about the shop.
        log.warn('diagnostics.foreign_server', {});
        await respond.reply({
          content: "🚫 /run_diagnostics works only in the shop's own Discord server.",
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      if (!canRunDiagnostics(interaction.member?.permissions)) {
        log.warn('diagnostics.denied', {});
        await respond.reply({
          content: '🚫 Access denied: /run_diagnostics needs the Manage Server permission.',
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      const figures = await snapshot();
      const { counters, gateway, outbox, memory, mail } = figures;
      const latency = gateway.latencyMs;
      const oldest = outbox.pending === 0 ? '' : `, oldest waiting ${formatWait(outbox.oldestPendingMs)}`;
      const smtp =
        {
          ok: '✅ connected',
          unchecked: '⏳ not checked yet',
          down: `⚠️ ${SMTP_PROBLEMS[(mail.reason as MailFailureReason | undefined) ?? 'unknown'] ?? SMTP_PROBLEMS.unknown}; orders are still taken`,
          disabled: '⚠️ email is switched off (SENDER_EMAIL is not set)',
        }[mail.smtp] ?? mail.smtp;
      const byStatus = Object.entries(figures.orders?.byStatus ?? {})
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${number.format(n)} ${status}`)
        .join(', ');
      const orders = figures.orders
        ? `${number.format(figures.orders.today)} today, ${number.format(figures.orders.total)} total${byStatus ? ` (${byStatus})` : ''}`
        : `⚠️ the database cannot be read (${figures.storeReadError ?? 'unknown error'})`;
      const paused = outbox.paused ? ' ⚠️ paused: outcomes cannot be written (disk full?)' : '';
      const lines = [
        '**🔧 Bot Diagnostics**',
        '',
        `**Version:** ${VERSION}`,
        ...(gateway.enabled
          ? [
              `**Ping:** ${latency === undefined ? 'not measured yet' : `${Math.round(latency)}ms`}`,
              `**Uptime:** ${formatUptime(figures.uptimeMs / 1000)}`,
              `**Servers:** ${number.format(gateway.guilds)}`,
              `**Users (approximate):** ${number.format(gateway.usersApproximate)}`,
              `**Shards:** ${gateway.shardsReady}/${gateway.shardsTotal} ready`,
            ]
          : [
              `**Gateway:** none on this process (DISCORD_GATEWAY=off: an HTTP interactions replica); ping, servers, users and shards are known to the gateway process only`,
              `**Uptime:** ${formatUptime(figures.uptimeMs / 1000)}`,
            ]),
        `**Memory:** RSS ${formatMegabytes(memory.residentBytes)}, heap ${formatMegabytes(memory.heapUsedBytes)} of ${formatMegabytes(memory.heapTotalBytes)}`,
        `**Active order sessions:** ${number.format(figures.activeSessions)}`,
        `**Orders:** ${orders}`,
        `**Outbox:** ${number.format(outbox.pending)} pending${oldest}, ${number.format(outbox.failed)} failed${outbox.failed ? ' (see `npm run orders -- list --status failed`)' : ''}${paused}`,
        `**Emails since start:** ${number.format(counters.emails_sent)} sent, ${number.format(counters.emails_failed + counters.emails_gave_up)} failed, ${number.format(counters.emails_retried)} retried`,
        `**Notifications since start:** emails ${number.format(counters.notify_email_sent)} sent, ${number.format(counters.notify_email_failed)} failed; DMs ${number.format(counters.notify_dm_sent)} sent, ${number.format(counters.notify_dm_refused)} refused, ${number.format(counters.notify_dm_failed)} failed; webhooks ${number.format(counters.notify_webhook_sent)} sent, ${number.format(counters.notify_webhook_failed)} failed`,
        `**SMTP:** ${smtp}`,
      ];
      await respond.reply({ content: lines.join('\n').slice(0, 2000), flags: MessageFlags.Ephemeral });
    },
  };
}
