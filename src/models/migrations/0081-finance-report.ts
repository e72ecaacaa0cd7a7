/**
 * A saved report may be of the finance kind (docs/reports.md, Finance), and the finance report's
 * reads of the journal (docs/ledger.md, The insurer's figures): an account's lines of a period,
 * and every line before it for the unearned balance, read from one index alone.
 */
import { concurrentIndexes, type MigrationFn } from './helpers';

const kindCheck = (kinds: string[]) =>
  `ALTER TABLE report_definitions DROP CONSTRAINT report_definitions_kind,
     ADD CONSTRAINT report_definitions_kind CHECK (kind IN (${kinds.map((kind) => `'${kind}'`).join(', ')}))`;

// Built concurrently: lines are posted all day.
const indexes = concurrentIndexes([
  [
    'journal_lines_account_day',
    'journal_lines (tenant_id, account_code, posted_on) INCLUDE (currency, entry_id, debit_minor, credit_minor)',
  ],
]);

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(kindCheck(['claims', 'policies', 'compliance', 'premiums', 'finance']));
  await indexes.up(qi);
};

export const down: MigrationFn = async (qi) => {
  await indexes.down(qi);
  await qi.sequelize.query(`DELETE FROM report_definitions WHERE kind = 'finance'`);
  await qi.sequelize.query(kindCheck(['claims', 'policies', 'compliance', 'premiums']));
};
