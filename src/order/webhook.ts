/**
 * @module order/webhook
 * The shop's webhook: the JSON body of an event, its signature (HMAC-SHA256 of the raw body with
 * `WEBHOOK_SECRET`, sent as `X-Signature-256: sha256=<hex>`), and one POST through `node:http` /
 * `node:https` (not the global `fetch`, whose first use loads undici: about 12 MB more resident).
 * Retries and at-least-once belong to the outbox.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { StoredOrder } from '../store/engine.ts';
import type { WebhookPayload } from './lifecycle.ts';

/** The signature header's value for `body` (the exact bytes sent). */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The JSON body of a webhook delivery (the same on every try: built from the payload and the order). */
export function webhookBody(payload: WebhookPayload, order: StoredOrder, reference: string): string {
  const change = payload.change;
  const status = change ? change.to : 'received';
  return JSON.stringify({
    event: payload.event,
    delivery_id: payload.delivery_id,
    at: new Date(payload.at).toISOString(),
    order: {
      id: order.id,
      reference,
      status,
      fields: order.fields,
      email: order.email,
      discord_user_id: order.userId,
      discord_server_id: order.guildId,
      created_at: new Date(order.createdAt).toISOString(),
      ...(status === 'shipped' && change
        ? { tracking_number: change.tracking_number, tracking_url: change.tracking_url }
        : {}),
    },
    ...(change
      ? {
          change: {
            from: change.from,
            to: change.to,
            by: change.by,
            at: new Date(change.at).toISOString(),
            ...(change.reason ? { reason: change.reason } : {}),
            ...(change.note ? { note: change.note } : {}),
          },
        }
      : {}),
  });
}

/** How a POST went: the status the receiver answered, or the network error. */
export type PostResult = { status: number } | { error: string };

/** POSTs `body` to `url` with `headers`, giving up after `timeoutMs`; never rejects. */
export function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: 'webhook_url is not a URL' });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(body)),
          ...headers,
        },
        timeout: timeoutMs,
        agent: false,
      },
      (response) => {
        // The answer's body is not needed: drained, so the socket closes.
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        response.on('error', (error) => resolve({ error: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ? `${error.code}: ${error.message}` : error.message }),
    );
    request.end(body);
  });
}
