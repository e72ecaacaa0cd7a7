import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { RegistrationStatus } from '../contracts/onboarding';

/**
 * A company's request to join the platform (docs/onboarding.md). The row belongs to the
 * `onboarding-<id>` workflow: only its activities change the status after submission.
 */
export class Registration extends Model<InferAttributes<Registration>, InferCreationAttributes<Registration>> {
  declare id: CreationOptional<string>;
  declare companyName: string;
  declare businessType: string;
  declare phone: string;
  declare contactEmail: string;
  declare address: string;
  declare requestedSlug: string;
  declare adminEmail: string;
  declare adminFullName: string;
  /** Password hash (argon2id) made on arrival; the provisioned admin user receives it as is. Never returned. */
  declare adminPasswordHash: string;
  declare status: CreationOptional<RegistrationStatus>;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  /** Why it was rejected, expired or could not be provisioned. */
  declare reason: CreationOptional<string | null>;
  declare tenantId: CreationOptional<string | null>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  override toJSON(): object {
    const { adminPasswordHash: _secret, ...visible } = this.get();
    return visible;
  }

  static initModel(sequelize: Sequelize): void {
    Registration.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        companyName: { type: DataTypes.STRING(200), allowNull: false },
        businessType: { type: DataTypes.STRING(100), allowNull: false },
        phone: { type: DataTypes.STRING(40), allowNull: false },
        contactEmail: { type: DataTypes.STRING(254), allowNull: false },
        address: { type: DataTypes.TEXT, allowNull: false },
        requestedSlug: { type: DataTypes.STRING(63), allowNull: false },
        adminEmail: { type: DataTypes.STRING(254), allowNull: false },
        adminFullName: { type: DataTypes.STRING(200), allowNull: false },
        adminPasswordHash: { type: DataTypes.STRING(255), allowNull: false },
        status: { type: DataTypes.STRING(30), allowNull: false, defaultValue: 'pending' },
        decidedById: { type: DataTypes.UUID },
        decidedAt: { type: DataTypes.DATE },
        reason: { type: DataTypes.TEXT },
        tenantId: { type: DataTypes.UUID },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        runId: { type: DataTypes.STRING(100) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'registrations', underscored: true },
    );
  }
}
