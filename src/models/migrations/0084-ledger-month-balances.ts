/**
 * A closed month's kept balances (docs/ledger.md, Kept balances; src/models/ledger-kept-balances.ts):
 * the trial balance and the finance report read them for the closed months and sum only the lines
 * of the others, so their cost follows the open months' lines, not the journal's history.
 *
 * - `ledger_month_balances`: a closed month's debits and credits per account and currency.
 * - `ledger_month_unearned`: its net credits to `unearned_premium` per currency, plan and policy type.
 * - `ledger_periods.balances_kept`: the month's rows are written (only while it is closed).
 *
 * Both tables belong to their period (removed with it) and to its tenant (the offboarding finds them
 * by `tenant_id`). The months closed before this migration get theirs here, one transaction each.
 */
import { QueryTypes } from 'sequelize';
import { keepMonthBalances } from '../ledger-kept-balances';
import { inOneTransaction, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  const sequelize = qi.sequelize;
  await inOneTransaction(qi, async (sql) => {
    await sql('ALTER TABLE ledger_periods ADD COLUMN balances_kept boolean NOT NULL DEFAULT false');
    // Added NOT VALID, then validated alone (docs/deploying.md, the migration check).
    await sql(`ALTER TABLE ledger_periods ADD CONSTRAINT ledger_periods_kept_when_closed
      CHECK (NOT balances_kept OR status = 'closed') NOT VALID`);
    await sql(`CREATE TABLE ledger_month_balances (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      month date NOT NULL,
      account_code varchar(40) NOT NULL REFERENCES ledger_chart (code),
      currency char(3) NOT NULL,
      debit_minor bigint NOT NULL,
      credit_minor bigint NOT NULL,
      PRIMARY KEY (tenant_id, month, account_code, currency),
      FOREIGN KEY (tenant_id, month) REFERENCES ledger_periods (tenant_id, month) ON DELETE CASCADE)`);
    await sql(`CREATE TABLE ledger_month_unearned (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      month date NOT NULL,
      currency char(3) NOT NULL,
      plan_id uuid,
      policy_type varchar(20),
      net_credit_minor bigint NOT NULL,
      FOREIGN KEY (tenant_id, month) REFERENCES ledger_periods (tenant_id, month) ON DELETE CASCADE)`);
    await sql('CREATE INDEX ledger_month_unearned_month ON ledger_month_unearned (tenant_id, month)');
  });
  await sequelize.query('ALTER TABLE ledger_periods VALIDATE CONSTRAINT ledger_periods_kept_when_closed');
  const closed = await sequelize.query<{ tenantId: string; first: string }>(
    `SELECT tenant_id AS "tenantId", month::text AS first FROM ledger_periods WHERE status = 'closed' ORDER BY tenant_id, month`,
    { type: QueryTypes.SELECT },
  );
  // keepMonthBalances marks the period first: its row lock makes a reopening wait for the rows, and
  // nothing can be posted in a closed month.
  for (const { tenantId, first } of closed)
    await sequelize.transaction((transaction) => keepMonthBalances(sequelize, tenantId, first, transaction));
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql('DROP TABLE ledger_month_unearned');
    await sql('DROP TABLE ledger_month_balances');
    await sql('ALTER TABLE ledger_periods DROP CONSTRAINT ledger_periods_kept_when_closed');
    await sql('ALTER TABLE ledger_periods DROP COLUMN balances_kept');
  });
};
