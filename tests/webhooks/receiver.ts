/**
 * A real HTTP receiver of webhook deliveries on 127.0.0.1, for the webhook tests (docs/webhooks.md);
 * over TLS with a key and certificate, for the production build, which sends to https only.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string>;
  body: string;
  /** When its body had arrived (ms since the epoch). */
  receivedAt: number;
}

/**
 * A receiver answering each request with the next status of `statuses` (the last one repeats);
 * with `answerWhen`, only once what it gives for the request (numbered from 0) has resolved.
 */
export async function startReceiver(
  statuses: number[],
  port = 0,
  tls?: { key: string; cert: string },
  answerWhen: (request: number) => Promise<void> | void = () => undefined,
): Promise<{ url: string; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const handle: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = received.length;
      received.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      });
      void Promise.resolve(answerWhen(request)).then(() => {
        res.statusCode = statuses[Math.min(request, statuses.length - 1)];
        res.end();
      });
    });
  };
  const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${bound}/hook`,
    port: bound,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
