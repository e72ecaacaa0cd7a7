import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Insurflow-Signature';
export const TIMESTAMP_HEADER = 'X-Insurflow-Timestamp';
export const DELIVERY_HEADER = 'X-Insurflow-Delivery';

/** HMAC-SHA256 over `${timestamp}.${body}`, hex: the receiver recomputes it with the shared secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body), 'hex');
  const given = Buffer.from(signature, 'hex');
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

export interface WebhookDelivery {
  url: string;
  secret: string;
  deliveryId: string;
  body: object;
}

export async function postSignedWebhook(delivery: WebhookDelivery, timeoutMs: number): Promise<number> {
  const body = JSON.stringify(delivery.body);
  const timestamp = new Date().toISOString();
  const response = await fetch(delivery.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: `sha256=${signWebhook(delivery.secret, timestamp, body)}`,
      [TIMESTAMP_HEADER]: timestamp,
      [DELIVERY_HEADER]: delivery.deliveryId,
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`webhook ${delivery.url} answered ${response.status}`);
  return response.status;
}
