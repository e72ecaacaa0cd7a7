/**
 * One template per notification type (docs/notifications.md): the variables its messages may use,
 * each with the sample value a preview shows, and the action its call-to-action link asks for, if
 * it has one. The texts are in ./messages/<locale>.ts; the layout in ./layout.ts. A caller passes
 * these variables, never sentences; the token and the link are not variables: the layout places
 * them, so no message (and no tenant's override) can move or rewrite them.
 */
import type { NotificationType } from '../../shared/notification-settings';
import type { PersonAction } from '../../shared/action-urls';

export type TemplateValue = string | number | Date;

export interface Template {
  /** Every variable its messages (and overrides of them) may name, with a sample for the preview. */
  variables: Record<string, TemplateValue>;
  /** The page its link opens; none for a notice. */
  action?: PersonAction;
}

const SAMPLE_EXPIRY = new Date('2030-03-14T15:30:00Z');
const SAMPLE_FORGOT_PASSWORD_URL = 'https://api.insurflow.example/app/forgot-password';
const SAMPLE_CLAIM = 'CLM-2030-000042';
const SAMPLE_POLICY = { title: 'Gifts and hospitality', versionNumber: 2 };
const SAMPLE_DUE = new Date('2030-03-14T22:59:59Z');
const SAMPLE_REVIEW_LINK = 'https://api.insurflow.example/api/v1/compliance/policies/7d1f0c7e-1b9a-4c41-9d0e-2f5a8b6c3e10';
const SAMPLE_QUOTE = {
  premium: '612.40',
  currency: 'EUR',
  link: 'https://api.insurflow.example/api/v1/quotes/3c9e6f1a-2b4d-4e8f-9a1c-5d7e0f2a4b6c',
};
const SAMPLE_REGISTRATION = { companyName: 'Example Insurance Ltd', slug: 'example' };
const SAMPLE_REVIEW_URL = 'https://api.insurflow.example/api/v1/registrations/7d0f3a52-4c1e-4f7e-9a51-2b8c1d9e0f11';
const SAMPLE_SUBSCRIPTION = {
  planName: 'Home Basic',
  subscriptionId: '5b8e2c4a-9f1d-4e3b-8a7c-6d5e4f3a2b1c',
  policyNumber: 'POL-2030-000042',
};
/** An amount as mails write it: in the currency's major unit, with as many decimals as the currency has. */
const SAMPLE_AMOUNT = { amount: 49.5, decimals: '2', currency: 'EUR' };
const SAMPLE_INVOICE = { invoiceNumber: 'INV-2030-000042', ...SAMPLE_AMOUNT };

export const TEMPLATES = {
  verifyAccount: {
    variables: { hours: 24, expiresAt: SAMPLE_EXPIRY, replacing: 'no' },
    action: 'verifyEmail',
  },
  staffInvitation: {
    variables: { fullName: 'Jo Doe', invitedBy: 'Sam Admin', companyName: 'Example Insurance Ltd', hours: 24, expiresAt: SAMPLE_EXPIRY },
    action: 'acceptInvitation',
  },
  policyholderInvitation: {
    variables: { fullName: 'Jo Doe', invitedBy: 'Sam Admin', companyName: 'Example Insurance Ltd', hours: 24, expiresAt: SAMPLE_EXPIRY },
    action: 'acceptInvitation',
  },
  alreadyRegistered: {
    variables: { email: 'jo.doe@example.com', forgotPasswordUrl: SAMPLE_FORGOT_PASSWORD_URL },
  },
  verifyRegistration: {
    variables: { companyName: 'Example Insurance Ltd', hours: 24, expiresAt: SAMPLE_EXPIRY },
    action: 'confirmRegistration',
  },
  registrationAddressInUse: {
    variables: { companyName: 'Example Insurance Ltd', email: 'jo.doe@example.com', forgotPasswordUrl: SAMPLE_FORGOT_PASSWORD_URL },
  },
  passwordReset: {
    variables: { fullName: 'Jo Doe', minutes: 30, expiresAt: SAMPLE_EXPIRY },
    action: 'resetPassword',
  },
  failedSignIns: { variables: { minutes: 15 } },
  secondFactorReset: { variables: { adminName: 'Sam Admin' } },
  confirmEmailChange: {
    variables: { minutes: 60, expiresAt: SAMPLE_EXPIRY, byAdmin: 'no' },
    action: 'confirmEmailChange',
  },
  emailChangeRequested: {
    variables: { newEmail: 'jo.new@example.com', forgotPasswordUrl: SAMPLE_FORGOT_PASSWORD_URL, byAdmin: 'no' },
  },
  emailChangeAddressInUse: {
    variables: { email: 'jo.doe@example.com', forgotPasswordUrl: SAMPLE_FORGOT_PASSWORD_URL },
  },
  emailChanged: { variables: { newEmail: 'jo.new@example.com', byAdmin: 'no' } },
  confirmStaffAddress: {
    variables: { hours: 24, expiresAt: SAMPLE_EXPIRY },
    action: 'verifyEmail',
  },
  platformAdminInvitation: {
    variables: { fullName: 'Jo Doe', hours: 72, expiresAt: SAMPLE_EXPIRY, forgotPasswordUrl: SAMPLE_FORGOT_PASSWORD_URL },
    action: 'resetPassword',
  },
  tenantSuspended: { variables: { tenantName: 'Example Insurance Ltd', reason: 'Unpaid invoices' } },
  tenantReactivated: { variables: { tenantName: 'Example Insurance Ltd' } },
  reportRecipientLink: {
    variables: {
      addedBy: 'Jo Doe',
      companyName: 'Example Insurance Ltd',
      kind: 'claims',
      reportName: 'Open claims',
      days: 3,
      expiresAt: SAMPLE_EXPIRY,
    },
    action: 'confirmReportRecipient',
  },
  // The claim run's mails (src/workflows/claim/messages.ts): `working` is `yes` when the deadline counts working time.
  claimAssigned: { variables: { claimNumber: SAMPLE_CLAIM, stage: 'assigned' } },
  claimDocumentsRequested: { variables: { claimNumber: SAMPLE_CLAIM, note: 'Please upload the plumber’s invoice.', noteGiven: 'yes' } },
  claimDocumentsReceived: { variables: { claimNumber: SAMPLE_CLAIM, fileName: 'invoice.pdf' } },
  claimUnassignedEscalation: { variables: { claimNumber: SAMPLE_CLAIM, hours: 24, working: 'no' } },
  claimApprovalEscalation: { variables: { claimNumber: SAMPLE_CLAIM, hours: 48, working: 'no' } },
  claimDocumentsReminder: { variables: { claimNumber: SAMPLE_CLAIM, days: 30, working: 'no' } },
  claimDocumentsEscalation: { variables: { claimNumber: SAMPLE_CLAIM, days: 14, working: 'no' } },
  claimDenialWithheld: { variables: { claimNumber: SAMPLE_CLAIM, days: 30, working: 'no' } },
  // A payment's amount with its currency's `decimals`, without the currency (as SAMPLE_AMOUNT).
  claimPaid: { variables: { claimNumber: SAMPLE_CLAIM, amount: 2500, decimals: '2', reference: `PAY-${SAMPLE_CLAIM}` } },
  claimPaymentApproved: { variables: { claimNumber: SAMPLE_CLAIM, amount: 500, decimals: '2', reference: `PAY-${SAMPLE_CLAIM}-1` } },
  claimPaymentCleared: { variables: { claimNumber: SAMPLE_CLAIM, amount: 500, decimals: '2', reference: `PAY-${SAMPLE_CLAIM}-1` } },
  claimPaymentReturned: { variables: { claimNumber: SAMPLE_CLAIM, amount: 500, decimals: '2', reference: `PAY-${SAMPLE_CLAIM}-1` } },
  claimDenied: { variables: { claimNumber: SAMPLE_CLAIM, reason: 'Documents not received', reasonGiven: 'yes' } },
  // The compliance mails (src/activities/policy-notice.ts, compliance*.ts): the acknowledgement link is the action, signed by the activity.
  policyNotice: { variables: { fullName: 'Jo Doe', ...SAMPLE_POLICY, dueAt: SAMPLE_DUE }, action: 'acknowledgePolicy' },
  acknowledgementReminder: {
    variables: { fullName: 'Jo Doe', ...SAMPLE_POLICY, dueAt: SAMPLE_DUE, content: 'Report every gift worth more than 50 EUR.' },
    action: 'acknowledgePolicy',
  },
  acknowledgementOverdue: { variables: { fullName: 'Jo Doe', email: 'jo.doe@example.com', ...SAMPLE_POLICY, dueAt: SAMPLE_DUE } },
  acknowledgementEscalated: { variables: { fullName: 'Jo Doe', email: 'jo.doe@example.com', ...SAMPLE_POLICY, dueAt: SAMPLE_DUE } },
  // The policy review's mails (src/activities/policy-approval.ts): `link` is the policy in the API, written as text.
  policyReviewRequested: { variables: { ...SAMPLE_POLICY, link: SAMPLE_REVIEW_LINK } },
  policyReviewReminder: { variables: { ...SAMPLE_POLICY, link: SAMPLE_REVIEW_LINK } },
  policyApproved: { variables: { ...SAMPLE_POLICY, link: SAMPLE_REVIEW_LINK } },
  policyChangesRequested: { variables: { ...SAMPLE_POLICY, reason: 'Name the gift register.', link: SAMPLE_REVIEW_LINK } },
  policyReviewLapsed: { variables: { ...SAMPLE_POLICY, link: SAMPLE_REVIEW_LINK } },
  // A referred quote's outcome (src/activities/quote-referral.ts), to its requester: `premium` an exact decimal string, `link` the quote in the API.
  quoteReferralAccepted: { variables: { ...SAMPLE_QUOTE, validUntil: SAMPLE_EXPIRY } },
  quoteReferralDeclined: { variables: { ...SAMPLE_QUOTE, note: 'The building is too close to the river.' } },
  quoteReferralLapsed: { variables: { ...SAMPLE_QUOTE } },
  // The onboarding run's mails (src/activities/onboarding.ts): to the platform admins, then to the applicant.
  registrationSubmitted: { variables: { ...SAMPLE_REGISTRATION, reviewUrl: SAMPLE_REVIEW_URL } },
  registrationReminder: { variables: { ...SAMPLE_REGISTRATION, hours: 48, reviewUrl: SAMPLE_REVIEW_URL } },
  registrationProvisioningFailed: { variables: { ...SAMPLE_REGISTRATION, reason: 'The slug example is already taken by another tenant' } },
  registrationReceived: { variables: { ...SAMPLE_REGISTRATION } },
  registrationDeclined: { variables: { ...SAMPLE_REGISTRATION, reason: 'Licence number could not be verified' } },
  registrationExpired: { variables: { ...SAMPLE_REGISTRATION, days: 7 } },
  registrationTenantReady: { variables: { ...SAMPLE_REGISTRATION, email: 'jo.doe@example.com' } },
  registrationSetupFailed: { variables: { ...SAMPLE_REGISTRATION } },
  // The subscription run's mails (src/workflows/subscription/messages.ts): calendar dates are ISO dates (YYYY-MM-DD).
  subscriptionActivated: {
    variables: {
      ...SAMPLE_SUBSCRIPTION,
      coverageAmount: 250000,
      decimals: '2',
      currency: 'EUR',
      startDate: '2030-03-14',
      endDate: '2031-03-14',
    },
  },
  subscriptionAwaitingFirstPremium: { variables: { ...SAMPLE_SUBSCRIPTION, ...SAMPLE_INVOICE, cancelOn: '2030-03-28' } },
  subscriptionCancelledForNonPayment: { variables: { ...SAMPLE_SUBSCRIPTION } },
  subscriptionLapsed: {
    variables: { ...SAMPLE_SUBSCRIPTION, ...SAMPLE_INVOICE, lapsedOn: '2030-05-28', dueDate: '2030-05-14', cancelOn: '2030-06-27' },
  },
  subscriptionReinstated: { variables: { ...SAMPLE_SUBSCRIPTION, lapsedOn: '2030-05-28' } },
  // `owing`, `owed` (major units), `decimals` and `currency`: what the policy's invoices still owe, which `sendEmail` reads.
  subscriptionCancelled: {
    variables: {
      ...SAMPLE_SUBSCRIPTION,
      coverageEnd: '2031-03-14',
      reason: 'Moved abroad',
      reasonGiven: 'yes',
      owing: 'yes',
      owed: 334.51,
      decimals: '2',
      currency: 'EUR',
    },
  },
  subscriptionRenewed: { variables: { ...SAMPLE_SUBSCRIPTION, endDate: '2032-03-14' } },
  subscriptionPremiumReminder: { variables: { ...SAMPLE_SUBSCRIPTION, ...SAMPLE_INVOICE, dueDate: '2030-05-14' } },
  subscriptionRenewalReminder: { variables: { ...SAMPLE_SUBSCRIPTION, endDate: '2031-03-14', months: 12 } },
  subscriptionExpired: { variables: { ...SAMPLE_SUBSCRIPTION, endDate: '2031-03-14' } },
  subscriptionChanged: {
    variables: {
      ...SAMPLE_SUBSCRIPTION,
      // The premium's change for the rest of the term: the run's mail names no invoice (src/workflows/subscription/messages.ts).
      // Its `decimals` write the cover and the premium too.
      ...SAMPLE_AMOUNT,
      version: 2,
      effectiveDate: '2030-09-14',
      coverageAmount: 300000,
      premium: 540,
      premiumEffect: 'billed',
      scheduleGiven: 'yes',
      scheduleUrl:
        'https://insurflow.example.com/api/subscriptions/5b8e2c4a-9f1d-4e3b-8a7c-6d5e4f3a2b1c/documents/2f0c7d1e-3a4b-4c5d-8e6f-7a8b9c0d1e2f',
    },
  },
  subscriptionChangeNotApplied: {
    variables: {
      ...SAMPLE_SUBSCRIPTION,
      changeId: '7d1e2f0c-3a4b-4c5d-8e6f-7a8b9c0d1e2f',
      effectiveDate: '2030-09-14',
      reason: 'the change was priced for a premium of 480.00, the policy is at 540.00',
      why: 'premium',
      pricedPremium: 480,
      premium: 540,
      decimals: '2',
      currency: 'EUR',
    },
  },
  policyholderSetPassword: {
    variables: {
      fullName: 'Jo Doe',
      policyNumber: 'POL-2030-000042',
      hours: 72,
      expiresAt: SAMPLE_EXPIRY,
      forgotPasswordUrl: SAMPLE_FORGOT_PASSWORD_URL,
    },
    action: 'resetPassword',
  },
  quoteIssued: {
    variables: {
      planName: 'Home Basic',
      quoteId: '9c2e4b7a-1d3f-4a5b-8c6d-7e8f9a0b1c2d',
      referred: 'no',
      amount: 412.5,
      decimals: '2',
      currency: 'EUR',
      validUntil: SAMPLE_EXPIRY,
      breakdown:
        'Sum insured 300000.00 at 1.25 per 1,000: 375.00 EUR\nProperty category detached_house (× 1.10): 37.50 EUR\nZone Z1 (× 1.00): 0.00 EUR',
      quoteUrl: 'https://api.insurflow.example/api/v1/quotes/9c2e4b7a-1d3f-4a5b-8c6d-7e8f9a0b1c2d',
    },
  },
  // The operators' notices: to the tenant's admins (the platform's without a tenant).
  webhookEndpointDisabled: {
    variables: {
      url: 'https://hooks.example.com/insurflow',
      endpointId: '3c9a1f7e-2b4d-4e8a-9c6f-1a2b3c4d5e6f',
      days: 5,
      failingSince: new Date('2030-03-09T15:30:00Z'),
    },
  },
  runDrift: {
    variables: {
      entity: 'claim',
      entityId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      rowStatus: 'submitted',
      workflowId: 'claim-9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      runState: 'terminated',
    },
  },
  auditCheckpoint: {
    variables: { day: '2030-03-14', asOf: new Date('2030-03-14T00:00:00Z'), count: 1234, head: 'b'.repeat(64) },
  },
  ledgerDifference: {
    variables: {
      checkedAt: new Date('2030-03-14T03:30:00Z'),
      count: 2,
      differences: 'loss_reserves EUR: 1200.00 ≠ 1250.00\nclaim_reserve CLM-2030-000042 EUR: 400.00 ≠ 450.00',
      unnamed: 0,
    },
  },
  reportDelivery: { variables: { reportName: 'Open claims', kind: 'claims', fileName: 'claims-report-2030-03-01-2030-03-14.csv' } },
} as const satisfies Record<NotificationType, Template>;

/** The variables a notification of `type` is rendered with. */
export type ValuesOf<T extends NotificationType> = {
  [K in keyof (typeof TEMPLATES)[T]['variables']]: (typeof TEMPLATES)[T]['variables'][K] extends Date
    ? Date
    : (typeof TEMPLATES)[T]['variables'][K] extends number
      ? number
      : string;
};
