import { DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, tenantRowColumns, tableOptions } from './columns';

/**
 * The one PaymentIntent of an invoice at the payment provider (docs/premiums.md, Payment provider):
 * its id, never its client secret, which is read from the provider when the payer asks for it.
 */
export class PaymentIntentRecord extends TenantRow<PaymentIntentRecord> {
  declare invoiceId: string;
  declare provider: string;
  declare providerIntentId: string;
  /** Minor units; BIGINT comes back from PostgreSQL as a string. */
  declare amountMinor: string | number;
  declare currency: string;

  static initModel(sequelize: Sequelize): void {
    PaymentIntentRecord.init(
      tenantRowColumns({
        invoiceId: required.uuid({ unique: true }),
        provider: required.string(20),
        providerIntentId: required.string(255),
        amountMinor: required(DataTypes.BIGINT),
        currency: required(DataTypes.CHAR(3)),
      }),
      tableOptions(sequelize, 'payment_intents'),
    );
  }
}
