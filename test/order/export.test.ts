import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell, csvHeader, csvLine, exportColumns } from '../../src/order/export.ts';
import { DEFAULT_FORM } from '../../src/order/form.ts';

const columns = exportColumns(DEFAULT_FORM, []);

test('cells are quoted with doubled quotes; formula starts get a leading quote mark', () => {
  assert.equal(csvCell('plain'), '"plain"');
  assert.equal(csvCell('a, "b"\nc'), '"a, ""b""\nc"');
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    assert.equal(csvCell(`${start}1+1`), `"'${start}1+1"`, JSON.stringify(start));
  }
  assert.equal(csvCell(42), '"42"');
  assert.equal(csvCell(null), '""');
});

test("a line has the header's columns and ends with CRLF", () => {
  const header = csvHeader(columns);
  const line = csvLine(
    {
      id: 7,
      orderNumber: 'ORD-7',
      userId: 'u',
      guildId: null,
      email: 'a@example.com',
      fields: { order_number: 'ORD-7', notes: 'x' },
      status: 'sent',
      lifecycle: 'shipped',
      lifecycleAt: Date.UTC(2026, 10, 25, 9, 30, 0),
      trackingNumber: '1Z999',
      trackingUrl: null,
      createdAt: Date.UTC(2026, 10, 24, 12, 0, 0),
      purgedAt: null,
      emailRefused: null,
      formId: null,
      language: null,
    },
    columns,
  );
  assert.ok(header.endsWith('\r\n') && line.endsWith('\r\n'));
  assert.equal(header.split('","').length, line.split('","').length);
  assert.ok(line.startsWith('"7","2026-11-24T12:00:00.000Z","sent","a@example.com","u","","ORD-7"'));
  assert.ok(header.endsWith('"email_refused_by_cap","order_status","status_changed_at"\r\n'));
  assert.ok(
    line.endsWith('"","shipped","2026-11-25T09:30:00.000Z"\r\n'),
    'the order status and its last change',
  );
});
