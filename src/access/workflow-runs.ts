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
import { ACKNOWLEDGEMENT_WORKFLOW_ID_PREFIX } from '../contracts/acknowledgement';
import { DRIFT_REPAIR_WORKFLOW_ID_PREFIX } from '../contracts/drift-repair';
import { INCIDENT_RETRY_WORKFLOW_ID_PREFIX } from '../contracts/incident-retry';
import { LEDGER_CLOSE_WORKFLOW_ID_PREFIX } from '../contracts/ledger-close';
import { CALENDAR_RESCHEDULE_WORKFLOW_ID_PREFIX } from '../contracts/calendar-reschedule';
import { BULK_REASSIGN_WORKFLOW_ID_PREFIX } from '../contracts/bulk-reassign';
import { CLAIM_WORKFLOW_ID_PREFIX } from '../contracts/claim';
import { COMPLIANCE_RECURRENCE_WORKFLOW_ID_PREFIX } from '../contracts/compliance-recurrence';
import { COMPLIANCE_REMIND_WORKFLOW_ID_PREFIX } from '../contracts/compliance-remind';
import { ONBOARDING_WORKFLOW_ID_PREFIX } from '../contracts/onboarding';
import { POLICY_APPROVAL_WORKFLOW_ID_PREFIX } from '../contracts/policy-approval';
import { POLICY_ROLLOUT_WORKFLOW_ID_PREFIX } from '../contracts/policy-rollout';
import { PREMIUM_REFUND_WORKFLOW_ID_PREFIX } from '../contracts/premium-refund';
import { PRIVACY_ERASURE_WORKFLOW_ID_PREFIX } from '../contracts/privacy-erasure';
import { PRIVACY_EXPORT_WORKFLOW_ID_PREFIX } from '../contracts/privacy-export';
import { QUOTE_REFERRAL_WORKFLOW_ID_PREFIX } from '../contracts/quote-referral';
import { REPORT_WORKFLOW_ID_PREFIX } from '../contracts/scheduled-report';
import { SUBSCRIPTION_WORKFLOW_ID_PREFIX } from '../contracts/subscription';
import { TENANT_OFFBOARDING_WORKFLOW_ID_PREFIX } from '../contracts/tenant-offboarding';
import { WEBHOOK_DELIVERY_WORKFLOW_ID_PREFIX } from '../contracts/webhook-delivery';
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
  const tenantId = workflowId.slice(LEDGER_CLOSE_WORKFLOW_ID_PREFIX.length, LEDGER_CLOSE_WORKFLOW_ID_PREFIX.length + 36);
  const month = workflowId.slice(LEDGER_CLOSE_WORKFLOW_ID_PREFIX.length + 36);
  return caller.tenantId === tenantId && /^-\d{4}-\d{2}$/.test(month) && roleMay(caller.role, 'viewLedger');
};

const RUN_OWNERS: Array<[prefix: string, lookup: OwnerLookup]> = [
  [SUBSCRIPTION_WORKFLOW_ID_PREFIX, ownerByWorkflowId(subscriptionAccess)],
  [CLAIM_WORKFLOW_ID_PREFIX, ownerByWorkflowId(claimAccess)],
  [ACKNOWLEDGEMENT_WORKFLOW_ID_PREFIX, ownerByWorkflowId(acknowledgementAccess)],
  // The publication's rollout and a recurring policy's later cycles (`-cycle-<n>`).
  [POLICY_ROLLOUT_WORKFLOW_ID_PREFIX, ownerByIdIn(POLICY_ROLLOUT_WORKFLOW_ID_PREFIX, policyVersionAccess, /^(-cycle-\d+)?$/)],
  [COMPLIANCE_RECURRENCE_WORKFLOW_ID_PREFIX, ownerByIdIn(COMPLIANCE_RECURRENCE_WORKFLOW_ID_PREFIX, compliancePolicyAccess)],
  [COMPLIANCE_REMIND_WORKFLOW_ID_PREFIX, ownerByWorkflowId(complianceRemindAccess)],
  [BULK_REASSIGN_WORKFLOW_ID_PREFIX, ownerByWorkflowId(bulkOperationAccess)],
  [CALENDAR_RESCHEDULE_WORKFLOW_ID_PREFIX, ownerByWorkflowId(bulkOperationAccess)],
  [DRIFT_REPAIR_WORKFLOW_ID_PREFIX, ownerByWorkflowId(bulkOperationAccess)],
  [INCIDENT_RETRY_WORKFLOW_ID_PREFIX, ownerByWorkflowId(bulkOperationAccess)],
  [ONBOARDING_WORKFLOW_ID_PREFIX, ownerByWorkflowId(registrationAccess)],
  [TENANT_OFFBOARDING_WORKFLOW_ID_PREFIX, ownerByWorkflowId(bulkOperationAccess)],
  [POLICY_APPROVAL_WORKFLOW_ID_PREFIX, ownerByIdIn(POLICY_APPROVAL_WORKFLOW_ID_PREFIX, policyVersionAccess)],
  // A scheduled delivery: its definition's schedule ID and the scheduled time.
  [REPORT_WORKFLOW_ID_PREFIX, ownerByIdIn(REPORT_WORKFLOW_ID_PREFIX, reportDefinitionAccess, /^-.+$/)],
  // A webhook delivery's first run and its replays (`-replay-<n>`).
  [WEBHOOK_DELIVERY_WORKFLOW_ID_PREFIX, ownerByIdIn(WEBHOOK_DELIVERY_WORKFLOW_ID_PREFIX, webhookDeliveryAccess, /^(-replay-\d+)?$/)],
  [PREMIUM_REFUND_WORKFLOW_ID_PREFIX, ownerByIdIn(PREMIUM_REFUND_WORKFLOW_ID_PREFIX, premiumRefundAccess)],
  [PRIVACY_ERASURE_WORKFLOW_ID_PREFIX, ownerByWorkflowId(privacyErasureAccess)],
  [PRIVACY_EXPORT_WORKFLOW_ID_PREFIX, ownerByWorkflowId(privacyExportAccess)],
  [QUOTE_REFERRAL_WORKFLOW_ID_PREFIX, ownerByIdIn(QUOTE_REFERRAL_WORKFLOW_ID_PREFIX, quoteAccess)],
  [LEDGER_CLOSE_WORKFLOW_ID_PREFIX, ledgerCloseOwner],
];

export async function mayViewRun(caller: AuthUser, workflowId: string): Promise<boolean> {
  const owner = RUN_OWNERS.find(([prefix]) => workflowId.startsWith(prefix));
  return owner !== undefined && owner[1](caller, workflowId);
}
