/**
 * Premiums (docs/premiums.md): plans get a billing frequency and a currency (existing plans:
 * annual, USD, the tenants' default currency until a tenant sets another), and a subscription
 * copies both from its plan when it is inserted (trigger `subscriptions_billing_terms`), as it
 * copies the premium. Invoices (numbered `INV-<year>-<6 digits>` per tenant from
 * `invoice_number_counters`), the premium payments received against them and the refunds owed.
 * Money is integer minor units (bigint) beside its ISO 4217 currency.
 *
 * Existing policies: every active subscription gets the schedule of its current term (the
 * `duration_months` before its end date); instalments already due are treated as paid, each with
 * a payment of method `other` and the reference below, received on its due date, so what was paid
 * before billing existed counts for refunds like any payment; the rest stay open.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { BILLING_FREQUENCIES } from '../../shared/instalments';
import {
  INVOICE_STATUSES,
  issueInstalments,
  PAYMENT_METHODS,
  REFUND_STATUSES,
  scheduleOfRow,
  TERM_COLUMNS,
  type TermOfRow,
} from '../invoice';
import { type MigrationFn, inOneTransaction } from './helpers';

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/** The reference of the payments this migration records for instalments due before billing existed. */
export const PAID_BEFORE_BILLING = 'Paid before billing (migration 0039)';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    await sql('LOCK TABLE subscriptions IN SHARE ROW EXCLUSIVE MODE');

    await sql(`ALTER TABLE plans
      ADD COLUMN billing_frequency varchar(12) NOT NULL DEFAULT 'annual' CHECK (billing_frequency IN (${list(BILLING_FREQUENCIES)})),
      ADD COLUMN currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$')`);
    await sql(`ALTER TABLE subscriptions
      ADD COLUMN billing_frequency varchar(12) CHECK (billing_frequency IN (${list(BILLING_FREQUENCIES)})),
      ADD COLUMN currency char(3) CHECK (currency ~ '^[A-Z]{3}$')`);
    await sql(`UPDATE subscriptions SET billing_frequency = plans.billing_frequency, currency = plans.currency
      FROM plans WHERE plans.id = subscriptions.plan_id`);
    await sql('ALTER TABLE subscriptions ALTER COLUMN billing_frequency SET NOT NULL, ALTER COLUMN currency SET NOT NULL');
    // Whichever insert creates the row (the API or the run's first activity) copies the plan's terms.
    await sql(`CREATE FUNCTION subscriptions_billing_terms() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.billing_frequency IS NULL OR NEW.currency IS NULL THEN
          SELECT coalesce(NEW.billing_frequency, billing_frequency), coalesce(NEW.currency, currency)
            INTO NEW.billing_frequency, NEW.currency FROM plans WHERE id = NEW.plan_id;
        END IF;
        RETURN NEW;
      END $$`);
    await sql(`CREATE TRIGGER subscriptions_billing_terms BEFORE INSERT ON subscriptions
      FOR EACH ROW EXECUTE FUNCTION subscriptions_billing_terms()`);

    // One row per tenant and year, as for policy numbers: the last number handed out.
    await sql(`CREATE TABLE invoice_number_counters (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      year integer NOT NULL,
      last_value integer NOT NULL,
      PRIMARY KEY (tenant_id, year))`);
    await sql(`CREATE TABLE invoices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE ON UPDATE CASCADE,
      policyholder_id uuid NOT NULL REFERENCES users (id) ON UPDATE CASCADE,
      number varchar(20) NOT NULL,
      term integer NOT NULL CHECK (term >= 0),
      sequence integer NOT NULL CHECK (sequence >= 1),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      due_date date NOT NULL,
      status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN (${list(INVOICE_STATUSES)})),
      paid_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, number),
      UNIQUE (subscription_id, term, sequence))`);
    await sql('CREATE INDEX invoices_tenant_status_due ON invoices (tenant_id, status, due_date)');
    await sql('CREATE INDEX invoices_policyholder ON invoices (policyholder_id, due_date)');
    await sql(`CREATE TABLE premium_payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE ON UPDATE CASCADE,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      credit_minor bigint NOT NULL DEFAULT 0 CHECK (credit_minor >= 0 AND credit_minor <= amount_minor),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      method varchar(20) NOT NULL CHECK (method IN (${list(PAYMENT_METHODS)})),
      reference varchar(200),
      provider varchar(20),
      provider_payment_id varchar(255),
      received_at timestamptz NOT NULL,
      recorded_by_id uuid REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await sql('CREATE INDEX premium_payments_invoice ON premium_payments (invoice_id)');
    await sql(`CREATE UNIQUE INDEX premium_payments_provider_payment ON premium_payments (provider, provider_payment_id)
      WHERE provider_payment_id IS NOT NULL`);
    await sql(`CREATE TABLE premium_refunds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE ON UPDATE CASCADE,
      invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE ON UPDATE CASCADE,
      payment_id uuid REFERENCES premium_payments (id) ON DELETE SET NULL ON UPDATE CASCADE,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      reason varchar(500) NOT NULL,
      status varchar(20) NOT NULL CHECK (status IN (${list(REFUND_STATUSES)})),
      provider varchar(20),
      provider_refund_id varchar(255),
      dedupe_key varchar(200) NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await sql('CREATE INDEX premium_refunds_invoice ON premium_refunds (invoice_id)');

    await scheduleActivePolicies(qi.sequelize, transaction);
  });
};

async function scheduleActivePolicies(sequelize: Sequelize, transaction: Transaction): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  const active = await sequelize.query<TermOfRow & { id: string; tenantId: string; policyholderId: string }>(
    `SELECT id, ${TERM_COLUMNS}
       FROM subscriptions WHERE status = 'active' AND end_date IS NOT NULL ORDER BY tenant_id, created_at, id`,
    { type: QueryTypes.SELECT, transaction },
  );
  for (const row of active) {
    const billed = {
      tenantId: row.tenantId,
      subscriptionId: row.id,
      policyholderId: row.policyholderId,
      currency: row.currency,
      term: row.renewalCount,
    };
    const invoices = await issueInstalments(sequelize, billed, scheduleOfRow(row), transaction);
    const due = invoices.filter((invoice) => invoice.dueDate <= today);
    if (due.length === 0) continue;
    await sequelize.query(
      `WITH paid AS (
         UPDATE invoices SET status = 'paid', paid_at = now() WHERE id = ANY(:ids::uuid[]) RETURNING id, tenant_id, amount_minor, currency, due_date)
       INSERT INTO premium_payments (tenant_id, invoice_id, amount_minor, currency, method, reference, received_at)
       SELECT tenant_id, id, amount_minor, currency, 'other', :reference, due_date::timestamp AT TIME ZONE 'UTC' FROM paid`,
      { replacements: { ids: `{${due.map(({ id }) => id).join(',')}}`, reference: PAID_BEFORE_BILLING }, transaction },
    );
  }
}

export const down: MigrationFn = async (qi) => {
  const sql = (statement: string) => qi.sequelize.query(statement);
  await sql('DROP TABLE premium_refunds');
  await sql('DROP TABLE premium_payments');
  await sql('DROP TABLE invoices');
  await sql('DROP TABLE invoice_number_counters');
  await sql('DROP TRIGGER subscriptions_billing_terms ON subscriptions');
  await sql('DROP FUNCTION subscriptions_billing_terms()');
  await sql('ALTER TABLE subscriptions DROP COLUMN billing_frequency, DROP COLUMN currency');
  await sql('ALTER TABLE plans DROP COLUMN billing_frequency, DROP COLUMN currency');
};
