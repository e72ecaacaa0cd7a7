import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { OffboardingStatus, OffboardingStep, StepCounts } from '../contracts/tenant-offboarding';
import { idFromRequest } from '../shared/deterministic-id';

/**
 * A tenant's offboarding (docs/privacy.md, Tenant offboarding): asked by one platform admin,
 * decided by another, run by `tenant-offboarding-<tenantId>`. A row of the platform: it names the
 * tenant in `offboardedTenantId` and outlives every row of the tenant.
 */
export class TenantOffboarding extends Model<InferAttributes<TenantOffboarding>, InferCreationAttributes<TenantOffboarding>> {
  declare id: string;
  declare offboardedTenantId: string;
  declare status: CreationOptional<OffboardingStatus>;
  declare reason: string;
  declare requestedById: string;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare rejectionReason: CreationOptional<string | null>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;
  /** The bulk operation counting the run's steps, from the approval on. */
  declare operationId: CreationOptional<string | null>;
  /** The export's object in the document store (under `offboarding/`), its SHA-256 and size, once made. */
  declare exportKey: CreationOptional<string | null>;
  declare exportSha256: CreationOptional<string | null>;
  declare exportBytes: CreationOptional<number | null>;
  /** What the steps removed, counted (`runs`, `rows.claims` …). */
  declare removed: CreationOptional<StepCounts>;
  declare completedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    TenantOffboarding.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        offboardedTenantId: { type: DataTypes.UUID, allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'awaiting_approval' },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        requestedById: { type: DataTypes.UUID, allowNull: false },
        decidedById: { type: DataTypes.UUID },
        decidedAt: { type: DataTypes.DATE },
        rejectionReason: { type: DataTypes.STRING(500) },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        runId: { type: DataTypes.STRING(100) },
        operationId: { type: DataTypes.UUID },
        exportKey: { type: DataTypes.STRING(300) },
        exportSha256: { type: DataTypes.STRING(64) },
        // PostgreSQL answers BIGINT as a string; an export is far below 2^53 bytes.
        exportBytes: {
          type: DataTypes.BIGINT,
          get(this: TenantOffboarding) {
            const raw = this.getDataValue('exportBytes') as number | string | null;
            return raw === null || raw === undefined ? null : Number(raw);
          },
        },
        removed: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        completedAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'tenant_offboardings', underscored: true },
    );
  }
}

/** The bulk operation item of one step: its ID follows from the request and the step, so a retried step finds its own. */
export const offboardingStepItemId = (offboardingId: string, step: OffboardingStep) =>
  idFromRequest('tenant-offboarding', offboardingId, step);
