/**
 * A claim payment issued as a refund through the payment provider onto the card the claimant paid
 * premiums with (docs/claim-money.md, Paying by card refund): when the refund was started (before
 * the provider is asked, so a batch or a void never takes a payment that may have left), the
 * provider's refund id and the premium payment whose charge it refunded. All stay null for a
 * payment issued in a bank batch.
 */
import { type MigrationFn, inOneTransaction } from './helpers';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql(`ALTER TABLE payments
      ADD COLUMN card_refund_started_at timestamptz,
      ADD COLUMN provider_refund_id varchar(255),
      ADD COLUMN refunded_premium_payment_id uuid REFERENCES premium_payments (id) ON DELETE RESTRICT ON UPDATE CASCADE`);
    // What a premium payment's charge has left to refund counts the claim payments it carried.
    await sql(`CREATE INDEX payments_refunded_premium_payment ON payments (refunded_premium_payment_id)
      WHERE refunded_premium_payment_id IS NOT NULL`);
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query(
      'ALTER TABLE payments DROP COLUMN card_refund_started_at, DROP COLUMN provider_refund_id, DROP COLUMN refunded_premium_payment_id',
      {
        transaction,
      },
    );
  });
};
