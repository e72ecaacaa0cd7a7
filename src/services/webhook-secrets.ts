/**
 * A webhook endpoint's signing secrets (docs/webhooks.md, Signature): Standard Webhooks secrets
 * (`whsec_…`), sealed at rest (src/services/sealed-secret.ts) and bound to their endpoint's ID.
 * After a rotation the previous secret still signs for ROTATION_OVERLAP_MS, so a receiver can
 * switch to the new one whenever it likes within that day.
 */
import type { Config } from '../config';
import type { WebhookEndpoint } from '../models';
import { sealSecret } from './sealed-secret';
import { newStandardWebhookSecret } from './webhook';

export const WEBHOOK_SECRET_PURPOSE = 'webhook-signing-secret v1';
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** A new secret, and as it is stored for the endpoint `endpointId`. */
export function newEndpointSecret(config: Config['jwt'], endpointId: string): { secret: string; sealed: string } {
  const secret = newStandardWebhookSecret();
  return { secret, sealed: sealSecret(config, WEBHOOK_SECRET_PURPOSE, endpointId, secret) };
}

/** The sealed secrets that sign now: the current one, and the previous one until its overlap ends. */
export function signingSecretsOf(endpoint: WebhookEndpoint, now: Date): string[] {
  const previousSigns = endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now;
  return previousSigns ? [endpoint.secretSealed, endpoint.previousSecretSealed as string] : [endpoint.secretSealed];
}
