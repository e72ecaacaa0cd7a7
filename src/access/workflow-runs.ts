/**
 * A workflow run is visible to whoever may see the resource it belongs to, found by the workflow
 * ID its row stores: a policyholder sees only their own subscription and claim runs, an employee
 * their own acknowledgement runs, compliance roles the policy reviews, rollouts and recurrences and every
 * acknowledgement run, platform admins the onboarding and offboarding runs, the roles of a saved report's kind its
 * scheduled deliveries, a tenant's admins its webhook deliveries and erasures, a subject access
 * export's requester, subject and tenant admins its export run, finance and tenant admins a month's close.
 */
import Joi from 'joi';
import type { Model, WhereOptions } from 'sequelize';
import { acknowledgementRun } from '../contracts/acknowledgement';
import { driftRepairRun } from '../contracts/drift-repair';
import { incidentRetryRun } from '../contracts/incident-retry';
import { ledgerCloseRun } from '../contracts/ledger-close';
import { calendarRescheduleRun } from '../contracts/calendar-reschedule';
import { bulkReassignRun } from '../contracts/bulk-reassign';
import { claimRun } from '../contracts/claim';
import { complianceRecurrenceRun } from '../contracts/compliance-recurrence';
import { complianceRemindRun } from '../contracts/compliance-remind';
import { onboardingRun } from '../contracts/onboarding';
import { policyApprovalRun } from '../contracts/policy-approval';
import { policyRolloutRun } from '../contracts/policy-rollout';
import { premiumRefundRun } from '../contracts/premium-refund';
import { privacyErasureRun } from '../contracts/privacy-erasure';
import { privacyExportRun } from '../contracts/privacy-export';
import { quoteReferralRun } from '../contracts/quote-referral';
import { REPORT_WORKFLOW_ID_PREFIX } from '../contracts/scheduled-report';
import { subscriptionRun } from '../contracts/subscription';
import { tenantOffboardingRun } from '../contracts/tenant-offboarding';
import { webhookDeliveryRun } from '../contracts/webhook-delivery';
import type { AuthUser } from '../shared/caller';
import { claimAccess } from './claims';
import { acknowledgementAccess, compliancePolicyAccess, policyVersionAccess } from './compliance';
import { complianceRemindAccess } from './compliance-requirements';
import type { AccessRule } from './core';
import { premiumRefundAccess } from './invoices';
import { bulkOperationAccess } from './operations';
import { registrationAccess } from './platform';
import { privacyErasureAccess } from './privacy-erasures';
import { privacyExportAccess } from './privacy-exports';
import { quoteAccess } from './quotes';
import { reportDefinitionAccess } from './reports';
import { subscriptionAccess } from './subscriptions';
import { roleMay } from './verbs';
import { webhookDeliveryAccess } from './webhooks';

const UUID = Joi.string().uuid();

/** The row that owns the run, looked up through its access rule (its model and what it lets the caller see). */
type OwnerLookup = (caller: AuthUser, workflowId: string) => Promise<boolean>;

function ownerByWorkflowId<M extends Model>(rule: AccessRule<M, string>): OwnerLookup {
  return async (caller, workflowId) => {
    // Every model that owns runs stores their workflow ID; a generic model type cannot say so.
    const where: WhereOptions = { workflowId };
    const row = await rule.model.findOne({ where });
    return row !== null && rule.canSee(caller, row);
  };
}

/**
 * For runs whose ID is built from their owner's id, which the row does not store:
 * `<prefix><id>` followed by nothing or by what `suffix` accepts.
 */
function ownerByIdIn<M extends Model>(prefix: string, rule: AccessRule<M, string>, suffix = /^$/): OwnerLookup {
  return async (caller, workflowId) => {
    const id = workflowId.slice(prefix.length, prefix.length + 36);
    if (UUID.validate(id).error || !suffix.test(workflowId.slice(prefix.length + 36))) return false;
    const row = await rule.model.findByPk(id);
    return row !== null && rule.canSee(caller, row);
  };
}

/**
 * A month's close (`ledger-close-<tenantId>-<YYYY-MM>`) belongs to the tenant's books, which have no row of
 * their own before the close: whoever may view that tenant's ledger sees it.
 */
const ledgerCloseOwner: OwnerLookup = async (caller, workflowId) => {
  const tenantId = workflowId.slice(ledgerCloseRun.idPrefix.length, ledgerCloseRun.idPrefix.length + 36);
  const month = workflowId.slice(ledgerCloseRun.idPrefix.length + 36);
  return caller.tenantId === tenantId && /^-\d{4}-\d{2}$/.test(month) && roleMay(caller.role, 'viewLedger');
};

const RUN_OWNERS: Array<[prefix: string, lookup: OwnerLookup]> = [
  [subscriptionRun.idPrefix, ownerByWorkflowId(subscriptionAccess)],
  [claimRun.idPrefix, ownerByWorkflowId(claimAccess)],
  [acknowledgementRun.idPrefix, ownerByWorkflowId(acknowledgementAccess)],
  // The publication's rollout and a recurring policy's later cycles (`-cycle-<n>`).
  [policyRolloutRun.idPrefix, ownerByIdIn(policyRolloutRun.idPrefix, policyVersionAccess, /^(-cycle-\d+)?$/)],
  [complianceRecurrenceRun.idPrefix, ownerByIdIn(complianceRecurrenceRun.idPrefix, compliancePolicyAccess)],
  [complianceRemindRun.idPrefix, ownerByWorkflowId(complianceRemindAccess)],
  [bulkReassignRun.idPrefix, ownerByWorkflowId(bulkOperationAccess)],
  [calendarRescheduleRun.idPrefix, ownerByWorkflowId(bulkOperationAccess)],
  [driftRepairRun.idPrefix, ownerByWorkflowId(bulkOperationAccess)],
  [incidentRetryRun.idPrefix, ownerByWorkflowId(bulkOperationAccess)],
  [onboardingRun.idPrefix, ownerByWorkflowId(registrationAccess)],
  [tenantOffboardingRun.idPrefix, ownerByWorkflowId(bulkOperationAccess)],
  [policyApprovalRun.idPrefix, ownerByIdIn(policyApprovalRun.idPrefix, policyVersionAccess)],
  // A scheduled delivery: its definition's schedule ID and the scheduled time.
  [REPORT_WORKFLOW_ID_PREFIX, ownerByIdIn(REPORT_WORKFLOW_ID_PREFIX, reportDefinitionAccess, /^-.+$/)],
  // A webhook delivery's first run and its replays (`-replay-<n>`).
  [webhookDeliveryRun.idPrefix, ownerByIdIn(webhookDeliveryRun.idPrefix, webhookDeliveryAccess, /^(-replay-\d+)?$/)],
  [premiumRefundRun.idPrefix, ownerByIdIn(premiumRefundRun.idPrefix, premiumRefundAccess)],
  [privacyErasureRun.idPrefix, ownerByWorkflowId(privacyErasureAccess)],
  [privacyExportRun.idPrefix, ownerByWorkflowId(privacyExportAccess)],
  [quoteReferralRun.idPrefix, ownerByIdIn(quoteReferralRun.idPrefix, quoteAccess)],
  [ledgerCloseRun.idPrefix, ledgerCloseOwner],
];

export async function mayViewRun(caller: AuthUser, workflowId: string): Promise<boolean> {
  const owner = RUN_OWNERS.find(([prefix]) => workflowId.startsWith(prefix));
  return owner !== undefined && owner[1](caller, workflowId);
}
