import { CreationOptional, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, optional, idColumn, tableOptions } from './columns';
import { EVENT_OUTCOMES } from './migrations/0041-payment-provider';

export type PaymentEventOutcome = (typeof EVENT_OUTCOMES)[number];
export { EVENT_OUTCOMES };

/**
 * A verified webhook event of the payment provider, stored once (docs/premiums.md, Payment
 * provider). `invoiceId` and `tenantId` are what the event's metadata claimed; `outcome` says
 * whether it was applied to that invoice or why not.
 */
export class PaymentProviderEvent extends Model<InferAttributes<PaymentProviderEvent>, InferCreationAttributes<PaymentProviderEvent>> {
  declare id: CreationOptional<string>;
  declare provider: string;
  declare eventId: string;
  declare type: string;
  declare objectId: string | null;
  declare invoiceId: string | null;
  declare tenantId: string | null;
  declare payload: object;
  declare receivedAt: Date;
  declare processedAt: CreationOptional<Date | null>;
  declare outcome: CreationOptional<PaymentEventOutcome | null>;

  static initModel(sequelize: Sequelize): void {
    PaymentProviderEvent.init(
      {
        ...idColumn(),
        provider: required.string(20),
        eventId: required.string(255),
        type: required.string(100),
        objectId: optional.string(255),
        invoiceId: optional.uuid(),
        tenantId: optional.uuid(),
        payload: required.json(),
        receivedAt: required.date(),
        processedAt: optional.date(),
        outcome: optional.string(30),
      },
      tableOptions(sequelize, 'payment_provider_events', { timestamps: false }),
    );
  }
}
