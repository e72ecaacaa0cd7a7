/**
 * A tenant's OpenID provider as openid-client knows it: its discovery document and keys, fetched
 * once and kept a few minutes per settings version. ID tokens are checked by the library:
 * signature against the provider's JWKS (non-repudiation checks on: openid-client 6 otherwise
 * trusts an ID token it received straight from the token endpoint), issuer, audience, expiry and
 * nonce; the code is redeemed with its PKCE verifier. Every request to the provider goes through
 * the webhooks' address guard (./provider-fetch.ts), with the client secret opened from its seal.
 */
import type { Config } from '../../config';
import type { TenantSso } from '../../models';
import type { WebhookGuard } from '../webhook';
import { clientSecretOf } from './client-secret';
import { loadOpenIdClient, type OpenIdClientModule } from './openid-client';
import { providerFetch } from './provider-fetch';

type Configuration = InstanceType<OpenIdClientModule['Configuration']>;

/** Discovery and keys are asked for again after this long (a provider rotating keys is seen within it). */
const CONFIGURATION_TTL_MS = 5 * 60_000;
/** A provider that does not answer within this long fails the sign-in instead of holding the request. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** Per tenant: the client of its current settings version. */
const cache = new Map<string, { version: string; configuration: Promise<Configuration>; expiresAt: number }>();

/** What reaching a provider takes: the key its client secret is sealed with, and the address guard of this deployment. */
export interface ProviderAccess {
  jwt: Config['jwt'];
  guard: WebhookGuard;
}

/** The client for the tenant's settings as they are now; a changed setting makes a new one. */
export async function providerFor(
  sso: TenantSso,
  access: ProviderAccess,
): Promise<{ client: OpenIdClientModule; configuration: Configuration }> {
  const client = await loadOpenIdClient();
  const version = sso.updatedAt.toISOString();
  let entry = cache.get(sso.tenantId);
  if (!entry || entry.version !== version || entry.expiresAt < Date.now()) {
    const fresh = { version, configuration: discover(client, sso, access), expiresAt: Date.now() + CONFIGURATION_TTL_MS };
    cache.set(sso.tenantId, fresh);
    // A failed discovery is not kept: the next sign-in asks again.
    fresh.configuration.catch(() => {
      if (cache.get(sso.tenantId) === fresh) cache.delete(sso.tenantId);
    });
    entry = fresh;
  }
  return { client, configuration: await entry.configuration };
}

async function discover(client: OpenIdClientModule, sso: TenantSso, access: ProviderAccess): Promise<Configuration> {
  const issuer = new URL(sso.issuer);
  // The settings allow http only for a loopback provider outside production (src/domain/tenant-settings/sso.ts).
  const insecure = issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [];
  const secret = clientSecretOf(access.jwt, sso);
  // Kept by the configuration for its later requests too (keys, token endpoint).
  return client.discovery(issuer, sso.clientId, undefined, client.ClientSecretPost(secret), {
    execute: [client.enableNonRepudiationChecks, ...insecure],
    timeout: PROVIDER_TIMEOUT_SECONDS,
    [client.customFetch]: providerFetch(access.guard),
  });
}
