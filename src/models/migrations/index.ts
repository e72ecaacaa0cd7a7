/** Every migration, in order. A new migration is a new file here and a new line below. */
import { MigrationModule } from './helpers';
import * as foundation from './0001-foundation';
import * as catalogSubscriptions from './0002-catalog-subscriptions';
import * as claims from './0004-claims';
import * as registrations from './0005-registrations';
import * as compliance from './0006-compliance';
import * as security from './0007-security';
import * as outbox from './0008-outbox';
import * as search from './0009-search';
import * as policyReview from './0010-policy-review';
import * as auditEvents from './0011-audit-events';
import * as passwordResets from './0012-password-resets-cancellation-reasons';
import * as claimListOrder from './0013-claim-list-order';
import * as appRole from './0014-app-role';
import * as notificationLease from './0015-notification-lease';
import * as idempotencyRequestHash from './0016-idempotency-request-hash';
import * as retentionIndexes from './0017-retention-indexes';
import * as documentQuotas from './0018-document-quotas';
import * as emailVerification from './0019-email-verification';
import * as unverifiedAddresses from './0034-unverified-addresses';
import * as apiKeys from './0035-api-keys';
import * as authEvents from './0036-auth-events';
import * as mfa from './0037-mfa';
import * as companySignIn from './0038-company-sign-in';
import * as premiums from './0039-premiums';
import * as issuedPolicies from './0020-issued-policies';
import * as tenantSuspensionEmailChange from './0021-tenant-suspension-email-change';
import * as claimNotesDocumentsUpkeep from './0022-claim-notes-documents-upkeep';
import * as complianceAudience from './0023-compliance-audience';
import * as complianceRequirements from './0024-compliance-requirements';
import * as reportIndexes from './0025-report-indexes';
import * as complianceRecurrence from './0026-compliance-recurrence';
import * as bulkOperations from './0029-bulk-operations';
import * as paymentProvider from './0041-payment-provider';
import * as ssoIdentities from './0047-sso-identities';
import * as firstPremiumWaiver from './0048-first-premium-waiver';
import * as premiumsReport from './0049-premiums-report';
import * as premiumsReportIndexes from './0050-premiums-report-indexes';
import * as webhookEndpointFailing from './0051-webhook-endpoint-failing';
import * as webhookEndpointLegacySignature from './0052-webhook-endpoint-legacy-signature';
import * as claimEscalationDue from './0053-claim-escalation-due';
import * as planCalendar from './0054-plan-calendar';
import * as bulkItemType from './0055-bulk-item-type';
import * as claimReserves from './0056-claim-reserves';
import * as paidClaimsReserves from './0057-paid-claims-reserves';
import * as claimPayments from './0058-claim-payments';
import * as auditHashChain from './0059-audit-hash-chain';
import * as tenantSigningKeys from './0060-tenant-signing-keys';
import * as personDataKeys from './0065-person-data-keys';
import * as userLocale from './0061-user-locale';
import * as claimCardRefunds from './0062-claim-card-refunds';
import * as privacyExports from './0063-privacy-exports';
import * as privacyErasures from './0064-privacy-erasures';
import * as tenantOffboarding from './0066-tenant-offboarding';
import * as keptRowsDeletion from './0067-kept-rows-deletion';
import * as claimStageCounts from './0068-claim-stage-counts';
import * as claimDeadlineDays from './0069-claim-deadline-days';
import * as planChangeNotices from './0070-plan-change-notices';
import * as listOrderIndexes from './0071-list-order-indexes';
import * as idempotencySecrets from './0072-idempotency-secrets';
import * as paymentsApprovedAlone from './0073-payments-approved-alone';
import * as companySignInHardening from './0074-company-sign-in-hardening';
import * as paymentEventOtherIntent from './0077-payment-event-other-intent';
import * as policyChanges from './0075-policy-changes';
import * as quotes from './0078-quotes';
import * as ledger from './0079-ledger';
import * as ledgerOpeningBalances from './0080-ledger-opening-balances';
import * as financeReport from './0081-finance-report';
import * as refundsPaidByHand from './0083-refunds-paid-by-hand';
import * as ledgerCloseTerms from './0082-ledger-close-terms';
import * as ledgerMonthBalances from './0084-ledger-month-balances';
import * as ledgerPostingIndexes from './0089-ledger-posting-indexes';
import * as unmatchedRefundEvents from './0087-unmatched-refund-events';
import * as policyChangeRefusal from './0091-policy-change-refusal';
import * as paymentEventCurrencyMismatch from './0092-payment-event-currency-mismatch';
import * as ledgerClosedBefore from './0093-ledger-closed-before';
import * as exactCover from './0097-exact-cover';
import * as coverBeganOn from './0098-cover-began-on';
import * as exactPremium from './0099-exact-premium';
import * as settlementsByPaymentTime from './0100-settlements-by-payment-time';
import * as endedLogins from './0104-ended-logins';
import * as paymentsAfterCancellation from './0105-payments-after-cancellation';
import * as quoteBillingTerms from './0109-quote-billing-terms';
import * as platformAdminProposals from './0111-platform-admin-proposals';
import * as accountLinkInviter from './0112-account-link-inviter';
import * as erasedPasswordHashes from './0114-erased-password-hashes';
import * as exactClaimMoney from './0115-exact-claim-money';
import * as legacyInvitationLinks from './0116-legacy-invitation-links';
import * as quotePolicyholder from './0117-quote-policyholder';
import * as quoteHolders from './0119-quote-holders';
import * as policyChangeNotApplied from './0085-policy-change-not-applied';
import * as businessCalendars from './0045-business-calendars';
import * as webhooks from './0046-webhooks';
import * as reportDefinitions from './0027-report-definitions';
import * as runDriftIncidents from './0028-run-drift-incidents';
import * as claimReportColumns from './0030-claim-report-columns';
import * as complianceReportIndex from './0031-compliance-report-index';
import * as reportRecipientsOwner from './0032-report-recipients-owner';
import * as lapsePeriods from './0044-lapse-periods';

export const MIGRATIONS: Array<{ name: string } & MigrationModule> = [
  { name: '0001-foundation', ...foundation },
  { name: '0002-catalog-subscriptions', ...catalogSubscriptions },
  { name: '0004-claims', ...claims },
  { name: '0005-registrations', ...registrations },
  { name: '0006-compliance', ...compliance },
  { name: '0007-security', ...security },
  { name: '0008-outbox', ...outbox },
  { name: '0009-search', ...search },
  { name: '0010-policy-review', ...policyReview },
  { name: '0011-audit-events', ...auditEvents },
  { name: '0012-password-resets-cancellation-reasons', ...passwordResets },
  { name: '0013-claim-list-order', ...claimListOrder },
  { name: '0014-app-role', ...appRole },
  { name: '0015-notification-lease', ...notificationLease },
  { name: '0016-idempotency-request-hash', ...idempotencyRequestHash },
  { name: '0017-retention-indexes', ...retentionIndexes },
  { name: '0018-document-quotas', ...documentQuotas },
  { name: '0019-email-verification', ...emailVerification },
  { name: '0020-issued-policies', ...issuedPolicies },
  { name: '0021-tenant-suspension-email-change', ...tenantSuspensionEmailChange },
  { name: '0022-claim-notes-documents-upkeep', ...claimNotesDocumentsUpkeep },
  { name: '0023-compliance-audience', ...complianceAudience },
  { name: '0024-compliance-requirements', ...complianceRequirements },
  { name: '0025-report-indexes', ...reportIndexes },
  { name: '0026-compliance-recurrence', ...complianceRecurrence },
  { name: '0029-bulk-operations', ...bulkOperations },
  { name: '0027-report-definitions', ...reportDefinitions },
  { name: '0028-run-drift-incidents', ...runDriftIncidents },
  { name: '0030-claim-report-columns', ...claimReportColumns },
  { name: '0031-compliance-report-index', ...complianceReportIndex },
  { name: '0032-report-recipients-owner', ...reportRecipientsOwner },
  { name: '0034-unverified-addresses', ...unverifiedAddresses },
  { name: '0035-api-keys', ...apiKeys },
  { name: '0036-auth-events', ...authEvents },
  { name: '0037-mfa', ...mfa },
  { name: '0038-company-sign-in', ...companySignIn },
  { name: '0039-premiums', ...premiums },
  { name: '0041-payment-provider', ...paymentProvider },
  { name: '0044-lapse-periods', ...lapsePeriods },
  { name: '0045-business-calendars', ...businessCalendars },
  { name: '0046-webhooks', ...webhooks },
  { name: '0047-sso-identities', ...ssoIdentities },
  { name: '0048-first-premium-waiver', ...firstPremiumWaiver },
  { name: '0049-premiums-report', ...premiumsReport },
  { name: '0050-premiums-report-indexes', ...premiumsReportIndexes },
  { name: '0051-webhook-endpoint-failing', ...webhookEndpointFailing },
  { name: '0052-webhook-endpoint-legacy-signature', ...webhookEndpointLegacySignature },
  { name: '0053-claim-escalation-due', ...claimEscalationDue },
  { name: '0054-plan-calendar', ...planCalendar },
  { name: '0055-bulk-item-type', ...bulkItemType },
  { name: '0056-claim-reserves', ...claimReserves },
  { name: '0057-paid-claims-reserves', ...paidClaimsReserves },
  { name: '0058-claim-payments', ...claimPayments },
  { name: '0059-audit-hash-chain', ...auditHashChain },
  { name: '0060-tenant-signing-keys', ...tenantSigningKeys },
  { name: '0061-user-locale', ...userLocale },
  { name: '0062-claim-card-refunds', ...claimCardRefunds },
  { name: '0063-privacy-exports', ...privacyExports },
  { name: '0064-privacy-erasures', ...privacyErasures },
  { name: '0065-person-data-keys', ...personDataKeys },
  { name: '0066-tenant-offboarding', ...tenantOffboarding },
  { name: '0067-kept-rows-deletion', ...keptRowsDeletion },
  { name: '0068-claim-stage-counts', ...claimStageCounts },
  { name: '0069-claim-deadline-days', ...claimDeadlineDays },
  { name: '0070-plan-change-notices', ...planChangeNotices },
  { name: '0071-list-order-indexes', ...listOrderIndexes },
  { name: '0072-idempotency-secrets', ...idempotencySecrets },
  { name: '0073-payments-approved-alone', ...paymentsApprovedAlone },
  { name: '0074-company-sign-in-hardening', ...companySignInHardening },
  { name: '0077-payment-event-other-intent', ...paymentEventOtherIntent },
  { name: '0075-policy-changes', ...policyChanges },
  { name: '0078-quotes', ...quotes },
  { name: '0079-ledger', ...ledger },
  { name: '0080-ledger-opening-balances', ...ledgerOpeningBalances },
  { name: '0081-finance-report', ...financeReport },
  { name: '0083-refunds-paid-by-hand', ...refundsPaidByHand },
  { name: '0084-ledger-month-balances', ...ledgerMonthBalances },
  { name: '0082-ledger-close-terms', ...ledgerCloseTerms },
  { name: '0089-ledger-posting-indexes', ...ledgerPostingIndexes },
  { name: '0085-policy-change-not-applied', ...policyChangeNotApplied },
  { name: '0087-unmatched-refund-events', ...unmatchedRefundEvents },
  { name: '0091-policy-change-refusal', ...policyChangeRefusal },
  { name: '0092-payment-event-currency-mismatch', ...paymentEventCurrencyMismatch },
  { name: '0093-ledger-closed-before', ...ledgerClosedBefore },
  { name: '0097-exact-cover', ...exactCover },
  { name: '0098-cover-began-on', ...coverBeganOn },
  { name: '0099-exact-premium', ...exactPremium },
  { name: '0100-settlements-by-payment-time', ...settlementsByPaymentTime },
  { name: '0104-ended-logins', ...endedLogins },
  { name: '0105-payments-after-cancellation', ...paymentsAfterCancellation },
  { name: '0109-quote-billing-terms', ...quoteBillingTerms },
  { name: '0111-platform-admin-proposals', ...platformAdminProposals },
  { name: '0112-account-link-inviter', ...accountLinkInviter },
  { name: '0114-erased-password-hashes', ...erasedPasswordHashes },
  { name: '0115-exact-claim-money', ...exactClaimMoney },
  { name: '0116-legacy-invitation-links', ...legacyInvitationLinks },
  { name: '0117-quote-policyholder', ...quotePolicyholder },
  { name: '0119-quote-holders', ...quoteHolders },
];
