import { modelOf, required, optional, tenantRowColumns } from './columns';

const reportRecipientConfirmationColumns = () =>
  tenantRowColumns({
    definitionId: required.uuid(),
    /** Lower case, as the definition's recipients. */
    email: required.string(254),
    tokenHash: required.string(64, { unique: true }),
    expiresAt: required.date(),
    confirmedAt: optional.date(),
  });

/**
 * An address outside the tenant's staff that a report definition names as a recipient, and the
 * link mailed to it (docs/reports.md, Who receives a report): stored only as the link's SHA-256,
 * usable once, until it expires. The address receives the definition's report once `confirmedAt`
 * is set, never before. One row per definition and address; a new link replaces the old.
 */
export class ReportRecipientConfirmation extends modelOf('report_recipient_confirmations', reportRecipientConfirmationColumns) {}
