/**
 * Per-tenant settings (the durations and limits a tenant may change, docs/architecture.md), with their defaults.
 * Stored as one JSON document per tenant; the API validates writes against TENANT_SETTINGS_KEYS.
 */
import Joi from 'joi';
import { nullable } from './typed-schema';

export interface TenantSettingsValues {
  subscriptionRenewalReminderDays: number;
  claimUnassignedEscalationHours: number;
  claimDocumentsReminderDays: number;
  claimDocumentsEscalationDays: number;
  claimDocumentsAutoDenyDays: number;
  claimWaitingApprovalEscalationHours: number;
  approvalLimitAdjuster: number;
  approvalLimitSeniorAdjuster: number;
  acknowledgementDeadlineDays: number;
  acknowledgementReminderDaysBefore: number;
  acknowledgementGraceDays: number;
  policyReviewReminderDays: number;
  policyReviewLapseDays: number;
  complianceWebhookUrl: string | null;
}

export const DEFAULT_TENANT_SETTINGS: TenantSettingsValues = {
  subscriptionRenewalReminderDays: 30,
  claimUnassignedEscalationHours: 24,
  claimDocumentsReminderDays: 7,
  claimDocumentsEscalationDays: 14,
  claimDocumentsAutoDenyDays: 30,
  claimWaitingApprovalEscalationHours: 48,
  approvalLimitAdjuster: 5000,
  approvalLimitSeniorAdjuster: 25000,
  acknowledgementDeadlineDays: 14,
  acknowledgementReminderDaysBefore: 3,
  acknowledgementGraceDays: 3,
  policyReviewReminderDays: 2,
  policyReviewLapseDays: 14,
  complianceWebhookUrl: null,
};

const positiveInt = Joi.number().integer().min(1);

/** Each setting's rule; every one is optional in a change. */
export const TENANT_SETTINGS_KEYS = {
  subscriptionRenewalReminderDays: positiveInt.max(180),
  claimUnassignedEscalationHours: positiveInt.max(24 * 30),
  claimDocumentsReminderDays: positiveInt.max(365),
  claimDocumentsEscalationDays: positiveInt.max(365),
  claimDocumentsAutoDenyDays: positiveInt.max(365),
  claimWaitingApprovalEscalationHours: positiveInt.max(24 * 30),
  approvalLimitAdjuster: Joi.number().precision(2).min(0),
  approvalLimitSeniorAdjuster: Joi.number().precision(2).min(0),
  acknowledgementDeadlineDays: positiveInt.max(365),
  acknowledgementReminderDaysBefore: positiveInt.max(60),
  acknowledgementGraceDays: positiveInt.max(60),
  policyReviewReminderDays: positiveInt.max(60),
  policyReviewLapseDays: positiveInt.max(365),
  complianceWebhookUrl: nullable(
    Joi.string()
      .max(2048)
      .uri({ scheme: ['http', 'https'] }),
  ),
};
