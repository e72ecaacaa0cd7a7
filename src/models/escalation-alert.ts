import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';

export type AlertChannel = 'email' | 'webhook';
/** `no_recipients`: nobody to tell (no officer, no webhook configured); kept so the gap is visible. */
export type AlertDeliveryStatus = 'pending' | 'sent' | 'failed' | 'no_recipients' | 'suppressed';

/** Every escalation of an overdue acknowledgement, one row per level and channel. */
export class EscalationAlert extends TenantRow<EscalationAlert> {
  declare acknowledgementId: string;
  declare level: number;
  declare channel: AlertChannel;
  declare recipients: CreationOptional<string[]>;
  declare deliveryStatus: CreationOptional<AlertDeliveryStatus>;
  declare lastError: CreationOptional<string | null>;
  declare sentAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    EscalationAlert.init(
      tenantRowColumns({
        acknowledgementId: required.uuid(),
        level: required.integer(),
        channel: required.string(20),
        recipients: required.json({ defaultValue: [] }),
        deliveryStatus: required.string(20, { defaultValue: 'pending' }),
        lastError: optional.text(),
        sentAt: optional.date(),
      }),
      tableOptions(sequelize, 'escalation_alerts'),
    );
  }
}
