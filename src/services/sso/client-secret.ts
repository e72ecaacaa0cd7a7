/**
 * A tenant's OpenID client secret, sealed at rest as webhook secrets are (src/services/sealed-secret.ts):
 * bound to the tenant, so a dump of the database alone, or a value copied onto another tenant's
 * row, gives no secret.
 */
import type { Config } from '../../config';
import type { TenantSso } from '../../models';
import { CLIENT_SECRET_PURPOSE } from '../../models/tenant-sso';
import { openSecret, sealSecret } from '../sealed-secret';

export const sealClientSecret = (config: Config['jwt'], tenantId: string, secret: string): string =>
  sealSecret(config, CLIENT_SECRET_PURPOSE, tenantId, secret);

/** The tenant's client secret; an error when it does not open (JWT_SECRET changed since it was sealed). */
export function clientSecretOf(config: Config['jwt'], sso: TenantSso): string {
  const secret = openSecret(config, CLIENT_SECRET_PURPOSE, sso.tenantId, sso.clientSecretSealed);
  if (secret === null) throw new Error('the OpenID client secret does not open: JWT_SECRET changed since it was set; set it again');
  return secret;
}
