/**
 * Per-tenant settings (the durations and limits a tenant may change, docs/architecture.md), with their defaults.
 * Stored as one JSON document per tenant; the API validates writes against TENANT_SETTINGS_KEYS.
 */
import Joi from 'joi';
import { AUTHORITY_LIMIT_INPUT } from './money';
import { DEFAULT_RESERVE_AUTHORITY } from './claim-authority';
import type { DeadlineUnit } from './business-calendar';
import { moneyInput, nullable, oneOf } from './typed-schema';
import { ONE_LINE_PATTERN } from './one-line-text';
import { ACTION_URL_MAX_LENGTH, PERSON_ACTIONS, TOKEN_PLACEHOLDER, type ActionUrls } from './action-urls';
import {
  BRANDING_LOGO_URL_MAX_LENGTH,
  BRANDING_NAME_MAX_LENGTH,
  COLOUR_PATTERN,
  LOCALES,
  NOTIFICATION_TYPES,
  OVERRIDABLE_PARTS,
  type Branding,
  type Locale,
  type NotificationOverrides,
} from './notification-settings';

export interface TenantSettingsValues {
  subscriptionRenewalReminderDays: number;
  claimUnassignedEscalationHours: number;
  claimDocumentsReminderDays: number;
  claimDocumentsEscalationDays: number;
  claimDocumentsAutoDenyDays: number;
  /** How the three document deadlines count their days (docs/calendars.md): wall-clock days or working days of the default calendar. */
  claimDocumentsDeadlineUnit: DaysUnit;
  claimWaitingApprovalEscalationHours: number;
  /** How the two claim escalations counted in hours count them (docs/calendars.md): wall-clock hours or working hours of the claim's calendar. */
  claimEscalationUnit: HoursUnit;
  approvalLimitAdjuster: number;
  approvalLimitSeniorAdjuster: number;
  /** The largest reserve line an adjuster may set alone (docs/claim-money.md); above, a second person approves. */
  reserveAuthorityAdjuster: number;
  /** The same for a senior adjuster; claims managers have no limit. */
  reserveAuthoritySeniorAdjuster: number;
  /**
   * What an adjuster may approve alone in claim payments per calendar month (the tenant's time
   * zone), across claims (docs/claim-money.md, Authority); beyond it, a second person approves.
   */
  monthlyApprovalLimitAdjuster: number;
  /** The same for a senior adjuster; claims managers have no limit. */
  monthlyApprovalLimitSeniorAdjuster: number;
  /** A payment above this to an account no second person approved a payment to on the claim waits for a second person. */
  newPayeeApprovalThreshold: number;
  acknowledgementDeadlineDays: number;
  acknowledgementReminderDaysBefore: number;
  acknowledgementGraceDays: number;
  /** How an acknowledgement's due date and the reminder before it are counted: wall-clock days or working days of the default calendar. */
  acknowledgementDeadlineUnit: DaysUnit;
  /**
   * When an overdue acknowledgement is escalated: at the due instant and `acknowledgementGraceDays`
   * wall-clock days later, or (business_days) at the first working moment from the due instant and
   * that many working days later, so one due on a Saturday reaches the manager on Monday.
   */
  acknowledgementEscalationUnit: DaysUnit;
  policyReviewReminderDays: number;
  policyReviewLapseDays: number;
  complianceWebhookUrl: string | null;
  /**
   * Deprecated, for one release: the compliance webhook moved onto a webhook endpoint also carries
   * its old X-Insurflow-Signature headers (docs/webhooks.md, The compliance webhook).
   */
  complianceWebhookLegacySignature: boolean;
  /** IANA name of the tenant's time zone: scheduled reports' cron expressions are read in it. */
  timeZone: string;
  /** Saved reports with a schedule the tenant may keep, paused ones included (docs/reports.md, Quota). */
  scheduledReportDefinitionsMax: number;
  /** ISO 4217 code: a plan's currency unless the plan names another (docs/premiums.md). */
  currency: string;
  /** Staff (every tenant role but policyholder) must have a second factor to sign in (docs/accounts.md, Second factor). */
  mfaRequiredForStaff: boolean;
  /**
   * Insurflow collects the premiums (docs/subscriptions.md, Premium timeline): a new subscription
   * covers once its first instalment is paid, unpaid instalments lapse it. False: the tenant
   * collects them elsewhere; subscriptions cover at once and never lapse.
   */
  collectPremiums: boolean;
  /** Days after an instalment's due date before an unpaid one lapses the subscription. */
  premiumGraceDays: number;
  /** Days a lapsed subscription may be reinstated by paying; then it is cancelled for non-payment. */
  premiumReinstatementDays: number;
  /** Days before an instalment's due date its reminder goes out. */
  premiumReminderDaysBefore: number;
  /**
   * The tenant's own pages for the links its people are mailed (docs/pages.md, A tenant's own
   * pages): per action a URL template with `{token}`; an action left out links the built-in page.
   */
  actionUrls: ActionUrls;
  /** The language of mails to a person who has not chosen one (docs/notifications.md, Languages). */
  defaultLocale: Locale;
  /** The name, logo and colour of the tenant's mails (docs/notifications.md, Branding). */
  branding: Branding;
  /** The tenant's own subject and intro per notification and language (docs/notifications.md, Overrides). */
  notificationOverrides: NotificationOverrides;
  /**
   * Years an erased person's kept records stay before they may be deleted (docs/privacy.md,
   * Erasure, retention and legal holds): claims (with their notes, history and payments),
   * subscriptions with their invoices and premium payments, acknowledgements, audit events.
   */
  retentionYearsClaims: number;
  retentionYearsInvoices: number;
  retentionYearsAcknowledgements: number;
  retentionYearsAuditEvents: number;
  /** Days before today a policy change may take effect (docs/subscriptions.md, Policy changes). */
  policyChangeBackdateDays: number;
  /** How a policy change's premium is billed: into the term's next unpaid instalments, or on an invoice of its own. */
  policyChangeBilling: PolicyChangeBilling;
  /** Days a quote may be bound after it is priced (docs/quotes.md). */
  quoteValidityDays: number;
  /** Business days an underwriter has to decide a referred quote before it lapses (docs/quotes.md, Referral). */
  quoteReferralBusinessDays: number;
}

/** The settings holding the years an erased person's records of one kind are kept. */
export type RetentionSetting =
  'retentionYearsClaims' | 'retentionYearsInvoices' | 'retentionYearsAcknowledgements' | 'retentionYearsAuditEvents';

/** How a tenant bills a policy change's premium (docs/subscriptions.md, Policy changes). */
export const POLICY_CHANGE_BILLING = ['next_instalments', 'own_invoice'] as const;
export type PolicyChangeBilling = (typeof POLICY_CHANGE_BILLING)[number];

/** The units a deadline counted in days may use. */
export const DAY_UNITS = ['calendar_days', 'business_days'] as const satisfies readonly DeadlineUnit[];
export type DaysUnit = (typeof DAY_UNITS)[number];
/** The units a deadline counted in hours may use. */
export const HOUR_UNITS = ['calendar_hours', 'business_hours'] as const satisfies readonly DeadlineUnit[];
export type HoursUnit = (typeof HOUR_UNITS)[number];

export const DEFAULT_TENANT_SETTINGS: TenantSettingsValues = {
  subscriptionRenewalReminderDays: 30,
  claimUnassignedEscalationHours: 24,
  claimDocumentsReminderDays: 7,
  claimDocumentsEscalationDays: 14,
  claimDocumentsAutoDenyDays: 30,
  claimDocumentsDeadlineUnit: 'calendar_days',
  claimWaitingApprovalEscalationHours: 48,
  claimEscalationUnit: 'calendar_hours',
  approvalLimitAdjuster: 5000,
  approvalLimitSeniorAdjuster: 25000,
  reserveAuthorityAdjuster: DEFAULT_RESERVE_AUTHORITY.adjuster,
  reserveAuthoritySeniorAdjuster: DEFAULT_RESERVE_AUTHORITY.seniorAdjuster,
  // Ten claims' worth of approvals alone a month: beyond, a colleague looks too.
  monthlyApprovalLimitAdjuster: 50_000,
  monthlyApprovalLimitSeniorAdjuster: 250_000,
  newPayeeApprovalThreshold: 1000,
  acknowledgementDeadlineDays: 14,
  acknowledgementReminderDaysBefore: 3,
  acknowledgementGraceDays: 3,
  acknowledgementDeadlineUnit: 'calendar_days',
  acknowledgementEscalationUnit: 'calendar_days',
  policyReviewReminderDays: 2,
  policyReviewLapseDays: 14,
  complianceWebhookUrl: null,
  complianceWebhookLegacySignature: true,
  timeZone: 'UTC',
  scheduledReportDefinitionsMax: 20,
  currency: 'USD',
  mfaRequiredForStaff: false,
  collectPremiums: true,
  premiumGraceDays: 14,
  premiumReinstatementDays: 60,
  premiumReminderDaysBefore: 7,
  actionUrls: {},
  defaultLocale: 'en',
  branding: {},
  notificationOverrides: {},
  retentionYearsClaims: 10,
  retentionYearsInvoices: 10,
  retentionYearsAcknowledgements: 6,
  retentionYearsAuditEvents: 10,
  policyChangeBackdateDays: 30,
  policyChangeBilling: 'next_instalments',
  quoteValidityDays: 30,
  quoteReferralBusinessDays: 2,
};

/** The most scheduled report definitions a tenant may set itself: each is a Temporal Schedule and a stream of mail. */
export const SCHEDULED_REPORT_DEFINITIONS_CEILING = 100;

const positiveInt = Joi.number().integer().min(1);
/** Years a kind of record is kept after its person's erasure: at least one, at most a century. */
const retentionYears = (what: string, setting: RetentionSetting) =>
  positiveInt
    .max(100)
    .description(
      `Years ${what} of an erased person are kept (pseudonymised) before they may be deleted; default ${DEFAULT_TENANT_SETTINGS[setting]}`,
    );

/**
 * The IANA time zone names this runtime knows (Temporal's server reads the same database), and
 * UTC, which the list leaves out as an alias; listed, so the OpenAPI document states them too. No
 * offsets ("+02:00"): a zone keeps its daylight saving rules, an offset does not.
 */
export const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];

export const timeZone = oneOf(TIME_ZONES)
  .messages({ 'any.only': '{{#label}} must be an IANA time zone name, e.g. Europe/Paris' })
  .description('IANA time zone name, e.g. Europe/Paris; default UTC');

/**
 * An ISO 4217 currency code that names a currency (USD, EUR, JPY, KWD…): one of those Node's Intl knows,
 * listed in the OpenAPI document. Three capitals that name no currency ("ABC") were taken: a plan and its
 * invoices in them, with no decimals to go by and no payment provider to take them.
 */
export const currencyCode = oneOf(Intl.supportedValuesOf('currency')).messages({
  'any.only': '{{#label}} must be an ISO 4217 currency code, e.g. EUR',
});

/** An amount of claim money a limit is set in (docs/claim-money.md, Authority; docs/api.md, Money); 0 allows nothing alone. */
const claimAmount = moneyInput({ ...AUTHORITY_LIMIT_INPUT, zero: true });

/** Each setting's rule; every one is optional in a change. */
export const TENANT_SETTINGS_KEYS = {
  subscriptionRenewalReminderDays: positiveInt.max(180),
  claimUnassignedEscalationHours: positiveInt.max(24 * 30),
  claimDocumentsReminderDays: positiveInt.max(365),
  claimDocumentsEscalationDays: positiveInt.max(365),
  claimDocumentsAutoDenyDays: positiveInt.max(365),
  claimDocumentsDeadlineUnit: oneOf(DAY_UNITS).description(
    "calendar_days (default: 24-hour days) or business_days (working days of the tenant's default calendar, docs/calendars.md)",
  ),
  claimWaitingApprovalEscalationHours: positiveInt.max(24 * 30),
  claimEscalationUnit: oneOf(HOUR_UNITS).description(
    "calendar_hours (default) or business_hours (working hours of the claim's calendar) for the unassigned and waiting-approval escalations",
  ),
  // No cap of their own before money had one spelling: 13 digits keep every limit set then.
  approvalLimitAdjuster: moneyInput({ decimals: 2, integerDigits: 13, zero: true }),
  approvalLimitSeniorAdjuster: moneyInput({ decimals: 2, integerDigits: 13, zero: true }),
  reserveAuthorityAdjuster: claimAmount.description(
    'The largest reserve line an adjuster may set alone; above, someone with enough authority approves. Default 10000',
  ),
  reserveAuthoritySeniorAdjuster: claimAmount.description('The same for a senior adjuster (claims managers have no limit). Default 50000'),
  monthlyApprovalLimitAdjuster: claimAmount.description(
    "What an adjuster may approve alone in claim payments per calendar month (the tenant's time zone), across claims; beyond, a second person approves. Default 50000",
  ),
  monthlyApprovalLimitSeniorAdjuster: claimAmount.description(
    'The same for a senior adjuster (claims managers have no limit). Default 250000',
  ),
  newPayeeApprovalThreshold: claimAmount.description(
    'A claim payment above this to an account no second person has approved a payment to on the claim waits for a second person. Default 1000',
  ),
  acknowledgementDeadlineDays: positiveInt.max(365),
  acknowledgementReminderDaysBefore: positiveInt.max(60),
  acknowledgementGraceDays: positiveInt.max(60),
  acknowledgementDeadlineUnit: oneOf(DAY_UNITS).description(
    "calendar_days (default) or business_days (working days of the tenant's default calendar) for an acknowledgement's due date and the reminder before it",
  ),
  acknowledgementEscalationUnit: oneOf(DAY_UNITS).description(
    'calendar_days (default: escalate at the due instant, the compliance team after the grace days) or business_days (at the first working moment from the due instant, the compliance team that many working days later)',
  ),
  policyReviewReminderDays: positiveInt.max(60),
  policyReviewLapseDays: positiveInt.max(365),
  complianceWebhookUrl: nullable(
    Joi.string()
      .max(2048)
      .uri({ scheme: ['http', 'https'] }),
  ),
  complianceWebhookLegacySignature: Joi.boolean().description(
    'Deprecated (removed in the next release): deliveries to the endpoint the compliance webhook was moved to also carry the old X-Insurflow-Signature, -Timestamp and -Delivery headers, signed with its old secret. Default true',
  ),
  timeZone,
  scheduledReportDefinitionsMax: Joi.number()
    .integer()
    .min(0)
    .max(SCHEDULED_REPORT_DEFINITIONS_CEILING)
    .description('Saved reports with a schedule the tenant may keep, paused ones included; 0 allows none'),
  currency: currencyCode.description("ISO 4217 code of a new plan's currency unless the plan names one; default USD"),
  mfaRequiredForStaff: Joi.boolean().description(
    'Staff must sign in with a second factor (TOTP); one without is told to enrol at their next sign-in. Policyholders are not concerned',
  ),
  collectPremiums: Joi.boolean().description(
    'Insurflow collects the premiums: a new subscription is pending_payment until its first instalment is paid (or staff waive it), and an instalment unpaid after the grace period lapses it. false: premiums are collected elsewhere; subscriptions cover at once and never lapse. Default true',
  ),
  premiumGraceDays: positiveInt
    .max(90)
    .description('Days after a due date before an unpaid instalment lapses the subscription; default 14'),
  premiumReinstatementDays: positiveInt
    .max(365)
    .description('Days a lapsed subscription may be reinstated by paying, else cancelled for non-payment; default 60'),
  premiumReminderDaysBefore: positiveInt.max(60).description('Days before a due date the instalment reminder is sent; default 7'),
  // Any string here: the command checks each template (src/shared/action-urls.ts) and answers 422
  // naming the field, as it does an unknown action, which is why unknown keys pass this schema.
  actionUrls: Joi.object<ActionUrls>(
    Object.fromEntries(
      PERSON_ACTIONS.map((action) => [
        action,
        Joi.string().allow('').description(`The link of ${action} mails; absent: the built-in page`),
      ]),
    ),
  )
    .unknown(true)
    .description(
      `The tenant's own pages for mailed links, by action (${PERSON_ACTIONS.join(', ')}): an https URL of at most ${ACTION_URL_MAX_LENGTH} characters with ${TOKEN_PLACEHOLDER} once, in its path, query or fragment, where the URL-encoded token goes. The object replaces the one stored; an action left out links the built-in /app page. Default {}`,
    ),
  defaultLocale: oneOf(LOCALES).description(`The language of mails to a person who has chosen none (${LOCALES.join(', ')}); default en`),
  branding: Joi.object<Branding>({
    name: Joi.string()
      .trim()
      .min(1)
      .max(BRANDING_NAME_MAX_LENGTH)
      .pattern(ONE_LINE_PATTERN, 'one line of printable text')
      .description("Shown in the mails' header; default the tenant's name"),
    logoUrl: Joi.string()
      .max(BRANDING_LOGO_URL_MAX_LENGTH)
      .uri({ scheme: ['https'] })
      .description(`An https URL of at most ${BRANDING_LOGO_URL_MAX_LENGTH} characters: the logo in the mails' header`),
    colour: Joi.string()
      .pattern(COLOUR_PATTERN)
      .messages({ 'string.pattern.base': '{{#label}} must be a colour as #RRGGBB' })
      .description("#RRGGBB: the mails' button and header rule"),
  }).description('The name, logo and colour of the mails; the object replaces the one stored. Default {}'),
  // Any object here: the command parses each text (src/services/notifications/render.ts) and
  // answers 422 naming the field, as it does an unknown type, language or variable.
  notificationOverrides: Joi.object<NotificationOverrides>()
    .unknown(true)
    .description(
      `The tenant's own ${OVERRIDABLE_PARTS.join(' and ')} of mails, by notification type (${NOTIFICATION_TYPES.join(', ')}), then language (${LOCALES.join(', ')}): ICU MessageFormat text naming only the variables of that notification (GET /tenant/notifications/{type}/preview shows them), no HTML. The object replaces the one stored. Default {}`,
    ),
  retentionYearsClaims: retentionYears('claims, their notes, history and payments', 'retentionYearsClaims'),
  retentionYearsInvoices: retentionYears('subscriptions, invoices and premium payments', 'retentionYearsInvoices'),
  retentionYearsAcknowledgements: retentionYears('policy acknowledgements', 'retentionYearsAcknowledgements'),
  retentionYearsAuditEvents: retentionYears('audit events', 'retentionYearsAuditEvents'),
  policyChangeBackdateDays: Joi.number()
    .integer()
    .min(0)
    .max(365)
    .description('Days before today a policy change may take effect; 0 allows none in the past. Default 30'),
  policyChangeBilling: oneOf(POLICY_CHANGE_BILLING).description(
    "How a policy change's premium is billed or credited: next_instalments (default: spread over the term's unpaid instalments due from its effective date on, else one invoice) or own_invoice (one invoice due on its effective date, or today if later)",
  ),
  quoteValidityDays: Joi.number().integer().min(1).max(90).description('Days a quote may be bound after it is priced. Default 30'),
  quoteReferralBusinessDays: Joi.number()
    .integer()
    .min(1)
    .max(20)
    .description("Business days (the tenant's default calendar) an underwriter has to decide a referred quote before it lapses. Default 2"),
};
