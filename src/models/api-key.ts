import { modelOf, required, optional, tenantRowColumns } from './columns';
import type { Role } from '../shared/roles';

const apiKeyColumns = () =>
  tenantRowColumns({
    name: required.string(100),
    role: required.string<Role>(40),
    prefix: required.string(32, { unique: true }),
    secretHash: required.string(64),
    createdBy: required.uuid(),
    expiresAt: required.date(),
    revokedAt: optional.date(),
    revokedBy: optional.uuid(),
    lastUsedAt: optional.date(),
  });

/**
 * A tenant's API key (docs/security.md, API keys): the key `ifk_<prefix>_<secret>` is shown once;
 * the row keeps its public prefix and only the SHA-256 of its secret.
 */
export class ApiKey extends modelOf('api_keys', apiKeyColumns) {
  /** What the API shows: never the hash. */
  override toJSON(): object {
    return {
      id: this.id,
      prefix: this.prefix,
      name: this.name,
      role: this.role,
      createdBy: this.createdBy,
      createdAt: this.createdAt,
      lastUsedAt: this.lastUsedAt,
      expiresAt: this.expiresAt,
      revokedAt: this.revokedAt,
    };
  }
}
