/**
 * A refund owed by hand is recorded paid back (docs/premiums.md, Refunds paid back by hand): when the
 * money left, how, the bank's or cheque's reference and who recorded it. Nullable columns (the running
 * release's inserts leave them out); the method's check and the recorder's foreign key are added NOT
 * VALID and validated each in a transaction of its own, a scan that lets refunds be written meanwhile
 * (docs/deploying.md, the migration check).
 */
import type { MigrationFn } from './helpers';

/** The methods a refund is paid back by: the payments' (src/models/invoice.ts, PAYMENT_METHODS), written out as they stand today. */
const METHODS = ['card', 'bank_transfer', 'cheque', 'other'];

export const up: MigrationFn = async (qi) => {
  const sql = (statement: string) => qi.sequelize.query(statement);
  await sql(`ALTER TABLE premium_refunds
    ADD COLUMN IF NOT EXISTS paid_at timestamptz,
    ADD COLUMN IF NOT EXISTS paid_method varchar(20),
    ADD COLUMN IF NOT EXISTS paid_reference varchar(200),
    ADD COLUMN IF NOT EXISTS paid_recorded_by_id uuid`);
  await sql('ALTER TABLE premium_refunds DROP CONSTRAINT IF EXISTS premium_refunds_paid_method');
  await sql(
    `ALTER TABLE premium_refunds ADD CONSTRAINT premium_refunds_paid_method
       CHECK (paid_method IN (${METHODS.map((method) => `'${method}'`).join(', ')})) NOT VALID`,
  );
  await sql('ALTER TABLE premium_refunds VALIDATE CONSTRAINT premium_refunds_paid_method');
  await sql('ALTER TABLE premium_refunds DROP CONSTRAINT IF EXISTS premium_refunds_paid_recorded_by');
  await sql(
    `ALTER TABLE premium_refunds ADD CONSTRAINT premium_refunds_paid_recorded_by FOREIGN KEY (paid_recorded_by_id)
       REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE NOT VALID`,
  );
  await sql('ALTER TABLE premium_refunds VALIDATE CONSTRAINT premium_refunds_paid_recorded_by');
};

/** A refund paid back by hand stays `succeeded`; only how it was paid back is lost. */
export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query(`ALTER TABLE premium_refunds
    DROP COLUMN IF EXISTS paid_recorded_by_id,
    DROP COLUMN IF EXISTS paid_reference,
    DROP COLUMN IF EXISTS paid_method,
    DROP COLUMN IF EXISTS paid_at`);
};
