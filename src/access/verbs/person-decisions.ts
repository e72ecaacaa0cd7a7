/**
 * The verbs only a person may exercise (docs/security.md, API keys): an API key with a role that names
 * one is refused with 403 person_required before anything is read, on REST and GraphQL alike
 * (`assertMay`, src/access/may.ts). A key acts as the admin who made it, with the key's role, so its
 * decision would be recorded as that admin's, taken by no one. These are
 * - either side of a four-eyes decision: approving, and equally rejecting, voiding or withdrawing, since
 *   a machine that may say no to what a person asked for is still one pair of eyes deciding alone;
 * - a decision about a person: an acknowledgement is their signature;
 * - a discretion over the insurer's own rules: cover before the first premium is paid, a closed claim
 *   opened again, data a legal hold keeps let go.
 * A claim's move is the one decision a verb cannot name alone (the same verb moves it routinely):
 * transitionClaim refuses a key its approval, its denial and a claim waiting for approval
 * (src/domain/claims/commands.ts). Pure, as the verbs are.
 */
import type { Verb } from './index';

export const PERSON_DECISIONS: Partial<Record<Verb, string>> = {
  approvePayment: 'Approving a payment',
  voidPayment: 'Voiding a payment',
  decideReserveChange: 'Deciding on a reserve change',
  reviewPolicyVersion: 'Reviewing a policy version',
  decideQuoteReferral: 'Deciding on a referred quote',
  decideRegistration: 'Deciding on a registration',
  approveOffboarding: "Approving a tenant's offboarding",
  rejectOffboarding: "Rejecting a tenant's offboarding",
  acknowledgePolicy: 'An acknowledgement',
  waiveFirstPremium: 'Waiving a first premium',
  reopenClaim: 'Reopening a claim',
  releaseLegalHold: 'Releasing a legal hold',
};
