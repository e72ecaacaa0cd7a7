/**
 * A policy's cover is kept exactly as given, in its currency's decimals (docs/quotes.md, Binding): the
 * sum insured of a quote bound in KWD, "123456.789", was stored in numeric(12,2) columns and became
 * 123456.79, so the policy covered 0.001 KWD more than the risk quoted and every answer, schedule and
 * claim judged that. The columns of a policy's cover (a policy's, a version's, a change's cover after)
 * become `numeric`, which keeps each amount at the scale it was written with: what was stored stays
 * as it reads ("150000.00"), a three-decimal amount keeps its third. A check keeps at most three
 * decimals (the most any currency has) and the ten integer digits numeric(12,2) held. A plan's cover
 * keeps numeric(12,2): plans take two decimals (`money`, src/api/http/common-schemas.ts).
 * Down: numeric(12,2) again, rounding any third decimal as before.
 */
import { inOneTransaction, type MigrationFn } from './helpers';

const COVER_COLUMNS = [
  ['subscriptions', 'coverage_amount'],
  ['subscription_versions', 'coverage_amount'],
  ['subscription_changes', 'coverage_after'],
] as const;

const checkName = (table: string, column: string) => `${table}_${column}_decimals`;

export const up: MigrationFn = async (qi) => {
  // Dropping the type's precision rewrites nothing; the checks are added unchecked, then validated
  // outside the transaction, a scan that lets the tables' writes go on.
  await inOneTransaction(qi, async (sql) => {
    for (const [table, column] of COVER_COLUMNS) {
      await sql(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE numeric`);
      await sql(
        `ALTER TABLE ${table} ADD CONSTRAINT ${checkName(table, column)} CHECK (scale(${column}) <= 3 AND abs(${column}) < 10000000000) NOT VALID`,
      );
    }
  });
  for (const [table, column] of COVER_COLUMNS) {
    await qi.sequelize.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${checkName(table, column)}`);
  }
};

export const down: MigrationFn = (qi) =>
  inOneTransaction(qi, async (sql) => {
    for (const [table, column] of COVER_COLUMNS) {
      await sql(`ALTER TABLE ${table} DROP CONSTRAINT ${checkName(table, column)}`);
      await sql(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE numeric(12, 2)`);
    }
  });
