/**
 * A confirmed policy change the subscription's run could not carry out on its effective date (the
 * policy had moved on since it was priced: another premium, term or status) is `not_applied`, with
 * why and when (docs/subscriptions.md, Policy changes). It stayed `scheduled` before, waiting for
 * nothing: a withdrawal answered 409 and the inbox kept it.
 *
 * `coverage_after`: the sum insured a change of plan was quoted with, which it applies; it took the plan's
 * on the effective date, which may have been changed since (null for changes quoted before).
 */
import type { MigrationFn } from './helpers';

const STATUSES = ['quoted', 'scheduled', 'applied', 'withdrawn'];

// Added NOT VALID, then validated in a transaction of its own: the check reads every change with no
// lock that stops the runs from writing them (docs/deploying.md, the migration check).
const statusCheck = (statuses: readonly string[]) =>
  `ALTER TABLE subscription_changes ADD CONSTRAINT subscription_changes_status CHECK (status IN (${statuses.map((s) => `'${s}'`).join(', ')})) NOT VALID`;
const validateCheck = 'ALTER TABLE subscription_changes VALIDATE CONSTRAINT subscription_changes_status';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE subscription_changes ADD COLUMN not_applied_reason varchar(500)', { transaction });
    await qi.sequelize.query('ALTER TABLE subscription_changes ADD COLUMN not_applied_at timestamptz', { transaction });
    await qi.sequelize.query('ALTER TABLE subscription_changes ADD COLUMN coverage_after numeric(12, 2)', { transaction });
    await qi.sequelize.query('ALTER TABLE subscription_changes DROP CONSTRAINT subscription_changes_status', { transaction });
    await qi.sequelize.query(statusCheck([...STATUSES, 'not_applied']), { transaction });
  });
  await qi.sequelize.query(validateCheck);
};

/** The earlier check has no `not_applied`: such changes read as `withdrawn` (nothing of them applied), which they were in effect. */
export const down: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE subscription_changes DROP CONSTRAINT subscription_changes_status', { transaction });
    await qi.sequelize.query(
      `UPDATE subscription_changes SET status = 'withdrawn', withdrawn_at = not_applied_at WHERE status = 'not_applied'`,
      { transaction },
    );
    await qi.sequelize.query(
      'ALTER TABLE subscription_changes DROP COLUMN not_applied_reason, DROP COLUMN not_applied_at, DROP COLUMN coverage_after',
      { transaction },
    );
    await qi.sequelize.query(statusCheck(STATUSES), { transaction });
  });
  await qi.sequelize.query(validateCheck);
};
