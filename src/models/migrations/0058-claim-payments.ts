/**
 * A claim's several payments (docs/claim-money.md, Payments): the disbursement of an approved claim
 * (`settlement`; a reopened claim approved again has another) is joined by partial payments to
 * payees, each against a reserve line, with their lifecycle, and by the payment batches that issue
 * them as bank files. Payments recorded before are settlements that cleared.
 */
import { type MigrationFn, inOneTransaction } from './helpers';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql(`CREATE TABLE payment_batches (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      message_id varchar(35) NOT NULL,
      currency char(3) NOT NULL,
      payment_count integer NOT NULL CHECK (payment_count > 0),
      total numeric(14, 2) NOT NULL CHECK (total > 0),
      requested_execution_date date NOT NULL,
      debtor_name varchar(70) NOT NULL,
      debtor_iban varchar(34) NOT NULL,
      debtor_bic varchar(11),
      file text NOT NULL,
      created_by_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await sql('CREATE UNIQUE INDEX payment_batches_message ON payment_batches (tenant_id, message_id)');
    await sql('CREATE INDEX payment_batches_tenant_created ON payment_batches (tenant_id, created_at)');
    await sql('ALTER TABLE payments DROP CONSTRAINT payments_claim_id_key');
    await sql(`ALTER TABLE payments
      ADD COLUMN kind varchar(20) NOT NULL DEFAULT 'settlement' CHECK (kind IN ('settlement', 'partial')),
      ADD COLUMN status varchar(20) NOT NULL DEFAULT 'cleared'
        CHECK (status IN ('requested', 'approved', 'issued', 'cleared', 'failed', 'voided')),
      ADD COLUMN cost_type varchar(20) NOT NULL DEFAULT 'indemnity',
      ADD COLUMN category varchar(20) NOT NULL DEFAULT 'other',
      ADD COLUMN currency char(3),
      ADD COLUMN payee_kind varchar(20),
      ADD COLUMN payee_name varchar(70),
      ADD COLUMN payee_iban varchar(34),
      ADD COLUMN payee_bic varchar(11),
      ADD COLUMN note varchar(500),
      ADD COLUMN requested_by_id uuid,
      ADD COLUMN requested_at timestamptz,
      ADD COLUMN approved_by_id uuid,
      ADD COLUMN approved_at timestamptz,
      ADD COLUMN voided_by_id uuid,
      ADD COLUMN voided_at timestamptz,
      ADD COLUMN issued_at timestamptz,
      ADD COLUMN failed_at timestamptz,
      ADD COLUMN failure_reason varchar(200),
      ADD COLUMN batch_id uuid REFERENCES payment_batches (id) ON DELETE RESTRICT ON UPDATE CASCADE,
      ALTER COLUMN paid_at DROP NOT NULL`);
    // A claim's payments, now several: the unique constraint that found them is gone. A settlement
    // stays written once per reference (unique in the tenant), whatever retries its activity goes through.
    await sql('CREATE INDEX payments_claim ON payments (claim_id)');
    // What the next batch takes: a tenant's approved payments, oldest first.
    await sql(`CREATE INDEX payments_batchable ON payments (tenant_id, approved_at) WHERE status = 'approved'`);
    await sql('CREATE INDEX payments_batch ON payments (batch_id) WHERE batch_id IS NOT NULL');
  });
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql(`DELETE FROM payments WHERE kind <> 'settlement'`);
    await sql('DROP INDEX payments_claim');
    await sql(`ALTER TABLE payments DROP COLUMN kind, DROP COLUMN status, DROP COLUMN cost_type, DROP COLUMN category,
      DROP COLUMN currency, DROP COLUMN payee_kind, DROP COLUMN payee_name, DROP COLUMN payee_iban, DROP COLUMN payee_bic,
      DROP COLUMN note, DROP COLUMN requested_by_id, DROP COLUMN requested_at, DROP COLUMN approved_by_id, DROP COLUMN approved_at,
      DROP COLUMN voided_by_id, DROP COLUMN voided_at, DROP COLUMN issued_at, DROP COLUMN failed_at, DROP COLUMN failure_reason,
      DROP COLUMN batch_id`);
    await sql('ALTER TABLE payments ADD CONSTRAINT payments_claim_id_key UNIQUE (claim_id)');
    await sql('DROP TABLE payment_batches');
  });
};
