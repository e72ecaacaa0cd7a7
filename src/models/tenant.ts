import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

export class Tenant extends Model<InferAttributes<Tenant>, InferCreationAttributes<Tenant>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare slug: string;
  /** `offboarded`: the tombstone of a tenant that left (docs/privacy.md, Tenant offboarding). */
  declare status: CreationOptional<'active' | 'suspended' | 'offboarded'>;
  declare businessType: CreationOptional<string | null>;
  declare contactEmail: CreationOptional<string | null>;
  declare phone: CreationOptional<string | null>;
  declare address: CreationOptional<string | null>;
  /** The onboarding registration that provisioned this tenant: makes provisioning idempotent. */
  declare registrationId: CreationOptional<string | null>;
  /** Set while suspended (docs/onboarding.md, Suspending a tenant): since when and the platform admin's reason. */
  declare suspendedAt: CreationOptional<Date | null>;
  declare suspensionReason: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Tenant.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        name: { type: DataTypes.STRING(200), allowNull: false },
        slug: { type: DataTypes.STRING(63), allowNull: false, unique: true },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'active' },
        businessType: { type: DataTypes.STRING(100) },
        contactEmail: { type: DataTypes.STRING(254) },
        phone: { type: DataTypes.STRING(40) },
        address: { type: DataTypes.TEXT },
        registrationId: { type: DataTypes.UUID, unique: true },
        suspendedAt: { type: DataTypes.DATE },
        suspensionReason: { type: DataTypes.STRING(500) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'tenants', underscored: true },
    );
  }
}
