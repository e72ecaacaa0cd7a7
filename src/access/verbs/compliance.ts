/**
 * Who may act on compliance (docs/compliance.md): the tenant's compliance roles write policies,
 * versions and requirements and follow them; its staff acknowledge what is addressed to them;
 * reviewers decide a version in review (the run's validator checks the four eyes). Which rows
 * each sees is the access rules' (src/access/compliance.ts, compliance-requirements.ts).
 */
import { type Role, STAFF_ROLES } from '../../shared/roles';

const COMPLIANCE_OFFICERS: readonly Role[] = ['compliance_officer', 'tenant_admin'];

export const COMPLIANCE_VERBS = {
  /** Policies and their versions, whole: anyone else reads only what their own acknowledgement shows. */
  readCompliancePolicies: COMPLIANCE_OFFICERS,
  listCompliancePolicies: COMPLIANCE_OFFICERS,
  viewCompliancePolicy: COMPLIANCE_OFFICERS,
  createCompliancePolicy: COMPLIANCE_OFFICERS,
  changeCompliancePolicy: COMPLIANCE_OFFICERS,
  retireCompliancePolicy: COMPLIANCE_OFFICERS,
  listPolicyVersions: COMPLIANCE_OFFICERS,
  writePolicyVersion: COMPLIANCE_OFFICERS,
  changePolicyVersion: COMPLIANCE_OFFICERS,
  submitPolicyVersion: COMPLIANCE_OFFICERS,
  publishPolicyVersion: COMPLIANCE_OFFICERS,
  /** Decide a version in review (neither its author nor its submitter: the run's four eyes). */
  reviewPolicyVersion: ['compliance_officer', 'tenant_admin'],
  /** A version's acknowledgement report, its evidence package and the key that signs it; the escalations sent. */
  viewAcknowledgementReport: COMPLIANCE_OFFICERS,
  downloadEvidencePackage: COMPLIANCE_OFFICERS,
  viewSigningKey: COMPLIANCE_OFFICERS,
  listEscalations: COMPLIANCE_OFFICERS,
  /** Be mailed an escalation beyond the employee's manager: the compliance officers alone. */
  hearOfEscalations: ['compliance_officer'],
  /** See everyone's acknowledgements of the tenant, not only one's own. */
  viewEveryAcknowledgement: COMPLIANCE_OFFICERS,
  remindPendingAcknowledgements: COMPLIANCE_OFFICERS,
  viewRemind: COMPLIANCE_OFFICERS,
  /** One's own acknowledgements: the staff, whom policies are addressed to. */
  listOwnAcknowledgements: STAFF_ROLES,
  acknowledgePolicy: STAFF_ROLES,
  /** Own a requirement (it is followed on their authority): a staff member. */
  ownRequirement: STAFF_ROLES,
  /** Requirements per customer and their progress. */
  listRequirements: COMPLIANCE_OFFICERS,
  viewRequirement: COMPLIANCE_OFFICERS,
  createRequirement: COMPLIANCE_OFFICERS,
  changeRequirement: COMPLIANCE_OFFICERS,
  deleteRequirement: COMPLIANCE_OFFICERS,
  /** Every tenant's requirements, the customer compliance view. */
  viewCustomerCompliance: ['platform_admin'],
} as const satisfies Record<string, readonly Role[]>;
