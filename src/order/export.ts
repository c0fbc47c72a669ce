/**
 * @module order/export
 * Orders as CSV for a spreadsheet, a column per field of the shop's form (and of older forms): RFC 4180 (every cell quoted, quotes doubled, CRLF between
 * records), UTF-8 with a byte-order mark so spreadsheet programs read it as UTF-8, a header row,
 * one order a line. A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
 * a tab or a carriage return) gets a leading `'`, so hostile input shows as text. `status` is
 * whether the order's email and staff post went out; `order_status` where the order is in its life
 * (received, accepted, shipped, delivered, cancelled) and `status_changed_at` when that last changed.
 */
import type { StoredOrder } from '../store/orders.ts';
import { shownValue } from './fields.ts';
import type { FormField, OrderForm } from './form.ts';

/** The byte-order mark that makes spreadsheet programs read the file as UTF-8. */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised if a spreadsheet would evaluate it, then quoted. */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** A column of the export: a field key with its form's field (for how its value reads). */
export interface ExportColumn {
  key: string;
  field: FormField | undefined;
}

/**
 * The field columns: every field of the form in force, then those of older forms orders were taken
 * under (each key once, first form's field winning), so an order keeps its own fields.
 */
export function exportColumns(current: OrderForm, older: readonly OrderForm[]): ExportColumn[] {
  const columns: ExportColumn[] = [];
  for (const form of [current, ...older]) {
    for (const field of form.fields) {
      if (!columns.some((column) => column.key === field.key)) columns.push({ key: field.key, field });
    }
  }
  return columns;
}

/** The header line (with CRLF). */
export function csvHeader(columns: readonly ExportColumn[]): string {
  const header = [
    'order_id',
    'created_at',
    'status',
    'email',
    'discord_user_id',
    'discord_server_id',
    ...columns.map((column) => column.key),
    'email_refused_by_cap',
    'order_status',
    'status_changed_at',
  ];
  return `${header.map(csvCell).join(',')}\r\n`;
}

/** One order's line (with CRLF). */
export function csvLine(order: StoredOrder, columns: readonly ExportColumn[]): string {
  const cells = [
    order.id,
    new Date(order.createdAt).toISOString(),
    order.status,
    order.email,
    order.userId,
    order.guildId,
    ...columns.map((column) => shownValue(column.field, order.fields[column.key] ?? '')),
    order.emailRefused ?? '',
    order.lifecycle,
    order.lifecycleAt === null ? '' : new Date(order.lifecycleAt).toISOString(),
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}
