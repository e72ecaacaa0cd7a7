import { modelOf, required, optional, rowColumns } from './columns';

export type NotificationChannel = 'email' | 'webhook';
/**
 * `sending`: an attempt has claimed the row until `leaseUntil`; `failed`: the last attempt failed, a retry may send;
 * `suppressed`: its tenant was suspended when it was due, so it was never sent, nor will be;
 * `recipient_erased`: its recipients' erasure was accepted before it was sent, so neither (`payload.erasureIds` names the erasures).
 */
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'recipient_erased';

const notificationColumns = () =>
  rowColumns({
    idempotencyKey: required.string(300, { unique: true }),
    tenantId: optional.uuid(),
    channel: required.string<NotificationChannel>(20),
    recipients: required.json<string[]>(),
    subject: required.string(300),
    body: optional.text(),
    payload: optional.json<object>(),
    status: required.string<NotificationStatus>(20, { defaultValue: 'pending' }),
    attempts: required.integer({ defaultValue: 0 }),
    lastError: optional.text(),
    sentAt: optional.date(),
    leaseUntil: optional.date(),
  });

/**
 * One row per message the system means to send. The unique idempotency key (workflow ID +
 * purpose) is what stops a retried activity from sending twice.
 */
export class Notification extends modelOf('notifications', notificationColumns) {}
