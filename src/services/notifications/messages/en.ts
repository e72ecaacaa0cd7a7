/**
 * The English texts, the fallback of every other language: a test fails if another language lacks
 * one of them (tests/notifications/templates.test.ts). `{expiresAt, date, deadline}` is a date and
 * time in the tenant's time zone (./../render.ts).
 */
import type { NotificationType } from '../../../shared/notification-settings';
import { money } from './money';
import type { Messages } from './types';

const IGNORE_IF_NOT_YOU = 'If you did not ask for this, ignore this e-mail: nothing happens without the link.';
const HOURS = '{hours, plural, one {# hour} other {# hours}}';
const MINUTES = '{minutes, plural, one {# minute} other {# minutes}}';
const UNTIL = 'until {expiresAt, date, deadline}';
const SIGN_IN = 'Sign in to Insurflow as {email}. If you do not know the password, choose one at {forgotPasswordUrl}';
/** A claim deadline's length, in the unit it counted in (docs/calendars.md). */
const WAITED_HOURS =
  '{working, select, yes {{hours, plural, one {# working hour} other {# working hours}}} other {{hours, plural, one {# hour} other {# hours}}}}';
const DAYS =
  '{working, select, yes {{days, plural, one {# working day} other {# working days}}} other {{days, plural, one {# day} other {# days}}}}';
/** A claim's amount with its currency's decimals, without the currency, as the claim mails have always written it. */
const AMOUNT = money('amount');
/** A policy version as the acknowledgement mails name it, and its due date (year-month-day in the tenant's time zone). */
const POLICY = '"{title}" (version {versionNumber})';
const DUE = '{dueAt, date, isoDay}';
/** A policy version as the review mails name it. */
const REVIEWED = '"{title}" version {versionNumber}';
const ACKNOWLEDGE_ACTION = { action: 'Open this link to read the policy and acknowledge it:', button: 'Read and acknowledge' };
const NOT_ACKNOWLEDGED = `{fullName} <{email}> was due to acknowledge ${POLICY} by ${DUE} and has not done so.`;
/** A registration as the platform admins and its applicant know it: the company and the slug it asked for. */
const COMPANY = '{companyName} ({slug})';
const REVIEW = 'Review it: GET {reviewUrl}';
const SUBSCRIPTION = 'Your subscription {policyNumber} to {planName}';
/** An invoice's amount and its currency, written for the language. */
const MONEY = `${money('amount')} {currency}`;
/**
 * Why a confirmed policy change was not made (ChangeRefusal, src/contracts/subscription.ts); `other`
 * is the English `reason` a run gives where its activity, of older code, gave only that.
 */
const NOT_APPLIED_REASON = `{why, select, status {the subscription is {status, select, pending_payment {awaiting its first premium} other {{status}}}} term {the change was priced for term {pricedTerm}, the policy is in term {term}} premium {the change was priced for a premium of ${money('pricedPremium')} {currency}, the policy is at ${money('premium')} {currency}} no_version {the subscription has no version yet} version {version {version} is effective from {versionFrom, date, calendarDay}} claims {the change would {way, select, loses {reduce the cover of open claims} other {raise the cover of claims already made}} on or after {effectiveDate, date, calendarDay}: {claimNumbers}} other {{reason}}}`;

export const en: Record<NotificationType, Messages> = {
  verifyAccount: {
    subject: 'Activate your Insurflow account',
    intro: 'Someone asked for an Insurflow account with this e-mail address. It works once you confirm the address.',
    body: `{replacing, select, yes {An account asked for earlier with this address is still waiting for its own link. Whichever link you follow first decides which account the address gets; the other link then stops working.
} other {}}This token works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to confirm the address:',
    button: 'Confirm the address',
    outro: `Then log in.\n${IGNORE_IF_NOT_YOU}`,
  },
  staffInvitation: {
    subject: 'Join {companyName} on Insurflow',
    intro: 'Hello {fullName},',
    body: `{invitedBy} invited you to work for {companyName} on Insurflow, with this e-mail address. Choose your password to start; this token works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to choose your password:',
    button: 'Choose your password',
    outro: `Then log in with this address and that password.\nIf it has expired, ask {invitedBy} for a new invitation.`,
  },
  policyholderInvitation: {
    subject: 'Your account with {companyName} on Insurflow',
    intro: 'Hello {fullName},',
    body: `{companyName} opened an account for you on Insurflow, with this e-mail address: there you see your policies, your premiums and your claims. Choose your password to start; this token works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to choose your password:',
    button: 'Choose your password',
    outro: `Then log in with this address and that password.\nIf it has expired, ask {companyName} for a new link. ${IGNORE_IF_NOT_YOU}`,
  },
  alreadyRegistered: {
    subject: 'You already have an Insurflow account',
    intro: 'Someone asked for a new Insurflow account with this e-mail address, which already has one, so nothing was created.',
    body: `If it was you, use the account you have. ${SIGN_IN}\nIf it was not you, your account is unchanged and you need do nothing.`,
  },
  verifyRegistration: {
    subject: 'Confirm your company registration',
    intro:
      'Someone asked to register {companyName} on Insurflow, with this address for its administrator. The request reaches our team once you confirm the address.',
    body: `This token works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to confirm the address and submit the registration:',
    button: 'Submit the registration',
    outro: IGNORE_IF_NOT_YOU,
  },
  registrationAddressInUse: {
    subject: 'This address already has an Insurflow account',
    intro:
      'Someone asked to register {companyName} on Insurflow with this address for its administrator. The address already has an account or an open registration, so nothing was submitted.',
    body: `Register the company with another administrator address, or, if this address is already its administrator, use that account.\n${SIGN_IN}`,
  },
  passwordReset: {
    subject: 'Reset your Insurflow password',
    intro: 'Hello {fullName},',
    body: `Someone asked to reset the password of this account. This token works once, for ${MINUTES}, ${UNTIL}:`,
    action: 'Open this link to choose your new password:',
    button: 'Choose a new password',
    outro: 'If you did not ask for this, ignore this e-mail: your password stays as it is.',
  },
  failedSignIns: {
    subject: 'Several failed sign-ins to your Insurflow account',
    intro:
      'Someone tried several wrong passwords for your account. Your account is not locked: attempts from that source are being slowed down, and you can still log in as usual.',
    body: `If it was not you, consider changing your password. You will get at most one such e-mail every ${MINUTES}.`,
  },
  secondFactorReset: {
    subject: 'The second factor of your Insurflow account was removed',
    intro:
      'Your company administrator {adminName} removed the second factor of your Insurflow account (its authenticator and recovery codes). You now sign in with your password alone, or enrol a second factor again if your company requires one.',
    body: 'If you did not ask for this, tell your company administrator or security team at once, and enrol a new second factor.',
  },
  confirmEmailChange: {
    subject: 'Confirm your new Insurflow e-mail address',
    intro:
      '{byAdmin, select, yes {Your company administrator asked to use this address for your Insurflow account from now on.} other {Someone signed in to Insurflow asked to use this address for their account from now on.}} It changes only once you confirm it.',
    body: `This token works once, for ${MINUTES}, ${UNTIL}:`,
    action: 'Open this link and confirm with the password of your account (and your second factor, if you use one):',
    button: 'Confirm the new address',
    outro: 'If you did not ask for this, ignore this e-mail: nothing changes without the token.',
  },
  emailChangeRequested: {
    subject: 'Your Insurflow e-mail address is about to change',
    intro:
      '{byAdmin, select, yes {Your company administrator asked to change the address of your Insurflow account to {newEmail}.} other {Someone signed in to your Insurflow account, with your password, asked to change its address to {newEmail}.}} It changes only once the link mailed there is followed.',
    body: "{byAdmin, select, yes {If this is wrong, ask your company administrator; the link works only together with your account's password (and second factor).} other {If it was not you, choose a new password now at {forgotPasswordUrl}: that ends every other session, and the link works only together with your account's password (and second factor).}}",
  },
  emailChangeAddressInUse: {
    subject: 'Someone asked to use your address for another Insurflow account',
    intro:
      'Someone signed in to another Insurflow account asked to move that account to this e-mail address. This address already has an account, so nothing changed and no link was sent.',
    body: `If it was you, use the account this address has, or choose another address for the other one. ${SIGN_IN}\nIf it was not you, your account is unchanged and you need do nothing.`,
  },
  emailChanged: {
    subject: 'Your Insurflow e-mail address has changed',
    intro:
      'The address of your Insurflow account is now {newEmail}{byAdmin, select, yes {, as your company administrator set it} other {}}. Sign in with it from now on; every other session has ended.',
    body: '{byAdmin, select, yes {If this is wrong, ask your company administrator.} other {If it was not you, contact your company administrator at once.}}',
  },
  confirmStaffAddress: {
    subject: 'Confirm your Insurflow e-mail address',
    intro:
      'Your company administrator set this address for your Insurflow account. Sign in with it from now on; every other session has ended.',
    body: `Until you confirm the address, no password reset is sent to it. This token works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to confirm the address:',
    button: 'Confirm the address',
    outro: 'If this is not your account, ignore this e-mail and tell the company that uses Insurflow, if you know it.',
  },
  platformAdminInvitation: {
    subject: 'You are an Insurflow platform admin',
    intro: 'Hello {fullName},',
    body: `Another platform admin has made you an Insurflow platform admin. Choose your password with this token; it works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to choose your new password:',
    button: 'Choose your password',
    outro: 'Then log in.\nIf it has expired, ask for a new one at {forgotPasswordUrl}',
  },
  tenantSuspended: {
    subject: 'Your company is suspended on Insurflow',
    intro: 'The Insurflow platform team has suspended {tenantName}, for this reason:',
    body: "{reason}\nWhile it is suspended nobody of your company can sign in, your public catalog is offline and your customers get no e-mails from Insurflow; your policies' and claims' deadlines keep running.\nReply to this e-mail or contact the platform team to have it reactivated.",
  },
  tenantReactivated: {
    subject: 'Your company is active again on Insurflow',
    intro:
      'The Insurflow platform team has reactivated {tenantName}. Your staff and customers can sign in again, with the sessions they had, and your public catalog is back online.',
    body: 'E-mails that fell due while it was suspended were not sent and will not be.',
  },
  reportRecipientLink: {
    subject: 'Confirm that you want to receive an Insurflow report',
    intro: '{addedBy} of {companyName} asked Insurflow to e-mail you the {kind} report "{reportName}" on a schedule.',
    body: `Nothing of it is sent to you until you confirm. This token works once, for {days, plural, one {# day} other {# days}}, ${UNTIL}:`,
    action: 'Open this link to confirm that you want to receive it:',
    button: 'Receive the report',
    outro: 'If you do not want this report, ignore this e-mail: you will receive nothing.',
  },
  claimAssigned: {
    subject: 'Claim {claimNumber} is assigned to you',
    intro: 'Claim {claimNumber} ({stage}) is now yours to handle.',
  },
  claimDocumentsRequested: {
    subject: 'Documents needed for claim {claimNumber}',
    intro: '{noteGiven, select, yes {{note}} other {Please upload the documents your claim handler asked for.}}',
  },
  claimDocumentsReceived: {
    subject: 'Documents received for claim {claimNumber}',
    intro: '{fileName} was uploaded; the claim is back under review.',
  },
  claimUnassignedEscalation: {
    subject: 'Claim {claimNumber} is still unassigned',
    intro: `Claim {claimNumber} has waited ${WAITED_HOURS} for a handler.`,
  },
  claimApprovalEscalation: {
    subject: 'Claim {claimNumber} is waiting for approval',
    intro: `Claim {claimNumber} has waited ${WAITED_HOURS} for an approval decision.`,
  },
  claimDocumentsReminder: {
    subject: 'Reminder: documents needed for claim {claimNumber}',
    // Sent days before the deadline, when whether a payment will hold money then is not known: both outcomes, true either way.
    intro: `We are still waiting for the documents of claim {claimNumber}. If they have not arrived ${DAYS} after we asked for them, the claim is denied, unless a payment on it is already under way or made: then it stays open and our claims team decides it.`,
  },
  claimDocumentsEscalation: {
    subject: 'Claim {claimNumber}: documents overdue',
    intro: `The documents of claim {claimNumber} were requested ${DAYS} ago and have not arrived.`,
  },
  claimDenialWithheld: {
    subject: 'Claim {claimNumber} was not denied: its payments hold money',
    intro: `The documents of claim {claimNumber} were requested ${DAYS} ago and have not arrived, but money is on its way or paid on the claim, so it was not denied and stays open. Decide it: approve it at what was paid or more, and record a recovery for money to come back.`,
  },
  claimPaid: {
    subject: 'Claim {claimNumber} is paid',
    intro: `We paid ${AMOUNT} for claim {claimNumber} (reference {reference}).`,
  },
  claimPaymentApproved: {
    subject: 'A payment on claim {claimNumber} is on its way',
    intro: `We approved a payment of ${AMOUNT} on claim {claimNumber} (reference {reference}); it goes out with our next bank transfer.`,
  },
  claimPaymentCleared: {
    subject: 'A payment on claim {claimNumber} was paid',
    intro: `We paid ${AMOUNT} on claim {claimNumber} (reference {reference}).`,
  },
  claimPaymentReturned: {
    subject: 'A payment on claim {claimNumber} could not be made',
    intro: `The bank returned the payment of ${AMOUNT} on claim {claimNumber} (reference {reference}). Your claim handler will be in touch about the account details.`,
  },
  claimDenied: {
    subject: 'Claim {claimNumber} is denied',
    intro: 'Claim {claimNumber} was denied{reasonGiven, select, yes {: {reason}} other {}}.',
  },
  policyNotice: {
    subject: `New policy to acknowledge: ${POLICY}, due ${DUE}`,
    intro: 'Hello {fullName},',
    body: `${POLICY} applies to you: please read it and acknowledge it by ${DUE}.`,
    ...ACKNOWLEDGE_ACTION,
  },
  acknowledgementReminder: {
    subject: `Reminder: please acknowledge ${POLICY} by ${DUE}`,
    intro: 'Hello {fullName},',
    body: `please read and acknowledge ${POLICY} before ${DUE}.\n{content}`,
    ...ACKNOWLEDGE_ACTION,
  },
  acknowledgementOverdue: {
    subject: `Overdue: {fullName} has not acknowledged ${POLICY}`,
    intro: NOT_ACKNOWLEDGED,
    body: 'Escalation level 1.',
  },
  acknowledgementEscalated: {
    subject: `Escalation: {fullName} has still not acknowledged ${POLICY}`,
    intro: NOT_ACKNOWLEDGED,
    body: 'Escalation level 2.',
  },
  policyReviewRequested: {
    subject: `Review requested: ${REVIEWED}`,
    intro: `${REVIEWED} was submitted for review. Read it and approve or reject it:`,
    body: '{link}',
  },
  policyReviewReminder: {
    subject: `Reminder: review waiting: ${REVIEWED}`,
    intro: `${REVIEWED} is still waiting for a reviewer:`,
    body: '{link}',
  },
  policyApproved: {
    subject: `Approved: ${REVIEWED}`,
    intro: `${REVIEWED} was approved and may now be published:`,
    body: '{link}',
  },
  policyChangesRequested: {
    subject: `Changes requested: ${REVIEWED}`,
    intro: `${REVIEWED} was rejected and is a draft again.`,
    body: 'Reason: {reason}\n{link}',
  },
  policyReviewLapsed: {
    subject: `Review lapsed: ${REVIEWED}`,
    intro: `Nobody reviewed ${REVIEWED} in time; it is a draft again and may be submitted anew:`,
    body: '{link}',
  },
  quoteReferralAccepted: {
    subject: 'Your quote is accepted: {premium} {currency}',
    intro:
      'An underwriter accepted the risk of your quote at a premium of {premium} {currency}. You may take out the policy until {validUntil, date, deadline}:',
    body: '{link}',
  },
  quoteReferralDeclined: {
    subject: 'Your quote was declined',
    intro: 'An underwriter declined the risk of your quote.',
    body: 'Reason: {note}\n{link}',
  },
  quoteReferralLapsed: {
    subject: 'Your quote could not be decided in time',
    intro: 'No underwriter decided your quote in time. Ask for a new quote to try again:',
    body: '{link}',
  },
  registrationSubmitted: {
    subject: `New registration: ${COMPANY}`,
    intro: `${COMPANY} asks to join Insurflow.`,
    body: REVIEW,
  },
  registrationReminder: {
    subject: `Reminder: registration waiting for a decision: ${COMPANY}`,
    intro: `${COMPANY} has waited ${HOURS} for a decision.`,
    body: REVIEW,
  },
  registrationProvisioningFailed: {
    subject: `Provisioning failed: ${COMPANY}`,
    intro: `The approved registration of ${COMPANY} could not be provisioned and was rolled back: {reason}`,
  },
  registrationReceived: {
    subject: 'We received your registration',
    intro: `Thank you. The registration of ${COMPANY} is waiting for review by the Insurflow team.`,
  },
  registrationDeclined: {
    subject: 'Your registration was declined',
    intro: `The registration of ${COMPANY} was declined. Reason: {reason}`,
  },
  registrationExpired: {
    subject: 'Your registration expired',
    intro: `The registration of ${COMPANY} was not decided within {days, plural, one {# day} other {# days}} and has expired. You are welcome to apply again.`,
  },
  registrationTenantReady: {
    subject: 'Your Insurflow tenant is ready',
    intro: `The registration of ${COMPANY} was approved and your tenant is ready. Sign in to Insurflow as {email} with the password you chose when you registered.`,
  },
  registrationSetupFailed: {
    subject: 'Your registration was approved, but setting up your tenant failed',
    intro: `The registration of ${COMPANY} was approved, but your tenant could not be set up and nothing was kept. Our team has been told and will contact you.`,
  },
  subscriptionActivated: {
    subject: 'Your {planName} subscription is active',
    intro: `${SUBSCRIPTION} covers ${money('coverageAmount')} {currency} from {startDate, date, calendarDay} until {endDate, date, calendarDay}.`,
  },
  subscriptionAwaitingFirstPremium: {
    subject: 'Your {planName} subscription awaits its first premium',
    intro: `${SUBSCRIPTION} covers you once invoice {invoiceNumber} (${MONEY}) is paid. Unpaid on {cancelOn, date, calendarDay}, the subscription is cancelled.`,
  },
  subscriptionCancelledForNonPayment: {
    subject: 'Your {planName} subscription is cancelled for non-payment',
    intro: `${SUBSCRIPTION} was cancelled today: its premium was not paid in time.`,
  },
  subscriptionLapsed: {
    subject: 'Your {planName} subscription has lapsed',
    intro: `${SUBSCRIPTION} no longer covers you from {lapsedOn, date, calendarDay}: invoice {invoiceNumber} (${MONEY}, due {dueDate, date, calendarDay}) is unpaid. Pay it before {cancelOn, date, calendarDay} to reinstate the subscription; otherwise it will be cancelled.`,
  },
  subscriptionReinstated: {
    subject: 'Your {planName} subscription is reinstated',
    intro: `${SUBSCRIPTION} covers you again from today (it had lapsed on {lapsedOn, date, calendarDay}).`,
  },
  subscriptionCancelled: {
    subject: 'Your {planName} subscription is cancelled',
    intro: `${SUBSCRIPTION} was cancelled; coverage ended today instead of {coverageEnd, date, calendarDay}.`,
    body: `{owing, select, yes {You still owe ${money('owed')} {currency} of its premium, due now.} other {}}\n{reasonGiven, select, yes {Reason given: {reason}} other {}}`,
  },
  subscriptionRenewed: {
    subject: 'Your {planName} subscription is renewed',
    intro: `${SUBSCRIPTION} now runs until {endDate, date, calendarDay}.`,
  },
  subscriptionPremiumReminder: {
    subject: 'Your {planName} premium is due on {dueDate}',
    intro: `Invoice {invoiceNumber} of your subscription {policyNumber} to {planName} (${MONEY}) is due on {dueDate, date, calendarDay}.`,
  },
  subscriptionRenewalReminder: {
    subject: 'Your {planName} subscription ends on {endDate}',
    intro: `${SUBSCRIPTION} ends on {endDate, date, calendarDay}. You can renew it now for another {months, plural, one {# month} other {# months}}.`,
  },
  subscriptionExpired: {
    subject: 'Your {planName} subscription has expired',
    intro: `${SUBSCRIPTION} expired on {endDate, date, calendarDay}.`,
  },
  subscriptionChanged: {
    subject: 'Your {planName} subscription has changed',
    intro: `${SUBSCRIPTION} is changed from {effectiveDate, date, calendarDay} on (version {version}): it covers ${money('coverageAmount')} {currency} for a premium of ${money('premium')} {currency} a term.`,
    body: `{premiumEffect, select, billed {For the rest of the term ${MONEY} more is billed: see your invoices.} returned {For the rest of the term ${MONEY} is returned: taken off your next instalments, or refunded.} other {Your premium stays as it was.}}`,
    outro: '{scheduleGiven, select, yes {Your policy schedule for this version: GET {scheduleUrl}} other {}}',
  },
  subscriptionChangeNotApplied: {
    subject: 'Your {planName} subscription was not changed',
    intro: `The change to your subscription {policyNumber} to {planName} you confirmed for {effectiveDate, date, calendarDay} was not made: the policy had changed since the change was priced (${NOT_APPLIED_REASON}).`,
    body: 'Nothing was changed or billed. To make the change, ask for a new quote. The change: GET /api/v1/subscriptions/{subscriptionId}/changes/{changeId}',
  },
  policyholderSetPassword: {
    subject: 'Your insurance policy: set your Insurflow password',
    intro: 'Hello {fullName},',
    body: `Your insurer has issued policy {policyNumber} for you and opened an Insurflow account for this address.\nSet your password with this token; it works once, for ${HOURS}, ${UNTIL}:`,
    action: 'Open this link to choose your new password:',
    button: 'Set your password',
    outro: 'Then log in.\nIf it has expired, ask for a new one at {forgotPasswordUrl}',
  },
  quoteIssued: {
    subject: `{referred, select, yes {Your quote for {planName} is with an underwriter} other {Your quote for {planName}: ${MONEY}}}`,
    intro: `{referred, select, yes {Your quote {quoteId} for {planName} would cost ${MONEY} a term, but an underwriter must first decide on its risk: you will hear from us once that is done.} other {Your quote {quoteId} for {planName} is ${MONEY} a term, valid until {validUntil, date, deadline}.}}`,
    body: 'How the premium is made up:\n{breakdown}',
    outro: 'The quote: GET {quoteUrl}',
  },
  webhookEndpointDisabled: {
    subject: 'Insurflow: a webhook endpoint was disabled after {days, plural, one {# day} other {# days}} of failures',
    intro: 'Every delivery to {url} has failed since {failingSince, date, deadline}, so Insurflow disabled the endpoint {endpointId}.',
    body: 'Its deliveries since are listed with their errors at GET /api/v1/webhooks/endpoints/{endpointId}/deliveries. Once the receiver works again, enable the endpoint (PATCH with enabled: true) and replay what it missed (POST …/replay with since).',
  },
  runDrift: {
    subject: 'Insurflow: the run of {entity} {entityId} is {runState}',
    intro: 'The {entity} {entityId} is still {rowStatus}, but its run ({workflowId}) is {runState}.',
    body: '{runState, select, restarted {Its start had been lost; the run was started again from its recorded start.} other {Nothing will move it on by itself until an operator resolves it (GET /api/v1/operations/drift lists every such row).}}',
  },
  auditCheckpoint: {
    subject: 'Insurflow: audit trail checkpoint {day}',
    intro:
      "The audit trail's hash chain as it stood at {asOf, date, deadline}: {count, plural, one {# event} other {# events}}, the last one's hash {head}.",
    body: 'Keep this mail outside Insurflow. GET /api/v1/audit-events/verify over a span ending then answers this hash as its head; if it ever answers another, or names a broken event, the trail was changed after this mail (docs/audit.md, Tamper evidence).',
  },
  ledgerDifference: {
    subject: 'Insurflow: the books differ from the records ({count, plural, one {# difference} other {# differences}})',
    intro:
      'The reconciliation of {checkedAt, date, deadline} found the books differing from the records they post from. Each line is the check, the row, the currency, and the books against what the records say:',
    body: '{differences}\n{unnamed, plural, =0 {No other row differs.} one {# more row differs.} other {# more rows differ.}}\nGET /api/v1/ledger/reconciliation shows the latest result; POST /api/v1/ledger/reconciliation checks again once the cause is corrected (docs/ledger.md, Reconciliation). You are told once per set of differences.',
  },
  reportDelivery: {
    subject: 'Report: {reportName}',
    intro: 'The report "{reportName}" ({kind}) is attached as {fileName}.',
    body: 'It is sent by a saved report of Insurflow; a user who may see its report can change its recipients or schedule, pause or delete it.',
  },
};
