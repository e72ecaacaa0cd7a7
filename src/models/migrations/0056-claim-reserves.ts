/**
 * A claim's reserves and recoveries (docs/claim-money.md): the reserve lines by cost type and
 * category, every change of them with who asked, why and who decided, and the money recovered.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, type MigrationFn } from './helpers';

const money = { type: DataTypes.DECIMAL(14, 2), allowNull: false };
/** What each of the three tables' rows begins with: its ID, its tenant and the claim it belongs to. */
const claimRow = {
  id: { type: DataTypes.UUID, primaryKey: true },
  tenant_id: { type: DataTypes.UUID, allowNull: false },
  claim_id: { type: DataTypes.UUID, allowNull: false, ...references('claims', 'CASCADE') },
};
/** Which of the claim's reserve lines: a line is one per cost type and category, and each change names the line it moves. */
const lineKey = {
  cost_type: { type: DataTypes.STRING(20), allowNull: false },
  category: { type: DataTypes.STRING(20), allowNull: false },
};

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'claim_reserve_lines',
      {
        ...claimRow,
        ...lineKey,
        amount: money,
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('claim_reserve_lines', ['claim_id', 'cost_type', 'category'], { unique: true, transaction });
    await qi.createTable(
      'claim_reserve_changes',
      {
        ...claimRow,
        ...lineKey,
        amount_before: money,
        amount: money,
        reason: { type: DataTypes.STRING(500), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false },
        requested_by_id: { type: DataTypes.UUID },
        requested_at: { type: DataTypes.DATE, allowNull: false },
        decided_by_id: { type: DataTypes.UUID },
        decided_at: { type: DataTypes.DATE },
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('claim_reserve_changes', ['claim_id', 'requested_at'], { transaction });
    await qi.createTable(
      'claim_recoveries',
      {
        ...claimRow,
        kind: { type: DataTypes.STRING(20), allowNull: false },
        amount: money,
        received_on: { type: DataTypes.DATEONLY, allowNull: false },
        reference: { type: DataTypes.STRING(100) },
        recorded_by_id: { type: DataTypes.UUID, allowNull: false },
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('claim_recoveries', ['claim_id', 'received_on'], { transaction });
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('claim_recoveries');
  await qi.dropTable('claim_reserve_changes');
  await qi.dropTable('claim_reserve_lines');
};
