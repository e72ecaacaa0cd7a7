import { DataTypes } from 'sequelize';
import { modelOf, required, tenantRowColumns } from './columns';

const paymentIntentColumns = () =>
  tenantRowColumns({
    invoiceId: required.uuid({ unique: true }),
    provider: required.string(20),
    providerIntentId: required.string(255),
    /** Minor units; BIGINT comes back from PostgreSQL as a string. */
    amountMinor: required<string | number>(DataTypes.BIGINT),
    currency: required.char(3),
  });

/**
 * The one PaymentIntent of an invoice at the payment provider (docs/premiums.md, Payment provider):
 * its id, never its client secret, which is read from the provider when the payer asks for it.
 */
export class PaymentIntentRecord extends modelOf('payment_intents', paymentIntentColumns) {}
