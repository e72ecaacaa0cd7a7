import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantColumn, tenantRowColumns, tableOptions } from './columns';

/**
 * Something a tenant (a customer of the platform) must be able to show, e.g. the control
 * "ISO 27001 A.5.1", owned by one of its users, due by a date, and satisfied by the
 * acknowledgements of the compliance policies linked to it. Soft-deleted.
 */
export class ComplianceRequirement extends TenantRow<ComplianceRequirement> {
  declare title: string;
  /** The framework and control it answers to, as the auditors name it. */
  declare frameworkRef: string;
  declare description: CreationOptional<string | null>;
  declare ownerId: string;
  declare dueAt: Date;
  declare createdById: string;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ComplianceRequirement.init(
      {
        ...tenantRowColumns({
          title: required.string(200),
          frameworkRef: required.string(100),
          description: optional.text(),
          ownerId: required.uuid(),
          dueAt: required.date(),
          createdById: required.uuid(),
        }),
        deletedAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'compliance_requirements', { paranoid: true }),
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
        requirementId: required.uuid({ primaryKey: true }),
        policyId: required.uuid({ primaryKey: true }),
        ...tenantColumn(),
      },
      tableOptions(sequelize, 'compliance_requirement_policies', { timestamps: false }),
    );
  }
}
