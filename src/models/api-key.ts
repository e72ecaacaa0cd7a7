import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';
import type { Role } from '../shared/roles';

/**
 * A tenant's API key (docs/security.md, API keys): the key `ifk_<prefix>_<secret>` is shown once;
 * the row keeps its public prefix and only the SHA-256 of its secret.
 */
export class ApiKey extends TenantRow<ApiKey> {
  declare name: string;
  declare role: Role;
  declare prefix: string;
  declare secretHash: string;
  declare createdBy: string;
  declare expiresAt: Date;
  declare revokedAt: CreationOptional<Date | null>;
  declare revokedBy: CreationOptional<string | null>;
  declare lastUsedAt: CreationOptional<Date | null>;

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

  static initModel(sequelize: Sequelize): void {
    ApiKey.init(
      tenantRowColumns({
        name: required.string(100),
        role: required.string(40),
        prefix: required.string(32, { unique: true }),
        secretHash: required.string(64),
        createdBy: required.uuid(),
        expiresAt: required.date(),
        revokedAt: optional.date(),
        revokedBy: optional.uuid(),
        lastUsedAt: optional.date(),
      }),
      tableOptions(sequelize, 'api_keys'),
    );
  }
}
