import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { Role } from '../shared/roles';

/**
 * A tenant's API key (docs/security.md, API keys): the key `ifk_<prefix>_<secret>` is shown once;
 * the row keeps its public prefix and only the SHA-256 of its secret.
 */
export class ApiKey extends Model<InferAttributes<ApiKey>, InferCreationAttributes<ApiKey>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare name: string;
  declare role: Role;
  declare prefix: string;
  declare secretHash: string;
  declare createdBy: string;
  declare expiresAt: Date;
  declare revokedAt: CreationOptional<Date | null>;
  declare revokedBy: CreationOptional<string | null>;
  declare lastUsedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

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
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: false },
        role: { type: DataTypes.STRING(40), allowNull: false },
        prefix: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        secretHash: { type: DataTypes.STRING(64), allowNull: false },
        createdBy: { type: DataTypes.UUID, allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        revokedAt: { type: DataTypes.DATE },
        revokedBy: { type: DataTypes.UUID },
        lastUsedAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'api_keys', underscored: true },
    );
  }
}
