/**
 * What a tenant may set about the e-mails its people get (docs/notifications.md): the language,
 * its branding, and its own subject and intro per notification and language. The names are here,
 * free of the template engine, so the settings' schema (./tenant-settings.ts) can list them.
 */

/** The languages the mails are written in; English is the fallback of every message. */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const FALLBACK_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** Each notification that has a template (src/services/notifications/templates.ts). */
export const NOTIFICATION_TYPES = [
  'verifyAccount',
  'staffInvitation',
  'policyholderInvitation',
  'alreadyRegistered',
  'verifyRegistration',
  'registrationAddressInUse',
  'passwordReset',
  'failedSignIns',
  'secondFactorReset',
  'confirmEmailChange',
  'emailChangeRequested',
  'emailChangeAddressInUse',
  'emailChanged',
  'confirmStaffAddress',
  'platformAdminInvitation',
  'tenantSuspended',
  'tenantReactivated',
  'reportRecipientLink',
  'claimAssigned',
  'claimDocumentsRequested',
  'claimDocumentsReceived',
  'claimUnassignedEscalation',
  'claimApprovalEscalation',
  'claimDocumentsReminder',
  'claimDocumentsEscalation',
  'claimDenialWithheld',
  'claimPaid',
  'claimPaymentApproved',
  'claimPaymentCleared',
  'claimPaymentReturned',
  'claimDenied',
  'policyNotice',
  'acknowledgementReminder',
  'acknowledgementOverdue',
  'acknowledgementEscalated',
  'policyReviewRequested',
  'policyReviewReminder',
  'policyApproved',
  'policyChangesRequested',
  'policyReviewLapsed',
  'quoteReferralAccepted',
  'quoteReferralDeclined',
  'quoteReferralLapsed',
  'registrationSubmitted',
  'registrationReminder',
  'registrationProvisioningFailed',
  'registrationReceived',
  'registrationDeclined',
  'registrationExpired',
  'registrationTenantReady',
  'registrationSetupFailed',
  'subscriptionActivated',
  'subscriptionAwaitingFirstPremium',
  'subscriptionCancelledForNonPayment',
  'subscriptionLapsed',
  'subscriptionReinstated',
  'subscriptionCancelled',
  'subscriptionRenewed',
  'subscriptionPremiumReminder',
  'subscriptionRenewalReminder',
  'subscriptionExpired',
  'subscriptionChanged',
  'subscriptionChangeNotApplied',
  'policyholderSetPassword',
  'quoteIssued',
  'webhookEndpointDisabled',
  'runDrift',
  'auditCheckpoint',
  'ledgerDifference',
  'reportDelivery',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export function isNotificationType(value: unknown): value is NotificationType {
  return (NOTIFICATION_TYPES as readonly unknown[]).includes(value);
}

/** The parts of a template a tenant may replace; the body and the call to action stay ours. */
export const OVERRIDABLE_PARTS = ['subject', 'intro'] as const;
export type OverridablePart = (typeof OVERRIDABLE_PARTS)[number];
export const OVERRIDE_MAX_LENGTH: Record<OverridablePart, number> = { subject: 200, intro: 1000 };

/** A tenant's own texts: by notification type, then language, then part (ICU MessageFormat). */
export type NotificationOverrides = Partial<Record<NotificationType, Partial<Record<Locale, Partial<Record<OverridablePart, string>>>>>>;

/** How the mails of a tenant look: the name and logo in their header, the colour of their button. */
export interface Branding {
  name?: string;
  /** An https URL of at most BRANDING_LOGO_URL_MAX_LENGTH characters. */
  logoUrl?: string;
  /** `#RRGGBB`. */
  colour?: string;
}

export const BRANDING_NAME_MAX_LENGTH = 100;
export const BRANDING_LOGO_URL_MAX_LENGTH = 500;
export const COLOUR_PATTERN = /^#[0-9a-fA-F]{6}$/;
