/**
 * A saved report may be of the finance kind (docs/reports.md, Finance report), and the finance
 * report's reads of the journal (docs/ledger.md, The insurer's figures): an account's lines of a
 * period, and every unearned premium line before it for the balance, read from one index alone.
 */
import { concurrentIndexes, type MigrationFn } from './helpers';

// Added NOT VALID, then validated in a transaction of its own: the check reads every definition
// with no lock that stops a definition from being saved (docs/deploying.md, the migration check).
const kindCheck = (kinds: string[]) =>
  `ALTER TABLE report_definitions ADD CONSTRAINT report_definitions_kind CHECK (kind IN (${kinds.map((kind) => `'${kind}'`).join(', ')})) NOT VALID`;
const validateCheck = 'ALTER TABLE report_definitions VALIDATE CONSTRAINT report_definitions_kind';

/** Replaces the kind check by one of `kinds`, after `before` (in the same transaction) removed what it no longer allows. */
const replaceKindCheck: (kinds: string[], before?: string) => MigrationFn = (kinds, before) => async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE report_definitions DROP CONSTRAINT report_definitions_kind', { transaction });
    if (before) await qi.sequelize.query(before, { transaction });
    await qi.sequelize.query(kindCheck(kinds), { transaction });
  });
  await qi.sequelize.query(validateCheck);
};

// Built concurrently: lines are posted all day.
const indexes = concurrentIndexes([
  [
    'journal_lines_account_day',
    'journal_lines (tenant_id, account_code, posted_on) INCLUDE (currency, entry_id, debit_minor, credit_minor)',
  ],
]);

export const up: MigrationFn = async (qi) => {
  await replaceKindCheck(['claims', 'policies', 'compliance', 'premiums', 'finance'])(qi);
  await indexes.up(qi);
};

export const down: MigrationFn = async (qi) => {
  await indexes.down(qi);
  await replaceKindCheck(['claims', 'policies', 'compliance', 'premiums'], `DELETE FROM report_definitions WHERE kind = 'finance'`)(qi);
};
