/**
 * Four eyes on claim payments (docs/claim-money.md, Authority): before a payment is approved alone,
 * the activity that records it sums what its asker approved alone this month across the tenant's
 * claims, with the asker's row locked. This index holds exactly those payments, by person and
 * time, so the sum reads a person's few rows of the month, not every payment of the tenant.
 */
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(
    `CREATE INDEX payments_approved_alone ON payments (approved_by_id, approved_at)
      WHERE kind = 'partial' AND approved_by_id = requested_by_id`,
  );
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DROP INDEX payments_approved_alone');
};
