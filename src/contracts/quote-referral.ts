/**
 * The contract of `quote-referral-<quoteId>` runs (docs/quotes.md, Referral), shared by the
 * workflow, its activities, the API and tests: input, the underwriter's decision Updates, the state
 * query, outcomes, and how it is started.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../shared/roles';
import { workflowRun } from './workflow-run';

export const quoteReferralRun = workflowRun('quoteReferralWorkflow', 'quote-referral-');

export interface QuoteReferralInput {
  tenantId: string;
  quoteId: string;
  /** Who asked for the quote and hears the outcome; null for a visitor's quote on the public catalog (nobody to mail). */
  requestedById: string | null;
  /** ISO instant the referral lapses: the tenant's quoteReferralBusinessDays in its default calendar, counted when it was opened. */
  dueAt: string;
}

/** `accepted`: the quote is `quoted` again at its (loaded) price; the others are the quote's status too. */
export type QuoteReferralStatus = 'referred' | 'accepted' | 'declined' | 'lapsed';

/** The run answers how the referral ended. Starts by name use it as their type argument. */
export type QuoteReferralWorkflow = (input: QuoteReferralInput) => Promise<QuoteReferralStatus>;

export interface QuoteUnderwriter {
  userId: string;
  role: Role;
}

export interface AcceptQuoteReferralInput extends QuoteUnderwriter {
  /** The fraction added to the premium before tax and fees ("0.15"), 0 to 1 with up to 4 decimals; none: the price stands. */
  loading?: string;
  /** Kept on the quote and told to the requester. */
  note?: string;
}

export interface DeclineQuoteReferralInput extends QuoteUnderwriter {
  /** Why the risk is declined: kept on the quote and told to the requester (required). */
  reason: string;
}

export interface QuoteReferralState {
  status: QuoteReferralStatus;
  underwriterId: string | null;
}

/** The requester's mails, one per outcome. */
export type QuoteReferralMessage = Exclude<QuoteReferralStatus, 'referred'>;

/** A loading as the Updates and the API accept it: 0 to 1, at most 4 decimals. */
export const LOADING_PATTERN = /^(0(\.\d{1,4})?|1(\.0{1,4})?)$/;
export const DECISION_NOTE_MAX_LENGTH = 2000;

export const quoteReferralStateQuery = defineQuery<QuoteReferralState>('state');
/** Both answer once the decision is recorded in PostgreSQL, so a read right after sees the quote decided. */
export const acceptQuoteReferralUpdate = defineUpdate<QuoteReferralState, [AcceptQuoteReferralInput]>('acceptQuoteReferral');
export const declineQuoteReferralUpdate = defineUpdate<QuoteReferralState, [DeclineQuoteReferralInput]>('declineQuoteReferral');
