/** A local HTTP endpoint standing in for a tenant's compliance system: keeps every delivery it receives. */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../src/services/webhook';
import { waitUntil } from '../support/waiting';

export interface ReceivedWebhook {
  body: { event: string; tenantId: string; deliveryId: string; data: Record<string, unknown> };
  /** Whether the signature header matches an HMAC of `${timestamp}.${body}` with the secret. */
  signatureValid: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  waitFor(predicate: (w: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? '').replace(/^sha256=/, '');
      const timestamp = String(req.headers[TIMESTAMP_HEADER.toLowerCase()] ?? '');
      received.push({ body: JSON.parse(raw), signatureValid: verifyWebhookSignature(secret, timestamp, raw, signature) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/compliance-alerts`,
    received,
    async waitFor(predicate, timeoutMs) {
      let found: ReceivedWebhook | undefined;
      await waitUntil(
        async () => (found = received.find(predicate)) !== undefined,
        `a matching webhook among ${received.length}`,
        timeoutMs,
      );
      return found!;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
