import { modelOf, required, optional, tenantRowColumns } from './columns';

const compliancePolicyColumns = () =>
  tenantRowColumns({
    title: required.string(200),
    description: optional.text(),
    /** Every how many days after its current version's publication everyone attests again; null: once. */
    recurrenceDays: optional.integer(),
    /** A retired policy starts no more attestation cycles. */
    retiredAt: optional.date(),
    createdById: required.uuid(),
  });

/** A compliance policy of a tenant; its text lives in its versions. */
export class CompliancePolicy extends modelOf('compliance_policies', compliancePolicyColumns) {}
