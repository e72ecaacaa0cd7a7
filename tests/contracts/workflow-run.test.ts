/**
 * How each process's runs are named (src/contracts/workflow-run.ts): the workflow type names and ID
 * prefixes are in recorded histories and in runs in flight, and the access rules find a run's owner
 * by its prefix, so each stays the string it was when its process began.
 */
import { acknowledgementRun } from '../../src/contracts/acknowledgement';
import { bulkReassignRun } from '../../src/contracts/bulk-reassign';
import { calendarRescheduleRun } from '../../src/contracts/calendar-reschedule';
import { claimRun } from '../../src/contracts/claim';
import { complianceRecurrenceRun } from '../../src/contracts/compliance-recurrence';
import { complianceRemindRun } from '../../src/contracts/compliance-remind';
import { driftRepairRun } from '../../src/contracts/drift-repair';
import { incidentRetryRun } from '../../src/contracts/incident-retry';
import { ledgerCloseRun } from '../../src/contracts/ledger-close';
import { onboardingRun } from '../../src/contracts/onboarding';
import { policyApprovalRun } from '../../src/contracts/policy-approval';
import { policyRolloutRun } from '../../src/contracts/policy-rollout';
import { premiumRefundRun } from '../../src/contracts/premium-refund';
import { privacyErasureRun } from '../../src/contracts/privacy-erasure';
import { privacyExportRun } from '../../src/contracts/privacy-export';
import { quoteReferralRun } from '../../src/contracts/quote-referral';
import { subscriptionRun } from '../../src/contracts/subscription';
import { tenantOffboardingRun } from '../../src/contracts/tenant-offboarding';
import { webhookDeliveryRun } from '../../src/contracts/webhook-delivery';

const RUNS = {
  acknowledgementRun,
  bulkReassignRun,
  calendarRescheduleRun,
  claimRun,
  complianceRecurrenceRun,
  complianceRemindRun,
  driftRepairRun,
  incidentRetryRun,
  ledgerCloseRun,
  onboardingRun,
  policyApprovalRun,
  policyRolloutRun,
  premiumRefundRun,
  privacyErasureRun,
  privacyExportRun,
  quoteReferralRun,
  subscriptionRun,
  tenantOffboardingRun,
  webhookDeliveryRun,
};

describe('the names of a process’s runs', () => {
  it('keeps every workflow type and ID prefix as histories and runs in flight have them', () => {
    expect(Object.fromEntries(Object.entries(RUNS).map(([name, run]) => [name, [run.type, run.idPrefix]]))).toEqual({
      acknowledgementRun: ['acknowledgementWorkflow', 'ack-'],
      bulkReassignRun: ['bulkReassignWorkflow', 'bulk-reassign-'],
      calendarRescheduleRun: ['calendarRescheduleWorkflow', 'calendar-reschedule-'],
      claimRun: ['claimWorkflow', 'claim-'],
      complianceRecurrenceRun: ['complianceRecurrenceWorkflow', 'compliance-recurrence-'],
      complianceRemindRun: ['complianceRemindWorkflow', 'compliance-remind-'],
      driftRepairRun: ['driftRepairWorkflow', 'drift-repair-'],
      incidentRetryRun: ['incidentRetryWorkflow', 'incident-retry-'],
      ledgerCloseRun: ['ledgerCloseWorkflow', 'ledger-close-'],
      onboardingRun: ['onboarding', 'onboarding-'],
      policyApprovalRun: ['policyApprovalWorkflow', 'policy-approval-'],
      policyRolloutRun: ['policyRolloutWorkflow', 'policy-rollout-'],
      premiumRefundRun: ['premiumRefundWorkflow', 'premium-refund-'],
      privacyErasureRun: ['privacyErasureWorkflow', 'privacy-erasure-'],
      privacyExportRun: ['privacyExportWorkflow', 'privacy-export-'],
      quoteReferralRun: ['quoteReferralWorkflow', 'quote-referral-'],
      subscriptionRun: ['subscriptionWorkflow', 'subscription-'],
      tenantOffboardingRun: ['tenantOffboardingWorkflow', 'tenant-offboarding-'],
      webhookDeliveryRun: ['webhookDeliveryWorkflow', 'webhook-delivery-'],
    });
  });

  it('writes each run’s ID as its prefix and its key', () => {
    expect(subscriptionRun.id('0b6c…')).toBe('subscription-0b6c…');
    expect(claimRun.id('acme', 'CLM-2026-000042')).toBe('claim-acme-CLM-2026-000042');
    expect(ledgerCloseRun.id('t-1', '2026-10')).toBe('ledger-close-t-1-2026-10');
    expect([
      acknowledgementRun.id('a'),
      acknowledgementRun.id('a', 2),
      acknowledgementRun.id('a', 1, 3),
      acknowledgementRun.id('a', 2, 3),
    ]).toEqual(['ack-a', 'ack-a-2', 'ack-a-c3', 'ack-a-c3-2']);
    expect([policyRolloutRun.id('v'), policyRolloutRun.id('v', 2)]).toEqual(['policy-rollout-v', 'policy-rollout-v-cycle-2']);
    expect([webhookDeliveryRun.id('d'), webhookDeliveryRun.id('d', 0), webhookDeliveryRun.id('d', 3)]).toEqual([
      'webhook-delivery-d',
      'webhook-delivery-d',
      'webhook-delivery-d-replay-3',
    ]);
  });
});
