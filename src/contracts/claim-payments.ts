/**
 * A claim's payments (docs/claim-money.md, Payments): several, partial, each to a payee and
 * against one reserve line. The claim's run decides them (who may ask, up to which amount alone,
 * who approves above it, never beyond what the line holds); the database is the arbiter of what
 * happened to the money after: a payment batch issues approved payments, the bank clears or
 * returns them, and the run hears of each through the outbox (`paymentSettledSignal`).
 *
 * A payment takes its amount off its reserve line as it is asked for (a `payment` reserve
 * change), so two payments can never promise the same reserve; a voided or failed one gives it
 * back (`payment_returned`).
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import { type MarkedPersonalData, personalData, personalValue } from '../shared/personal-data';
import type { Actor } from './actor';
import type { CostType, ReserveCategory, ReserveLine } from './claim-reserves';

/**
 * `requested`: waits for someone with enough payment authority. `approved`: within the asker's
 * authority, or approved by a second person; it goes into the next payment batch. `issued`: in a
 * batch file sent to the bank. `cleared`: the bank paid it. `failed`: the bank returned it.
 * `voided`: withdrawn before it was issued.
 */
export const PAYMENT_STATUSES = ['requested', 'approved', 'issued', 'cleared', 'failed', 'voided'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Statuses in which a payment still holds its amount off the reserve line. */
export const HOLDING_STATUSES: readonly PaymentStatus[] = ['requested', 'approved', 'issued', 'cleared'];
/** Statuses in which a payment still waits for a person's decision: the claim cannot be decided meanwhile. */
export const UNDECIDED_STATUSES: readonly PaymentStatus[] = ['requested', 'approved'];

export const PAYEE_KINDS = ['claimant', 'third_party'] as const;
export type PayeeKind = (typeof PAYEE_KINDS)[number];

/** Payments one claim's run keeps at most: its history stays bounded whatever people do. */
export const MAX_CLAIM_PAYMENTS = 50;

/** A payee's account as the API takes and shows it and the bank file carries it. */
export interface PayeeAccount {
  kind: PayeeKind;
  /** The account holder's name, as the bank file carries it. */
  name: string;
  /** Electronic format (no spaces, upper case). */
  iban: string;
  bic: string | null;
}

/**
 * A payee as a claim's run carries it: the name and IBAN marked as the claimant's personal data,
 * whoever holds the account, so the claimant's erasure erases them from the run's history
 * (docs/privacy.md, Personal data in workflow histories). Runs started before marking carry them
 * plain. The run passes them along and never reads them; the BIC is a bank's, not a person's.
 */
export interface Payee {
  kind: PayeeKind;
  name: string | MarkedPersonalData<string>;
  iban: string | MarkedPersonalData<string>;
  bic: string | null;
}

/** The payee a claim's run is to carry: name and IBAN marked as the claimant's. */
export const markedPayee = (claimantId: string, { kind, name, iban, bic }: PayeeAccount): Payee => ({
  kind,
  name: personalData(claimantId, name),
  iban: personalData(claimantId, iban),
  bic,
});

/** A payee as a run carried it, in clear: name and IBAN null once the claimant's key was destroyed. */
export const payeeInClear = ({ kind, name, iban, bic }: Payee) => ({ kind, name: personalValue(name), iban: personalValue(iban), bic });

export interface ClaimPayment {
  id: string;
  /** `PAY-<claim number>-<n>`: on the payee's statement and unique in the tenant. */
  reference: string;
  costType: CostType;
  category: ReserveCategory;
  amount: number;
  /** The claim's currency (its policy's), as the API checked the amount against it. */
  currency: string;
  payee: Payee;
  note: string | null;
  status: PaymentStatus;
  requestedById: string;
  /** Workflow time (ISO) of the request. */
  requestedAt: string;
  approvedById: string | null;
  voidedById: string | null;
}

export interface PaymentRequest {
  actor: Actor;
  /** Chosen by the API (from the Idempotency-Key when there is one), so a repeat is the same payment. */
  paymentId: string;
  costType: CostType;
  category: ReserveCategory;
  amount: number;
  currency: string;
  payee: Payee;
  note?: string;
}

export interface PaymentDecisionRequest {
  actor: Actor;
  paymentId: string;
  decision: 'approve' | 'void';
}

/** What the database recorded of an issued payment: sent in a batch, cleared by the bank, or returned. */
export interface PaymentSettled {
  paymentId: string;
  status: Extract<PaymentStatus, 'issued' | 'cleared' | 'failed'>;
  /** Why the bank returned it (failed only). */
  reason?: string;
}

/** A payment as the run recorded it, and the reserve lines after it. */
export interface PaymentAnswer {
  payment: ClaimPayment;
  reserves: ReserveLine[];
}

export const requestPaymentUpdate = defineUpdate<PaymentAnswer, [PaymentRequest]>('requestPayment');
export const decidePaymentUpdate = defineUpdate<PaymentAnswer, [PaymentDecisionRequest]>('decidePayment');
export const paymentSettledSignal = defineSignal<[PaymentSettled]>('paymentSettled');
