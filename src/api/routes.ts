/** Every resource's routes. A new resource is a new folder (under src/api, or under its process's folder there) and a line here. */
import type { Config } from '../config';
import { apiKeyRoutes } from './api-keys/routes';
import { calendarRoutes } from './calendars/routes';
import { webhookRoutes } from './webhooks/routes';
import { acknowledgementRoutes } from './compliance/acknowledgements/routes';
import { auditEventRoutes } from './audit-events/routes';
import { passwordRoutes } from './auth/password-routes';
import { authRoutes } from './auth/routes';
import { ssoRoutes } from './auth/sso-routes';
import { mfaRoutes } from './auth/mfa-routes';
import { emailChangeRoutes } from './auth/email-routes';
import { catalogRoutes } from './catalog/routes';
import { catalogQuoteRoutes } from './catalog/quote-routes';
import { quoteRoutes } from './quotes/routes';
import { quoteReferralRoutes } from './quotes/referral-routes';
import { categoryRoutes } from './catalog/categories/routes';
import { complianceRoutes } from './compliance/routes';
import { claimRoutes } from './claims/routes';
import { codecRoutes } from './codec/routes';
import { meRoutes } from './me/routes';
import { notificationRoutes } from './notifications/routes';
import { bulkOperationRoutes } from './operations/bulk';
import { documentRoutes } from './claims/documents/routes';
import { claimMoneyRoutes } from './claims/money/routes';
import { paymentBatchRoutes } from './payment-batches/routes';
import { driftRoutes } from './operations/drift';
import { incidentRoutes } from './operations/incidents';
import { registrationRoutes } from './onboarding/registrations/routes';
import { planRoutes } from './catalog/plans/routes';
import { ratingRoutes } from './catalog/plans/rating-routes';
import { premiumRoutes } from './premiums/routes';
import { policyReviewRoutes } from './compliance/policy-reviews/routes';
import { remindRoutes } from './compliance/reminds/routes';
import { reportDefinitionRoutes } from './reports/definitions/routes';
import { reportRoutes } from './reports/routes';
import { requirementRoutes } from './compliance/requirements/routes';
import type { RouteSpec } from './http/route';
import { subscriptionRoutes } from './subscriptions/routes';
import { policyChangeRoutes } from './subscriptions/changes-routes';
import { subscriptionDocumentRoutes } from './subscriptions/documents-routes';
import { subscriptionStatementRoutes } from './subscriptions/statement-routes';
import { ledgerRoutes } from './ledger/routes';
import { tenantSettingsRoutes } from './tenant-settings/routes';
import { tenantRoutes } from './onboarding/tenants/routes';
import { tenantSuspensionRoutes } from './onboarding/tenants/suspension-routes';
import { paymentRoutes } from './payment-provider/routes';
import { platformAdminRoutes } from './platform/routes';
import { privacyExportRoutes } from './privacy/exports';
import { tenantOffboardingRoutes } from './platform/offboarding';
import { userRoutes } from './users/routes';
import { staffEmailRoutes } from './users/email-routes';
import { workflowRoutes } from './workflows/routes';
import { erasureRoutes } from './privacy/erasures';
import { legalHoldRoutes } from './privacy/holds';
import { ledgerReconciliationRoutes } from './ledger/reconciliation';
import { ledgerPeriodRoutes } from './ledger/periods';

export function allRoutes(config: Config): RouteSpec[] {
  return [
    ...authRoutes(config),
    ...passwordRoutes(config),
    ...ssoRoutes(config),
    ...mfaRoutes(config),
    ...emailChangeRoutes(config),
    ...userRoutes(),
    ...staffEmailRoutes(),
    ...tenantSettingsRoutes(),
    ...notificationRoutes(),
    ...calendarRoutes(),
    ...apiKeyRoutes(),
    ...webhookRoutes(),
    ...workflowRoutes(),
    ...complianceRoutes(),
    ...policyReviewRoutes(),
    ...acknowledgementRoutes(),
    ...requirementRoutes(),
    ...remindRoutes(),
    ...claimRoutes(),
    ...documentRoutes(),
    ...claimMoneyRoutes(),
    ...paymentBatchRoutes(),
    ...registrationRoutes(config),
    ...tenantRoutes(),
    ...tenantSuspensionRoutes(),
    ...platformAdminRoutes(),
    ...tenantOffboardingRoutes(),
    ...categoryRoutes(),
    ...planRoutes(),
    ...ratingRoutes(),
    ...subscriptionRoutes(),
    ...policyChangeRoutes(),
    ...subscriptionDocumentRoutes(),
    ...subscriptionStatementRoutes(),
    ...premiumRoutes(),
    ...ledgerRoutes(),
    ...paymentRoutes(),
    ...catalogRoutes(config),
    ...catalogQuoteRoutes(config),
    ...quoteRoutes(),
    ...quoteReferralRoutes(),
    ...auditEventRoutes(),
    ...privacyExportRoutes(config),
    ...reportRoutes(),
    ...reportDefinitionRoutes(config),
    ...codecRoutes(config),
    ...meRoutes(),
    ...erasureRoutes(),
    ...legalHoldRoutes(),
    ...ledgerReconciliationRoutes(),
    ...ledgerPeriodRoutes(),
    ...driftRoutes(),
    ...incidentRoutes(),
    // After any literal /operations/<name> route: `:id` would otherwise take its name.
    ...bulkOperationRoutes(),
  ];
}
