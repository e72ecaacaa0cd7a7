/**
 * A policy's premium is kept exactly as priced, in its currency's decimals (docs/quotes.md, Binding;
 * docs/premiums.md): a KWD quote priced 195.556 was bound into numeric(12,2) columns and became 195.56,
 * so the policy answered, printed and billed 195.560, 0.004 KWD more than quoted. The columns that hold a
 * policy's premium (a policy's, a version's, a change's premium before and after) become `numeric`, as
 * 0097 made its cover: each amount keeps the scale it was written with, so what was stored reads as before
 * ("250.00") and a three-decimal premium keeps its third. A check keeps at most three decimals (the most
 * any currency has) and the ten integer digits numeric(12,2) held. A plan's premium keeps numeric(12,2):
 * plans take two decimals (`money`, src/api/http/common-schemas.ts).
 * Down: numeric(12,2) again, rounding any third decimal as before.
 */
import { inOneTransaction, type MigrationFn } from './helpers';

const PREMIUM_COLUMNS = [
  ['subscriptions', 'premium'],
  ['subscription_versions', 'premium'],
  ['subscription_changes', 'premium_before'],
  ['subscription_changes', 'premium_after'],
] as const;

const checkName = (table: string, column: string) => `${table}_${column}_decimals`;

export const up: MigrationFn = async (qi) => {
  // As 0097: dropping the type's precision rewrites nothing; the checks are added unchecked, then validated
  // outside the transaction, a scan that lets the tables' writes go on.
  await inOneTransaction(qi, async (sql) => {
    for (const [table, column] of PREMIUM_COLUMNS) {
      await sql(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE numeric`);
      await sql(
        `ALTER TABLE ${table} ADD CONSTRAINT ${checkName(table, column)} CHECK (scale(${column}) <= 3 AND abs(${column}) < 10000000000) NOT VALID`,
      );
    }
  });
  for (const [table, column] of PREMIUM_COLUMNS) {
    await qi.sequelize.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${checkName(table, column)}`);
  }
};

export const down: MigrationFn = (qi) =>
  inOneTransaction(qi, async (sql) => {
    for (const [table, column] of PREMIUM_COLUMNS) {
      await sql(`ALTER TABLE ${table} DROP CONSTRAINT ${checkName(table, column)}`);
      await sql(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE numeric(12, 2)`);
    }
  });
