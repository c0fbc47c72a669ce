/**
 * @module order/export
 * Orders as CSV for a spreadsheet: RFC 4180 (every cell quoted, quotes doubled, CRLF between
 * records), UTF-8 with a byte-order mark so spreadsheet programs read it as UTF-8, a header row,
 * one order a line. A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
 * a tab or a carriage return) gets a leading `'`, so hostile input shows as text.
 */
import type { StoredOrder } from '../store/orders.ts';
import { ALL_FIELDS } from './fields.ts';

/** The byte-order mark that makes spreadsheet programs read the file as UTF-8. */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised if a spreadsheet would evaluate it, then quoted. */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const HEADER = [
  'order_id',
  'created_at',
  'status',
  'email',
  'discord_user_id',
  'discord_server_id',
  ...ALL_FIELDS.map((field) => field.key),
  'email_refused_by_cap',
];

/** The header line (with CRLF). */
export function csvHeader(): string {
  return `${HEADER.map(csvCell).join(',')}\r\n`;
}

/** One order's line (with CRLF). */
export function csvLine(order: StoredOrder): string {
  const cells = [
    order.id,
    new Date(order.createdAt).toISOString(),
    order.status,
    order.email,
    order.userId,
    order.guildId,
    ...ALL_FIELDS.map((field) => order.fields[field.key] ?? ''),
    order.emailRefused ?? '',
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}
