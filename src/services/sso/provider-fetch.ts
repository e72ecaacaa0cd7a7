/**
 * Every request to a tenant's OpenID provider (discovery, its keys, the token endpoint) goes
 * through the webhooks' address guard (src/services/webhook.ts), as openid-client's `customFetch`:
 * the provider is named by a tenant admin, so it is an address this server is asked to reach like
 * a webhook's. Its name is resolved and checked at connect time, only public unicast addresses are
 * reached unless the deployment allows private networks (WEBHOOK_ALLOW_PRIVATE_NETWORKS, refused in
 * production), https only in production, no redirect followed, and the answer read up to
 * MAX_ANSWER_BYTES.
 */
import http from 'node:http';
import https from 'node:https';
import { checkedLookup, deliveryErrorOf, destinationOf, WebhookDeliveryError, type WebhookGuard } from '../webhook';

/** A discovery document or a key set is a few kilobytes; a provider answering more is cut off. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** What openid-client hands its `customFetch`: fetch's own arguments, its body a form or nothing. */
export interface ProviderRequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

type RequestBody = NonNullable<ConstructorParameters<typeof Request>[1]>['body'];

export type ProviderFetch = (url: string, options: ProviderRequestOptions) => Promise<Response>;

/** The failure category of a request refused by the guard or never answered (WebhookDeliveryError), through any wrapping. */
export function providerFailureOf(err: unknown): WebhookDeliveryError | undefined {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof WebhookDeliveryError) return cause;
  }
  return undefined;
}

/** Bytes of the library's body with the content type fetch would give it (a form for the token endpoint). */
async function encodedBody(url: URL, options: ProviderRequestOptions): Promise<{ body?: Buffer; headers: Record<string, string> }> {
  const request = new Request(url, { method: options.method, headers: options.headers, body: options.body as RequestBody });
  const headers: Record<string, string> = Object.fromEntries(request.headers);
  if (options.body === undefined) return { headers };
  const body = Buffer.from(await request.arrayBuffer());
  return { body, headers: { ...headers, 'content-length': String(body.length) } };
}

function responseOf(answer: http.IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
  }
  const status = answer.statusCode ?? 502;
  // A Response cannot carry a body with these statuses.
  return new Response([204, 205, 304].includes(status) ? null : bytes, { status, headers });
}

export function providerFetch(guard: WebhookGuard): ProviderFetch {
  return async (rawUrl, options) => {
    const url = destinationOf(rawUrl, guard);
    const { body, headers } = await encodedBody(url, options);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const request = client.request(url, { method: options.method, headers, lookup: checkedLookup(guard), signal: options.signal });
      request.on('response', (answer) => {
        const chunks: Buffer[] = [];
        let size = 0;
        answer.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) answer.destroy(new WebhookDeliveryError('unreachable'));
          else chunks.push(chunk);
        });
        answer.on('end', () => resolve(responseOf(answer, Buffer.concat(chunks))));
        answer.on('error', (err) => reject(err instanceof WebhookDeliveryError ? err : new WebhookDeliveryError('unreachable', err)));
      });
      request.on('error', (err) => reject(deliveryErrorOf(err)));
      request.end(body);
    });
  };
}
