/**
 * Policy version approval (four eyes): a draft goes `in_review`, then `approved` (publishable) or
 * back to `draft` when rejected or when the review lapses. The columns keep the last review round.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references } from './helpers';

const STATUSES_BEFORE = `'draft', 'published', 'retired'`;
const STATUSES_AFTER = `'draft', 'in_review', 'approved', 'published', 'retired'`;

const setStatuses = (statuses: string) => `ALTER TABLE policy_versions DROP CONSTRAINT policy_versions_status,
  ADD CONSTRAINT policy_versions_status CHECK (status IN (${statuses}))`;

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('policy_versions', 'submitted_at', { type: DataTypes.DATE });
  await qi.addColumn('policy_versions', 'submitted_by_id', { type: DataTypes.UUID, ...references('users', 'SET NULL') });
  await qi.addColumn('policy_versions', 'review_due_at', { type: DataTypes.DATE });
  await qi.addColumn('policy_versions', 'reviewed_at', { type: DataTypes.DATE });
  await qi.addColumn('policy_versions', 'reviewed_by_id', { type: DataTypes.UUID, ...references('users', 'SET NULL') });
  await qi.addColumn('policy_versions', 'review_note', { type: DataTypes.STRING(1000) });
  await qi.sequelize.query(setStatuses(STATUSES_AFTER));
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query(`UPDATE policy_versions SET status = 'draft' WHERE status IN ('in_review', 'approved')`);
  await qi.sequelize.query(setStatuses(STATUSES_BEFORE));
  for (const column of ['submitted_at', 'submitted_by_id', 'review_due_at', 'reviewed_at', 'reviewed_by_id', 'review_note']) {
    await qi.removeColumn('policy_versions', column);
  }
};
