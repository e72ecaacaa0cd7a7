/**
 * Four eyes on a claim's money (docs/claim-money.md, Authority): the one rule that says whether a
 * person may let a reserve change or a payment through alone, and who may approve it when they
 * may not (a second person, a higher role); a claim's approval is judged by the same limits
 * (src/workflows/claim/approval.ts). Authority is cumulative, so four eyes cannot be split into
 * parts each within a limit: what a person let through alone before counts with what they ask
 * for now. Pure, and shared: the claim's run applies it with what it knows of the claim (its
 * validators and handlers, src/workflows/claim/), the activity that records a payment with what
 * only the database knows, under the person's row lock (their total of the month across claims,
 * whether a second person ever approved a payment to the account: src/activities/claim-authority.ts).
 */
import { businessFailure, BusinessErrorType } from './business-errors';
import type { Role } from './roles';

/**
 * The reserve a role may set alone unless its tenant says otherwise: the tenant settings' defaults
 * (src/shared/tenant-settings.ts takes them from here), and what runs filed before reserve
 * authority existed count with.
 */
export const DEFAULT_RESERVE_AUTHORITY = { adjuster: 10_000, seniorAdjuster: 50_000 } as const;

/**
 * The limits a claim's run holds, fixed when the claim was filed (the tenant settings' fields of
 * the same names; runs filed before reserve authority have none).
 */
export interface AuthoritySettings {
  approvalLimitAdjuster: number;
  approvalLimitSeniorAdjuster: number;
  reserveAuthorityAdjuster?: number;
  reserveAuthoritySeniorAdjuster?: number;
}

/**
 * What a decision is about: approving a claim or a payment (the tenant's approval limits) or
 * setting a reserve (its reserve authority).
 */
export type MoneyKind = 'claim' | 'payment' | 'reserve';

/**
 * The largest amount a role lets through alone; 0 for roles without authority (claim agents,
 * policyholders). Runs filed before reserve authority take its defaults.
 */
export function limitOf(kind: MoneyKind, role: Role, settings: AuthoritySettings): number {
  if (role === 'claims_manager') return Number.POSITIVE_INFINITY;
  const limits =
    kind === 'reserve'
      ? {
          adjuster: settings.reserveAuthorityAdjuster ?? DEFAULT_RESERVE_AUTHORITY.adjuster,
          senior_adjuster: settings.reserveAuthoritySeniorAdjuster ?? DEFAULT_RESERVE_AUTHORITY.seniorAdjuster,
        }
      : { adjuster: settings.approvalLimitAdjuster, senior_adjuster: settings.approvalLimitSeniorAdjuster };
  return role === 'adjuster' || role === 'senior_adjuster' ? limits[role] : 0;
}

/** What a role may approve alone in claim payments per calendar month across claims (the tenant's current settings). */
export function monthlyLimitOf(
  role: Role,
  settings: { monthlyApprovalLimitAdjuster: number; monthlyApprovalLimitSeniorAdjuster: number },
): number {
  if (role === 'claims_manager') return Number.POSITIVE_INFINITY;
  if (role === 'senior_adjuster') return settings.monthlyApprovalLimitSeniorAdjuster;
  if (role === 'adjuster') return settings.monthlyApprovalLimitAdjuster;
  return 0;
}

/**
 * A total a decision alone would bring something to, and the limit it must stay within:
 * `request` the amount itself (a reserve line's new amount), `claim` what the person let through
 * alone on the claim, `period` what they let through alone in the month across claims.
 */
export interface AuthorityTotal {
  scope: 'request' | 'claim' | 'period';
  total: number;
  limit: number;
}

/** What a decision alone would let through, as far as the caller knows it. */
export interface SoleDecision {
  role: Role;
  /** What this decision moves: a payment's amount, a reserve's increase. */
  amount: number;
  totals: AuthorityTotal[];
  /** A payment to an account no second person approved a payment to on the claim: above `threshold` it needs one. */
  newPayee?: { threshold: number };
  /** The claim's payments would hold more than the amount claimed (which the cover bounds): a claims manager decides. */
  beyondClaimed?: boolean;
}

/** Why a decision waits for a second person, and who that may be (roles: only these; absent: anyone with the authority). */
export interface SecondPerson {
  rule: 'request_authority' | 'claim_authority' | 'period_authority' | 'new_payee' | 'beyond_claimed';
  roles?: Role[];
}

/** Null when the person may take the decision alone; otherwise why a second person must approve it. */
export function secondPersonFor({ role, amount, totals, newPayee, beyondClaimed }: SoleDecision): SecondPerson | null {
  if (beyondClaimed && role !== 'claims_manager') return { rule: 'beyond_claimed', roles: ['claims_manager'] };
  const exceeded = totals.find(({ total, limit }) => total > limit);
  if (exceeded) return { rule: `${exceeded.scope}_authority` };
  if (newPayee && amount > newPayee.threshold) return { rule: 'new_payee' };
  return null;
}

/** How a refusal names the decision, and the rule it reports (a claim's keeps the name it had before payments shared it). */
const WORDS: Record<MoneyKind, { what: string; verb: string; rule: string }> = {
  claim: { what: 'claim', verb: 'approve', rule: 'approval_authority' },
  reserve: { what: 'reserve change', verb: 'set reserves', rule: 'reserve_authority' },
  payment: { what: 'payment', verb: 'approve payments', rule: 'payment_authority' },
};

/**
 * Who may approve a decision that waits: never the person who asked, a claims manager when only
 * one may (`roles`), and someone whose own limit covers the amount. Approving is the second pair
 * of eyes, so it does not count against the approver's totals.
 */
export function checkApprover(
  kind: MoneyKind,
  settings: AuthoritySettings,
  actor: { id: string; role: Role },
  asked: { requestedById: string | null; amount: number; roles?: Role[] },
): void {
  const { what, verb, rule } = WORDS[kind];
  if (actor.id === asked.requestedById)
    throw businessFailure(BusinessErrorType.Forbidden, `A second person must approve the ${what} you asked for`, {
      rule: 'separation_of_duties',
    });
  if (asked.roles && !asked.roles.includes(actor.role))
    throw businessFailure(BusinessErrorType.Forbidden, `Only a ${asked.roles.join(' or ')} may approve this ${what}`, {
      rule: 'manager_required',
      roles: asked.roles,
    });
  const limit = limitOf(kind, actor.role, settings);
  if (asked.amount > limit)
    throw businessFailure(BusinessErrorType.Forbidden, `A ${actor.role} may ${verb} up to ${limit}`, {
      rule,
      limit,
      amount: asked.amount,
    });
}
