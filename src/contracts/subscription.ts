/**
 * The contract of `subscription-<id>` runs, shared by the workflow, its activities, the model, the
 * API and tests: its statuses, input, the state it reports, its query and updates, and how it is
 * started (docs/architecture.md, Process contracts).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { type MarkedPersonalData, personalData, personalValue } from '../shared/personal-data';
import type { Role } from '../shared/roles';
import { workflowRun } from './workflow-run';

export const subscriptionRun = workflowRun('subscriptionWorkflow', 'subscription-');

/**
 * `pending_payment`: recorded and billed, not yet covering until its first instalment is paid (or
 * staff waive it); `lapsed`: an instalment unpaid past its grace period, coverage suspended until
 * it is paid within the reinstatement window (docs/subscriptions.md, Premium timeline).
 */
export const SUBSCRIPTION_STATUSES = ['pending', 'pending_payment', 'active', 'lapsed', 'cancelled', 'expired'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
/** The statuses of a subscription whose run is still open. */
export const OPEN_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['pending', 'pending_payment', 'active', 'lapsed'];

/** The plan's terms, copied when the policyholder subscribes. Money stays a 2-decimal string. */
export interface SubscriptionTerms {
  subscriptionId: string;
  tenantId: string;
  planId: string;
  planName: string;
  policyholderId: string;
  coverageAmount: string;
  premium: string;
  /** The plan's currency (ISO 4217): the mails write the cover with its decimals. Absent from runs started before it. */
  currency?: string;
  durationMonths: number;
  /**
   * The holder's phone and the property's address as given at issue, marked as the policyholder's
   * so the data converter seals them with their key (docs/privacy.md, crypto-shredding). Only the
   * row's insert reads them, through `holderContactOf`; the workflow passes them on unread.
   */
  holderContact?: MarkedPersonalData<HolderContact>;
  /** How runs started before the contact was marked carry it, in clear: read through `holderContactOf`, never written. */
  holderPhone?: string;
  propertyAddress?: PropertyAddress;
  /** The staff member who issued the policy for the holder; absent when the holder subscribed. */
  issuedById?: string;
  /**
   * The quote the policy is bound from (docs/quotes.md, Binding): its premium and sum insured are
   * the quote's. Absent: the plan's fixed terms. The workflow passes it on unread.
   */
  quoteId?: string;
}

/** The holder's phone (E.164) and the insured property's address, as given at issue; stored on the row only. */
export interface HolderContact {
  holderPhone?: string;
  propertyAddress?: PropertyAddress;
}

/** The contact as terms carry it: marked as the policyholder's, absent when none was given (nothing to seal). */
export function markedHolderContact(policyholderId: string, contact: HolderContact): Pick<SubscriptionTerms, 'holderContact'> {
  const given: HolderContact = {
    ...(contact.holderPhone && { holderPhone: contact.holderPhone }),
    ...(contact.propertyAddress && { propertyAddress: contact.propertyAddress }),
  };
  return Object.keys(given).length > 0 ? { holderContact: personalData(policyholderId, given) } : {};
}

/**
 * The contact of terms in clear, whichever shape they have: marked (sealed in the history), or the
 * plain fields of runs started before marking. Empty once the policyholder is erased.
 */
export function holderContactOf(terms: SubscriptionTerms): HolderContact {
  if (terms.holderContact) return personalValue(terms.holderContact) ?? {};
  return {
    ...(terms.holderPhone && { holderPhone: terms.holderPhone }),
    ...(terms.propertyAddress && { propertyAddress: terms.propertyAddress }),
  };
}

/** The postal address of the insured property; country is ISO 3166-1 alpha-2. */
export interface PropertyAddress {
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  region?: string;
  country: string;
}

/** A coverage period, carried into the next run when a renewal continues-as-new. Dates are 'YYYY-MM-DD'. */
export interface CoveragePeriod {
  startDate: string;
  endDate: string;
  renewalCount: number;
}

/** The tenant's settings a subscription period runs on. */
export interface RenewalPolicy {
  renewalReminderDays: number;
  /** The premium timeline's settings (docs/subscriptions.md); absent from runs recorded before it. */
  collectPremiums?: boolean;
  premiumGraceDays?: number;
  premiumReinstatementDays?: number;
  premiumReminderDaysBefore?: number;
}

export interface SubscriptionWorkflowInput {
  terms: SubscriptionTerms;
  /** Absent on the first run: the workflow records the row and activates it. */
  period?: CoveragePeriod;
  /**
   * The settings the renewal read for this period, handed over with it. Absent on a first run, on
   * a restored run and on runs handed over before renewals read them: the run reads them itself.
   */
  policy?: RenewalPolicy;
  /**
   * The confirmed change an ended run held for a later date, handed to the run an operator restores
   * (restoreSubscriptionRun) so it is carried out on its date; absent from every other start.
   */
  scheduledChange?: HeldPolicyChange;
}

/** One run per coverage period; it answers its final state. Starts by name use it as their type argument. */
export type SubscriptionWorkflow = (input: SubscriptionWorkflowInput) => Promise<SubscriptionState>;

/** Who asks for a change; the validators decide whether they may. */
export interface SubscriptionActor {
  userId: string;
  role: Role;
}

/** A cancellation, with the reason its author may give (stored on the row and told in the e-mail). */
export interface CancelRequest extends SubscriptionActor {
  reason?: string;
}

export interface SubscriptionState {
  subscriptionId: string;
  runId: string;
  status: SubscriptionStatus;
  startDate: string | null;
  endDate: string | null;
  renewalCount: number;
  /** From this moment the owner may renew; the reminder goes out then. */
  renewableFrom: string | null;
  renewalReminderSent: boolean;
  /** A change accepted and being carried out; other changes wait for it to finish. */
  changeInProgress: 'cancel' | 'renew' | 'expire' | 'waive' | 'change' | null;
  /** A confirmed policy change waiting for its effective date; absent from runs before policy changes. */
  scheduledChange?: ScheduledPolicyChange | null;
  /** Since when an unpaid instalment has suspended coverage ('YYYY-MM-DD'); null unless lapsed. Absent from runs before the premium timeline. */
  lapsedSince?: string | null;
}

/** A staff member waiving the first instalment so that the subscription covers before it is paid. */
export interface WaiveRequest extends SubscriptionActor {
  reason?: string;
}

/**
 * The cancellation reason stored on the row and shown in the run's details when the run cancels a
 * subscription whose premium was not paid; the e-mail says it in its own template
 * (`subscriptionCancelledForNonPayment`), in the reader's language.
 */
export const NON_PAYMENT_REASON = 'Cancelled for non-payment of the premium';

/**
 * A confirmed policy change for the run to carry out on its effective date (docs/subscriptions.md,
 * Policy changes). The API priced it and checked the tenant's limits; the run decides whether it
 * may happen now (who asks, the status, the term, another change in the way).
 */
export interface PolicyChangeRequest extends SubscriptionActor {
  changeId: string;
  /** 'YYYY-MM-DD', inside the term it was priced for. */
  effectiveDate: string;
  /** The renewal count of the term it was priced for: a change priced before a renewal is stale. */
  term: number;
}

/** A policy change the run holds until its effective date. */
export interface ScheduledPolicyChange {
  changeId: string;
  effectiveDate: string;
}

/**
 * Why a policy change cannot be carried out, as facts: the row, the API and the audit keep it in
 * English (`reasonOf`, src/domain/subscriptions/changes/carry-out.ts), the holder's mail words it in
 * their language (docs/notifications.md). No personal data: it lands in the run's history.
 */
export type ChangeRefusal =
  | { why: 'change_status'; status: string }
  | { why: 'status'; status: string }
  | { why: 'term'; pricedTerm: number; term: number }
  | { why: 'premium'; pricedPremium: string; premium: string; currency: string }
  | { why: 'no_version' }
  | { why: 'version'; version: number; versionFrom: string }
  /** Claims made on or after the change's date whose cover it would move (`way`); their numbers, comma-separated. */
  | { why: 'claims'; way: 'loses' | 'gains'; effectiveDate: string; claimNumbers: string };

/** A confirmed policy change the run holds until its effective date, with who confirmed it. */
export type HeldPolicyChange = ScheduledPolicyChange & { confirmedById: string };

/** Giving up a scheduled change before its effective date. */
export interface WithdrawPolicyChangeRequest extends SubscriptionActor {
  changeId: string;
}

export const subscriptionStateQuery = defineQuery<SubscriptionState>('state');
/**
 * Answers once the subscription has left `pending`. Nothing sends it any more; the workflow keeps
 * the handler so that runs which received it from the former update-with-start POST still replay.
 */
export const confirmActivationUpdate = defineUpdate<SubscriptionState>('confirmActivation');
export const cancelSubscriptionUpdate = defineUpdate<SubscriptionState, [CancelRequest]>('cancel');
export const renewSubscriptionUpdate = defineUpdate<SubscriptionState, [SubscriptionActor]>('renew');
export const waiveFirstPremiumUpdate = defineUpdate<SubscriptionState, [WaiveRequest]>('waiveFirstPremium');
export const applyPolicyChangeUpdate = defineUpdate<SubscriptionState, [PolicyChangeRequest]>('applyPolicyChange');
export const withdrawPolicyChangeUpdate = defineUpdate<SubscriptionState, [WithdrawPolicyChangeRequest]>('withdrawPolicyChange');
/**
 * An invoice of the subscription was paid: the run reads its invoices again. Carries nothing the
 * run trusts (the rows are the truth), so a repeated or late signal changes nothing.
 */
export const premiumPaidSignal = defineSignal<[{ invoiceId: string }]>('premiumPaid');
