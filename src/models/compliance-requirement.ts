import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * Something a tenant (a customer of the platform) must be able to show, e.g. the control
 * "ISO 27001 A.5.1", owned by one of its users, due by a date, and satisfied by the
 * acknowledgements of the compliance policies linked to it. Soft-deleted.
 */
export class ComplianceRequirement extends Model<InferAttributes<ComplianceRequirement>, InferCreationAttributes<ComplianceRequirement>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare title: string;
  /** The framework and control it answers to, as the auditors name it. */
  declare frameworkRef: string;
  declare description: CreationOptional<string | null>;
  declare ownerId: string;
  declare dueAt: Date;
  declare createdById: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ComplianceRequirement.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        title: { type: DataTypes.STRING(200), allowNull: false },
        frameworkRef: { type: DataTypes.STRING(100), allowNull: false },
        description: { type: DataTypes.TEXT },
        ownerId: { type: DataTypes.UUID, allowNull: false },
        dueAt: { type: DataTypes.DATE, allowNull: false },
        createdById: { type: DataTypes.UUID, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
        deletedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'compliance_requirements', underscored: true, paranoid: true },
    );
  }
}

/** One compliance policy that satisfies a requirement. */
export class ComplianceRequirementPolicy extends Model<
  InferAttributes<ComplianceRequirementPolicy>,
  InferCreationAttributes<ComplianceRequirementPolicy>
> {
  declare requirementId: string;
  declare policyId: string;
  declare tenantId: string;

  static initModel(sequelize: Sequelize): void {
    ComplianceRequirementPolicy.init(
      {
        requirementId: { type: DataTypes.UUID, allowNull: false, primaryKey: true },
        policyId: { type: DataTypes.UUID, allowNull: false, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
      },
      { sequelize, tableName: 'compliance_requirement_policies', underscored: true, timestamps: false },
    );
  }
}
