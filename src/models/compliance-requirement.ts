import { modelOf, required, optional, tenantColumn, tenantRowColumns } from './columns';

const complianceRequirementColumns = () => ({
  ...tenantRowColumns({
    title: required.string(200),
    /** The framework and control it answers to, as the auditors name it. */
    frameworkRef: required.string(100),
    description: optional.text(),
    ownerId: required.uuid(),
    dueAt: required.date(),
    createdById: required.uuid(),
  }),
  deletedAt: optional.date(),
});

/**
 * Something a tenant (a customer of the platform) must be able to show, e.g. the control
 * "ISO 27001 A.5.1", owned by one of its users, due by a date, and satisfied by the
 * acknowledgements of the compliance policies linked to it. Soft-deleted.
 */
export class ComplianceRequirement extends modelOf('compliance_requirements', complianceRequirementColumns, { paranoid: true }) {}

const complianceRequirementPolicyColumns = () => ({
  requirementId: required.uuid({ primaryKey: true }),
  policyId: required.uuid({ primaryKey: true }),
  ...tenantColumn(),
});

/** One compliance policy that satisfies a requirement. */
export class ComplianceRequirementPolicy extends modelOf('compliance_requirement_policies', complianceRequirementPolicyColumns, {
  timestamps: false,
}) {}
