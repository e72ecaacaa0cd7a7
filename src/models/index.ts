/** All models, initialised on one Sequelize instance, with their associations. */
import { Sequelize } from 'sequelize';
import { Acknowledgement } from './acknowledgement';
import { ActivityIncident } from './activity-incident';
import { AuditEvent } from './audit-event';
import { BulkOperation, BulkOperationItem } from './bulk-operation';
import { PrivacyErasure, PrivacyLegalHold } from './privacy-erasure';
import { TenantOffboarding } from './tenant-offboarding';
import { PlatformAdminProposal } from './platform-admin-proposal';
import { Category } from './category';
import { Claim } from './claim';
import { ClaimDocument } from './claim-document';
import { ClaimHistory } from './claim-history';
import { ClaimNote } from './claim-note';
import { ClaimRecovery } from './claim-recovery';
import { ClaimReserveChange } from './claim-reserve-change';
import { ClaimReserveLine } from './claim-reserve-line';
import { ClaimNoteRevision } from './claim-note-revision';
import { CompliancePolicy } from './compliance-policy';
import { ComplianceRemind, ComplianceRemindRecipient } from './compliance-remind';
import { ComplianceRequirement, ComplianceRequirementPolicy } from './compliance-requirement';
import { EmailVerificationToken, type RequestedAccount, type UnverifiedRegistration } from './email-verification-token';
import { EscalationAlert } from './escalation-alert';
import { IdempotencyRecord } from './idempotency-record';
import { MfaChallenge, MfaRecoveryCode, UserMfa, type MfaChallengePurpose } from './mfa';
import { Notification } from './notification';
import { OutboxMessage } from './outbox-message';
import { PasswordResetToken } from './password-reset-token';
import { Invoice, PremiumPayment, PremiumRefund } from './invoice';
import { ClaimPayment } from './claim-payment';
import { PaymentBatch } from './payment-batch';
import { PersonDataKey } from './person-data-key';
import { PaymentIntentRecord } from './payment-intent';
import { EVENT_OUTCOMES, PaymentProviderEvent, type PaymentEventOutcome } from './payment-provider-event';
import { Plan } from './plan';
import { PolicyVersion } from './policy-version';
import { PrivacyExport } from './privacy-export';
import { RefreshToken } from './refresh-token';
import { ApiKey } from './api-key';
import { BusinessCalendar } from './business-calendar';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent } from './webhook';
import { Registration } from './registration';
import { ReportDefinition } from './report-definition';
import { ReportRecipientConfirmation } from './report-recipient-confirmation';
import { RunDrift } from './run-drift';
import { Subscription } from './subscription';
import { SubscriptionChange } from './subscription-change';
import { SubscriptionVersion } from './subscription-version';
import { PolicyDocument } from './policy-document';
import { Quote } from './quote';
import { RatingVersion } from './rating-version';
import { Tenant } from './tenant';
import { TenantSettings } from './tenant-settings';
import { TenantSso } from './tenant-sso';
import { SsoLogin } from './sso-login';
import { SsoIdentity } from './sso-identity';
import { User } from './user';

export { Acknowledgement, CompliancePolicy, EscalationAlert, PolicyVersion };
export { ComplianceRemind, ComplianceRemindRecipient, ComplianceRequirement, ComplianceRequirementPolicy };
export type { RequestedAccount, UnverifiedRegistration };
export { ActivityIncident, RunDrift };
export { PersonDataKey };
export {
  Claim,
  ClaimDocument,
  ClaimHistory,
  ClaimNote,
  ClaimNoteRevision,
  ClaimRecovery,
  ClaimReserveChange,
  ClaimReserveLine,
  ClaimPayment,
  PaymentBatch,
};
export { BulkOperation, BulkOperationItem };
export { PrivacyErasure, PrivacyLegalHold };
export { PrivacyExport };
export { TenantOffboarding };
export { PlatformAdminProposal };
export { Invoice, PremiumPayment, PremiumRefund };
export { SubscriptionChange, SubscriptionVersion, PolicyDocument };
export { Quote, RatingVersion };
export { EVENT_OUTCOMES, PaymentIntentRecord, PaymentProviderEvent };
export type { PaymentEventOutcome };
export { MfaChallenge, MfaRecoveryCode, UserMfa };
export type { MfaChallengePurpose };
export {
  ApiKey,
  BusinessCalendar,
  AuditEvent,
  Category,
  EmailVerificationToken,
  IdempotencyRecord,
  Notification,
  OutboxMessage,
  PasswordResetToken,
  Plan,
  RefreshToken,
  Registration,
  ReportDefinition,
  ReportRecipientConfirmation,
  Subscription,
  Tenant,
  TenantSettings,
  TenantSso,
  SsoLogin,
  SsoIdentity,
  User,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookEndpoint,
  WebhookEvent,
};

export function initModels(sequelize: Sequelize): void {
  for (const model of [
    Tenant,
    TenantSettings,
    TenantSso,
    SsoLogin,
    User,
    SsoIdentity,
    RefreshToken,
    ApiKey,
    BusinessCalendar,
    PasswordResetToken,
    EmailVerificationToken,
    AuditEvent,
    Notification,
    IdempotencyRecord,
    OutboxMessage,
    Category,
    Plan,
    Subscription,
    Registration,
    ReportDefinition,
    ReportRecipientConfirmation,
  ]) {
    model.initModel(sequelize);
  }
  for (const model of [CompliancePolicy, PolicyVersion, Acknowledgement, EscalationAlert]) model.initModel(sequelize);
  for (const model of [ComplianceRequirement, ComplianceRequirementPolicy, ComplianceRemind, ComplianceRemindRecipient])
    model.initModel(sequelize);
  for (const model of [RunDrift, ActivityIncident]) model.initModel(sequelize);
  for (const model of [
    Claim,
    ClaimHistory,
    ClaimNote,
    ClaimNoteRevision,
    ClaimDocument,
    ClaimReserveLine,
    ClaimReserveChange,
    ClaimRecovery,
    ClaimPayment,
    PaymentBatch,
  ])
    model.initModel(sequelize);
  for (const model of [BulkOperation, BulkOperationItem, TenantOffboarding, PlatformAdminProposal]) model.initModel(sequelize);
  for (const model of [PrivacyErasure, PrivacyLegalHold]) model.initModel(sequelize);
  PrivacyExport.initModel(sequelize);
  for (const model of [Invoice, PremiumPayment, PremiumRefund]) model.initModel(sequelize);
  for (const model of [SubscriptionChange, SubscriptionVersion, PolicyDocument]) model.initModel(sequelize);
  for (const model of [Quote, RatingVersion]) model.initModel(sequelize);
  for (const model of [PaymentProviderEvent, PaymentIntentRecord]) model.initModel(sequelize);
  for (const model of [UserMfa, MfaRecoveryCode, MfaChallenge]) model.initModel(sequelize);
  PersonDataKey.initModel(sequelize);
  for (const model of [WebhookEndpoint, WebhookEvent, WebhookDelivery, WebhookDeliveryAttempt]) model.initModel(sequelize);
  WebhookDelivery.belongsTo(WebhookEvent, { foreignKey: 'eventId', as: 'event' });
  WebhookDelivery.hasMany(WebhookDeliveryAttempt, { foreignKey: 'deliveryId', as: 'attempts' });
  Tenant.hasOne(TenantSettings, { foreignKey: 'tenantId', as: 'settings' });
  User.belongsTo(Tenant, { foreignKey: 'tenantId', as: 'tenant' });
  User.belongsTo(User, { foreignKey: 'managerId', as: 'manager' });
  RefreshToken.belongsTo(User, { foreignKey: 'userId', as: 'user' });
  ApiKey.belongsTo(Tenant, { foreignKey: 'tenantId', as: 'tenant' });
  ApiKey.belongsTo(User, { foreignKey: 'createdBy', as: 'creator' });
  Plan.belongsTo(Category, { foreignKey: 'categoryId', as: 'category' });
  Subscription.belongsTo(Plan, { foreignKey: 'planId', as: 'plan' });
  Subscription.belongsTo(User, { foreignKey: 'policyholderId', as: 'policyholder' });
  Invoice.belongsTo(Subscription, { foreignKey: 'subscriptionId', as: 'subscription' });
  Invoice.hasMany(PremiumPayment, { foreignKey: 'invoiceId', as: 'payments' });
  Invoice.hasMany(PremiumRefund, { foreignKey: 'invoiceId', as: 'refunds' });
  Claim.belongsTo(Subscription, { foreignKey: 'subscriptionId', as: 'subscription' });
  Claim.hasMany(ClaimHistory, { foreignKey: 'claimId', as: 'history' });
  CompliancePolicy.hasMany(PolicyVersion, { foreignKey: 'policyId', as: 'versions' });
  PolicyVersion.belongsTo(CompliancePolicy, { foreignKey: 'policyId', as: 'policy' });
  Acknowledgement.belongsTo(PolicyVersion, { foreignKey: 'versionId', as: 'version' });
  Acknowledgement.belongsTo(User, { foreignKey: 'employeeId', as: 'employee' });
  EscalationAlert.belongsTo(Acknowledgement, { foreignKey: 'acknowledgementId', as: 'acknowledgement' });
  ComplianceRequirement.belongsTo(User, { foreignKey: 'ownerId', as: 'owner' });
  ComplianceRequirement.hasMany(ComplianceRequirementPolicy, { foreignKey: 'requirementId', as: 'policyLinks' });
}
