import {
  CreationOptional,
  DataTypes,
  InferAttributes,
  InferCreationAttributes,
  Model,
  QueryTypes,
  Sequelize,
  Transaction,
} from 'sequelize';
import type { ClaimStage } from '../contracts/claim';

/**
 * A claim filed against a subscription. The API creates it in `reported`; from then on only the
 * activities of its workflow (`claimWorkflowId` in src/contracts/claim.ts) change status, assignee
 * and approved amount.
 * Money columns are DECIMAL(12,2), read back as strings.
 */
export class Claim extends Model<InferAttributes<Claim>, InferCreationAttributes<Claim>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimNumber: string;
  declare subscriptionId: string;
  declare claimantId: string;
  declare filedById: string;
  /** DATEONLY: 'YYYY-MM-DD'. */
  declare incidentDate: string;
  declare description: string;
  declare amountClaimed: string;
  declare amountApproved: CreationOptional<string | null>;
  declare status: CreationOptional<ClaimStage>;
  declare assigneeId: CreationOptional<string | null>;
  declare denialReason: CreationOptional<string | null>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;
  /** When the current stage's escalation falls due in business time, as its run computed it; null in calendar time (migration 0053). */
  declare escalationDueAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /**
   * The next claim number of the tenant for the year, e.g. CLM-2026-000123. One atomic upsert on
   * a per-tenant counter row, so concurrent filings never get the same number.
   */
  static async nextClaimNumber(tenantId: string, year: number, transaction?: Transaction): Promise<string> {
    const [row] = await Claim.sequelize!.query<{ last_value: number }>(
      `INSERT INTO claim_number_counters (tenant_id, year, last_value) VALUES (:tenantId, :year, 1)
       ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = claim_number_counters.last_value + 1
       RETURNING last_value`,
      { replacements: { tenantId, year }, type: QueryTypes.SELECT, transaction },
    );
    return `CLM-${year}-${String(row.last_value).padStart(6, '0')}`;
  }

  static initModel(sequelize: Sequelize): void {
    Claim.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimNumber: { type: DataTypes.STRING(30), allowNull: false },
        subscriptionId: { type: DataTypes.UUID, allowNull: false },
        claimantId: { type: DataTypes.UUID, allowNull: false },
        filedById: { type: DataTypes.UUID, allowNull: false },
        incidentDate: { type: DataTypes.DATEONLY, allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false },
        amountClaimed: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        amountApproved: { type: DataTypes.DECIMAL(12, 2) },
        status: { type: DataTypes.STRING(30), allowNull: false, defaultValue: 'reported' },
        assigneeId: { type: DataTypes.UUID },
        denialReason: { type: DataTypes.STRING(200) },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        runId: { type: DataTypes.STRING(64) },
        escalationDueAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claims', underscored: true },
    );
  }
}
