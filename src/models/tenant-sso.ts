import { modelOf, required, uuidKey, timestampColumns } from './columns';
import type { Role } from '../shared/roles';

const tenantSsoColumns = () => ({
  tenantId: uuidKey(),
  issuer: required.string(500),
  clientId: required.string(200),
  /** Never returned by the API. */
  clientSecret: required.string(500),
  /** Lower-case domains; an address of another domain is refused. */
  allowedDomains: required.json<string[]>({ defaultValue: [] }),
  /** Provider group name → the staff role it gives. */
  groupRoles: required.json<Record<string, Role>>({ defaultValue: {} }),
  enabled: required.boolean({ defaultValue: false }),
  /** When set (and enabled), the tenant's staff cannot sign in with a password. */
  requiredForStaff: required.boolean({ defaultValue: false }),
  ...timestampColumns(),
});

/**
 * A tenant's company sign-in (docs/accounts.md, Company sign-in): its OpenID provider and client,
 * the e-mail domains it may sign in, and which provider group gives which staff role.
 */
export class TenantSso extends modelOf('tenant_sso', tenantSsoColumns) {
  /** What the API shows: whether a secret is set, never the secret. */
  override toJSON(): object {
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      clientSecretSet: Boolean(this.clientSecret),
      allowedDomains: this.allowedDomains,
      groupRoles: this.groupRoles,
      enabled: this.enabled,
      requiredForStaff: this.requiredForStaff,
      updatedAt: this.updatedAt,
    };
  }
}
