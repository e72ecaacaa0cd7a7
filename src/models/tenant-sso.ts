import { modelOf, required, uuidKey, timestampColumns } from './columns';
import type { Role } from '../shared/roles';

/** The sealing purpose of the OpenID client secret (src/services/sealed-secret.ts); its owner is the tenant's ID. */
export const CLIENT_SECRET_PURPOSE = 'oidc-client-secret v1';

const tenantSsoColumns = () => ({
  tenantId: uuidKey(),
  issuer: required.string(500),
  clientId: required.string(200),
  /**
   * The client secret sealed (src/services/sso/client-secret.ts: AES-256-GCM under a key derived
   * from JWT_SECRET, bound to the tenant), so a dump of the database alone gives no secret. Never
   * returned by the API.
   */
  clientSecretSealed: required.text(),
  /** Lower-case domains; an address of another domain is refused. */
  allowedDomains: required.json<string[]>({ defaultValue: [] }),
  /** Provider group name → the staff role it gives. */
  groupRoles: required.json<Record<string, Role>>({ defaultValue: {} }),
  enabled: required.boolean({ defaultValue: false }),
  /** When set (and enabled), the tenant's staff cannot sign in with a password. */
  requiredForStaff: required.boolean({ defaultValue: false }),
  /**
   * Whether a first sign-in may take over an account of the tenant that already has the address
   * (the provider must say the address is verified). Off unless a tenant admin turns it on.
   */
  linkExistingAccounts: required.boolean({ defaultValue: false }),
  /** `acr` values of the provider that the tenant counts as a second factor proven there (besides the `amr` methods). */
  mfaAcrValues: required.json<string[]>({ defaultValue: [] }),
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
      clientSecretSet: Boolean(this.clientSecretSealed),
      allowedDomains: this.allowedDomains,
      groupRoles: this.groupRoles,
      enabled: this.enabled,
      requiredForStaff: this.requiredForStaff,
      linkExistingAccounts: this.linkExistingAccounts,
      mfaAcrValues: this.mfaAcrValues,
      updatedAt: this.updatedAt,
    };
  }
}
