/**
 * Signed webhooks to addresses a tenant admin chose: the destination is resolved and checked at
 * connect time (so DNS cannot swap a public name for an internal address between a check and the
 * connection), only public unicast addresses are reached, redirects are not followed, and a
 * failure is reported as a category, never as the network's own words (which would make the
 * webhook setting a port scanner).
 */
import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { context, propagation } from '@opentelemetry/api';
import ipaddr from 'ipaddr.js';
import { receiverKey } from '../shared/internal-receivers';

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

export interface WebhookGuard {
  /** Only https destinations (production). */
  httpsOnly?: boolean;
  /** Lets loopback and private destinations through: local receivers in development and tests only. */
  allowPrivateNetworks?: boolean;
  /**
   * The operator's internal receivers (WEBHOOK_ALLOWED_INTERNAL_HOSTS), as receiver keys: an
   * internal address is reached only on exactly such an address and port, whatever name led to it.
   */
  internalReceivers?: readonly string[];
  /** Name resolution; tests substitute one to point a name at a private address. */
  lookup?: LookupFunction;
}

export type WebhookFailureCategory = 'blocked' | 'unreachable' | 'timeout' | 'http 3xx' | 'http 4xx' | 'http 5xx';

/** Its message is the category alone; the network's own error, for logs, is its `cause`. */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';

  constructor(
    readonly category: WebhookFailureCategory,
    cause?: unknown,
  ) {
    super(category, { cause });
  }
}

/**
 * A request's failure as a delivery error: one already (the guard refused the address) as it is, the
 * request's deadline as `timeout`, anything else of the network as `unreachable`.
 */
export function deliveryErrorOf(err: Error): WebhookDeliveryError {
  if (err instanceof WebhookDeliveryError) return err;
  return new WebhookDeliveryError(err.name === 'AbortError' || err.name === 'TimeoutError' ? 'timeout' : 'unreachable', err);
}

/** What may be stored and shown about a failed delivery. */
export function failureCategory(err: unknown): string {
  return err instanceof WebhookDeliveryError ? err.category : 'failed';
}

/**
 * Refuses every address that is not public unicast: loopback, private, link-local, CGNAT,
 * multicast, unspecified, reserved, and IPv6 forms of them (IPv4-mapped, NAT64, unique local),
 * except an internal receiver of the guard's on its own `port` (none without a port).
 */
function assertReachable(address: string, guard: WebhookGuard, port?: number): void {
  if (guard.allowPrivateNetworks) return;
  let range: string;
  try {
    range = ipaddr.process(address).range();
  } catch {
    throw new WebhookDeliveryError('blocked');
  }
  if (range === 'unicast') return;
  if (port !== undefined && guard.internalReceivers?.includes(receiverKey(address, port) ?? '')) return;
  throw new WebhookDeliveryError('blocked');
}

/** The port a URL connects to: its own, or its scheme's. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * Resolves like `dns.lookup` and refuses the connection when any resolved address is refused (also
 * the OpenID provider's requests, src/services/sso/provider-fetch.ts, which give no `port`: the
 * internal receivers are for webhooks alone). `port`: the one the connection is made to.
 */
export function checkedLookup(guard: WebhookGuard, port?: number): LookupFunction {
  const lookup = guard.lookup ?? dns.lookup;
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const resolved = addresses as dns.LookupAddress[];
      try {
        resolved.forEach(({ address }) => assertReachable(address, guard, port));
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, resolved);
      return callback(null, resolved[0].address, resolved[0].family);
    });
  };
}

/** The URL when its scheme and (literal) address pass the guard; WebhookDeliveryError `blocked` otherwise. */
export function destinationOf(rawUrl: string, guard: WebhookGuard): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookDeliveryError('blocked');
  }
  const allowedSchemes = guard.httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!allowedSchemes.includes(url.protocol) || url.username || url.password) throw new WebhookDeliveryError('blocked');
  // A literal address is connected to without any lookup: check it here.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.isValid(host)) assertReachable(host, guard, portOf(url));
  return url;
}

function categoryOfStatus(status: number): WebhookFailureCategory | undefined {
  if (status >= 500) return 'http 5xx';
  if (status >= 400) return 'http 4xx';
  // Redirects are not followed: the next hop could be anywhere.
  if (status >= 300) return 'http 3xx';
  return undefined;
}

/** The guard as configured: https only in production, private networks only where the setting allows them. */
export function webhookGuardOf(config: { env: string; webhookAllowPrivateNetworks: boolean }): WebhookGuard {
  return { httpsOnly: config.env === 'production', allowPrivateNetworks: config.webhookAllowPrivateNetworks };
}

/**
 * The guard of webhook deliveries and their destinations: webhookGuardOf's, and the operator's
 * internal receivers. The OpenID provider's requests keep webhookGuardOf's alone: a receiver named
 * for events is not an identity provider.
 */
export function webhookDeliveryGuardOf(
  config: Parameters<typeof webhookGuardOf>[0] & { webhookAllowedInternalHosts: string[] },
): WebhookGuard {
  return { ...webhookGuardOf(config), internalReceivers: config.webhookAllowedInternalHosts };
}

/** How long a destination's name may take to resolve when it is checked ahead of any delivery. */
const RESOLVE_CHECK_MS = 5000;

/**
 * Checks a destination before it is saved: its scheme, and every address its name resolves to
 * now. Deliveries check again at connect time; this only refuses early what would be refused
 * then. Throws WebhookDeliveryError (`blocked`, or `unreachable` for a name that does not resolve).
 */
export async function checkWebhookDestination(rawUrl: string, guard: WebhookGuard): Promise<void> {
  const url = destinationOf(rawUrl, guard);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.isValid(host)) return;
  const lookup = checkedLookup(guard, portOf(url));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new WebhookDeliveryError('unreachable')), RESOLVE_CHECK_MS);
    lookup(host, { all: true }, (err) => {
      clearTimeout(timer);
      if (err instanceof WebhookDeliveryError) reject(err);
      else if (err) reject(new WebhookDeliveryError('unreachable', err));
      else resolve();
    });
  });
}

/**
 * POSTs `body` with `headers` through the guard, cut at `timeoutMs`, and answers the status code
 * whatever it is; a destination refused or never reached throws WebhookDeliveryError. The body is
 * sent as `application/json` unless `extraHeaders` names its `content-type` (lower case).
 */
export async function sendWebhook(
  rawUrl: string,
  body: string,
  extraHeaders: Record<string, string>,
  timeoutMs: number,
  guard: WebhookGuard = {},
): Promise<number> {
  const url = destinationOf(rawUrl, guard);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  };
  // traceparent/tracestate of the current span, so the receiver can join the trace (nothing without tracing).
  propagation.inject(context.active(), headers);
  return new Promise<number>((resolve, reject) => {
    const request = client.request(url, {
      method: 'POST',
      headers,
      lookup: checkedLookup(guard, portOf(url)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (err) => reject(deliveryErrorOf(err)));
    request.end(body);
  });
}

/** Whether a status code is a delivery the receiver accepted (2xx; a redirect is not followed). */
export function acceptedStatus(status: number): boolean {
  return categoryOfStatus(status) === undefined && status >= 200;
}

export async function postSignedWebhook(delivery: WebhookDelivery, timeoutMs: number, guard: WebhookGuard = {}): Promise<number> {
  const body = JSON.stringify(delivery.body);
  const timestamp = new Date().toISOString();
  const status = await sendWebhook(
    delivery.url,
    body,
    {
      [SIGNATURE_HEADER]: `sha256=${signWebhook(delivery.secret, timestamp, body)}`,
      [TIMESTAMP_HEADER]: timestamp,
      [DELIVERY_HEADER]: delivery.deliveryId,
    },
    timeoutMs,
    guard,
  );
  const failure = categoryOfStatus(status);
  if (failure) throw new WebhookDeliveryError(failure);
  return status;
}

/** A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64. */
export function newStandardWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

/**
 * The Standard Webhooks signature of one message under each secret, space-separated:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the base64 after `whsec_`.
 */
export function standardWebhookSignature(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
    })
    .join(' ');
}
