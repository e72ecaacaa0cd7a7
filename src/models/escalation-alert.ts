import { modelOf, required, optional, tenantRowColumns } from './columns';

export type AlertChannel = 'email' | 'webhook';
/** `no_recipients`: nobody to tell (no officer, no webhook configured); kept so the gap is visible. */
export type AlertDeliveryStatus = 'pending' | 'sent' | 'failed' | 'no_recipients' | 'suppressed';

const escalationAlertColumns = () =>
  tenantRowColumns({
    acknowledgementId: required.uuid(),
    level: required.integer(),
    channel: required.string<AlertChannel>(20),
    recipients: required.json<string[]>({ defaultValue: [] }),
    deliveryStatus: required.string<AlertDeliveryStatus>(20, { defaultValue: 'pending' }),
    lastError: optional.text(),
    sentAt: optional.date(),
  });

/** Every escalation of an overdue acknowledgement, one row per level and channel. */
export class EscalationAlert extends modelOf('escalation_alerts', escalationAlertColumns) {}
