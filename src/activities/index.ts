/** Every activity the worker registers, built from injected dependencies. */
import type { ActivityDeps, ClaimDecisionDeps, DriftRepairDeps, IncidentRetryDeps, ReportDeliveryDeps } from './deps';
import { createAudienceActivities } from './audience';
import { createBulkReassignActivities } from './bulk-reassign';
import { createBusinessTimeActivities } from './business-time';
import { createCalendarRescheduleActivities } from './calendar-reschedule';
import { createTenantOffboardingActivities } from './tenant-offboarding';
import { createClaimActivities } from './claims';
import { createClaimPaymentActivities } from './claim-payments';
import { createClaimReserveActivities } from './claim-reserves';
import { createDriftRepairActivities } from './drift-repair';
import { createIncidentRetryActivities } from './incident-retry';
import { createComplianceActivities } from './compliance';
import { createComplianceRecurrenceActivities } from './compliance-recurrence';
import { createComplianceRemindActivities } from './compliance-remind';
import { createKeptRecordsActivities } from './kept-records';
import { createLedgerReconciliationActivities } from './ledger-reconciliation';
import { createLedgerCloseActivities } from './ledger-close';
import { createNotificationActivities } from './notifications';
import { createPolicyApprovalActivities } from './policy-approval';
import { createPremiumReconcilerActivities } from './premium-reconciler';
import { createPremiumRefundActivities } from './premium-refunds';
import { createPrivacyErasureActivities } from './privacy-erasure';
import { createPrivacyExportActivities } from './privacy-export';
import { createQuoteReferralActivities } from './quote-referral';
import { createReportDeliveryActivities } from './report-delivery';
import { createReconcilerActivities } from './reconciler';
import { createRetentionActivities } from './retention';
import { createAuditCheckpointActivities } from './audit-checkpoint';
import { createSubscriptionActivities } from './subscriptions';
import { createSubscriptionChangeActivities } from './subscription-changes';
import { createOnboardingActivities } from './onboarding';
import { createWebhookDeliveryActivities } from './webhook-delivery';

export function createActivities(deps: ActivityDeps & ReportDeliveryDeps & ClaimDecisionDeps & DriftRepairDeps & IncidentRetryDeps) {
  return {
    ...createNotificationActivities(deps),
    ...createAuditCheckpointActivities(deps),
    ...createComplianceActivities(deps),
    ...createAudienceActivities(deps),
    ...createComplianceRemindActivities(deps),
    ...createComplianceRecurrenceActivities(deps),
    ...createClaimActivities(deps),
    ...createClaimReserveActivities(deps),
    ...createClaimPaymentActivities(deps),
    ...createBusinessTimeActivities(),
    ...createCalendarRescheduleActivities(deps),
    ...createTenantOffboardingActivities(deps),
    ...createBulkReassignActivities(deps),
    ...createDriftRepairActivities(deps),
    ...createIncidentRetryActivities(deps),
    ...createSubscriptionActivities(deps),
    ...createSubscriptionChangeActivities(deps),
    ...createOnboardingActivities(deps),
    ...createPolicyApprovalActivities(deps),
    ...createPremiumRefundActivities(deps),
    ...createPrivacyErasureActivities(deps),
    ...createPrivacyExportActivities(deps),
    ...createQuoteReferralActivities(deps),
    ...createRetentionActivities(deps),
    ...createKeptRecordsActivities(deps),
    ...createLedgerReconciliationActivities(deps),
    ...createLedgerCloseActivities(deps),
    ...createReportDeliveryActivities(deps),
    ...createReconcilerActivities(deps),
    ...createPremiumReconcilerActivities(deps),
    ...createWebhookDeliveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps, ClaimDecisionDeps, DriftRepairDeps, IncidentRetryDeps, ReportDeliveryDeps };
