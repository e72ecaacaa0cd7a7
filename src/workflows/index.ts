/**
 * Every workflow the worker runs, one file per process. Each is exported under the workflow type
 * its contract names (src/contracts) and with the signature the contract declares, which is what
 * starts by name are checked against: a body that drifts from its contract fails to compile here.
 */
import type { AcknowledgementWorkflow } from '../contracts/acknowledgement';
import type { AuditCheckpointWorkflow } from '../contracts/audit-checkpoint';
import type { BulkReassignWorkflow } from '../contracts/bulk-reassign';
import type { CalendarRescheduleWorkflow } from '../contracts/calendar-reschedule';
import type { TenantOffboardingWorkflow } from '../contracts/tenant-offboarding';
import type { ClaimWorkflow } from '../contracts/claim';
import type { ComplianceRecurrenceWorkflow } from '../contracts/compliance-recurrence';
import type { ComplianceRemindWorkflow } from '../contracts/compliance-remind';
import type { DriftRepairWorkflow } from '../contracts/drift-repair';
import type { OnboardingWorkflow } from '../contracts/onboarding';
import type { PolicyApprovalWorkflow } from '../contracts/policy-approval';
import type { PolicyRolloutWorkflow } from '../contracts/policy-rollout';
import type { PremiumRefundWorkflow } from '../contracts/premium-refund';
import type { PrivacyErasureWorkflow } from '../contracts/privacy-erasure';
import type { PrivacyExportWorkflow } from '../contracts/privacy-export';
import type { ReconcilerWorkflow } from '../contracts/reconciler';
import type { KeptRecordsWorkflow, RetentionWorkflow } from '../contracts/retention';
import type { ScheduledReportWorkflow } from '../contracts/scheduled-report';
import type { SubscriptionWorkflow } from '../contracts/subscription';
import type { WebhookDeliveryWorkflow } from '../contracts/webhook-delivery';
import * as acknowledgement from './acknowledgement';
import * as auditCheckpoint from './audit-checkpoint';
import * as bulkReassign from './bulk-reassign';
import * as calendarReschedule from './calendar-reschedule';
import * as tenantOffboarding from './tenant-offboarding';
import * as claim from './claim';
import * as complianceRecurrence from './compliance-recurrence';
import * as complianceRemind from './compliance-remind';
import * as driftRepair from './drift-repair';
import * as keptRecords from './kept-records';
import * as onboardingProcess from './onboarding';
import * as policyApproval from './policy-approval';
import * as policyRollout from './policy-rollout';
import * as premiumRefund from './premium-refund';
import * as privacyErasure from './privacy-erasure';
import * as privacyExport from './privacy-export';
import * as reconciler from './reconciler';
import * as retention from './retention';
import * as scheduledReport from './scheduled-report';
import * as subscription from './subscription';
import * as webhookDelivery from './webhook-delivery';

export const acknowledgementWorkflow: AcknowledgementWorkflow = acknowledgement.acknowledgementWorkflow;
export const auditCheckpointWorkflow: AuditCheckpointWorkflow = auditCheckpoint.auditCheckpointWorkflow;
export const bulkReassignWorkflow: BulkReassignWorkflow = bulkReassign.bulkReassignWorkflow;
export const calendarRescheduleWorkflow: CalendarRescheduleWorkflow = calendarReschedule.calendarRescheduleWorkflow;
export const tenantOffboardingWorkflow: TenantOffboardingWorkflow = tenantOffboarding.tenantOffboardingWorkflow;
export const claimWorkflow: ClaimWorkflow = claim.claimWorkflow;
export const complianceRecurrenceWorkflow: ComplianceRecurrenceWorkflow = complianceRecurrence.complianceRecurrenceWorkflow;
export const complianceRemindWorkflow: ComplianceRemindWorkflow = complianceRemind.complianceRemindWorkflow;
export const driftRepairWorkflow: DriftRepairWorkflow = driftRepair.driftRepairWorkflow;
export const keptRecordsWorkflow: KeptRecordsWorkflow = keptRecords.keptRecordsWorkflow;
export const onboarding: OnboardingWorkflow = onboardingProcess.onboarding;
export const policyApprovalWorkflow: PolicyApprovalWorkflow = policyApproval.policyApprovalWorkflow;
export const policyRolloutWorkflow: PolicyRolloutWorkflow = policyRollout.policyRolloutWorkflow;
export const premiumRefundWorkflow: PremiumRefundWorkflow = premiumRefund.premiumRefundWorkflow;
export const privacyErasureWorkflow: PrivacyErasureWorkflow = privacyErasure.privacyErasureWorkflow;
export const privacyExportWorkflow: PrivacyExportWorkflow = privacyExport.privacyExportWorkflow;
export const reconcilerWorkflow: ReconcilerWorkflow = reconciler.reconcilerWorkflow;
export const retentionWorkflow: RetentionWorkflow = retention.retentionWorkflow;
export const scheduledReportWorkflow: ScheduledReportWorkflow = scheduledReport.scheduledReportWorkflow;
export const subscriptionWorkflow: SubscriptionWorkflow = subscription.subscriptionWorkflow;
export const webhookDeliveryWorkflow: WebhookDeliveryWorkflow = webhookDelivery.webhookDeliveryWorkflow;
