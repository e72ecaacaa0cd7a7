import { CreationOptional, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';

export type NotificationChannel = 'email' | 'webhook';
/**
 * `sending`: an attempt has claimed the row until `leaseUntil`; `failed`: the last attempt failed, a retry may send;
 * `suppressed`: its tenant was suspended when it was due, so it was never sent, nor will be.
 */
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/**
 * One row per message the system means to send. The unique idempotency key (workflow ID +
 * purpose) is what stops a retried activity from sending twice.
 */
export class Notification extends Row<Notification> {
  declare idempotencyKey: string;
  declare tenantId: string | null;
  declare channel: NotificationChannel;
  declare recipients: string[];
  declare subject: string;
  declare body: CreationOptional<string | null>;
  declare payload: CreationOptional<object | null>;
  declare status: CreationOptional<NotificationStatus>;
  declare attempts: CreationOptional<number>;
  declare lastError: CreationOptional<string | null>;
  declare sentAt: CreationOptional<Date | null>;
  declare leaseUntil: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    Notification.init(
      rowColumns({
        idempotencyKey: required.string(300, { unique: true }),
        tenantId: optional.uuid(),
        channel: required.string(20),
        recipients: required.json(),
        subject: required.string(300),
        body: optional.text(),
        payload: optional.json(),
        status: required.string(20, { defaultValue: 'pending' }),
        attempts: required.integer({ defaultValue: 0 }),
        lastError: optional.text(),
        sentAt: optional.date(),
        leaseUntil: optional.date(),
      }),
      tableOptions(sequelize, 'notifications'),
    );
  }
}
