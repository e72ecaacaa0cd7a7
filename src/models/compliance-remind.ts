import { modelOf, required, optional, uuidKey, tenantColumn, timestampColumns } from './columns';
import type { RemindRecipientStatus } from '../contracts/compliance-remind';

const complianceRemindColumns = () => ({
  id: uuidKey(),
  ...tenantColumn(),
  versionId: required.uuid(),
  requestedById: required.uuid(),
  workflowId: required.string(200),
  ...timestampColumns(),
});

/**
 * One "remind now" of a published policy version, run by `compliance-remind-<id>`: everyone whose
 * acknowledgement was open when it was asked is one recipient row.
 */
export class ComplianceRemind extends modelOf('compliance_reminds', complianceRemindColumns) {}

const complianceRemindRecipientColumns = () => ({
  remindId: required.uuid({ primaryKey: true }),
  acknowledgementId: required.uuid({ primaryKey: true }),
  status: required.string<RemindRecipientStatus>(20, { defaultValue: 'pending' }),
  handledAt: optional.date(),
});

/** One person a remind reaches (through their acknowledgement), and whether it has. */
export class ComplianceRemindRecipient extends modelOf('compliance_remind_recipients', complianceRemindRecipientColumns, {
  timestamps: false,
}) {}
