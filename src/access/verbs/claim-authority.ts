/**
 * Four eyes on a claim's money (docs/claim-money.md, Authority): the one rule that says whether a
 * person may let a reserve change or a payment through alone, and who may approve it when they
 * may not (a second person, a higher role); a claim's approval is judged by the same limits
 * (src/workflows/claim/approval.ts). Authority is cumulative, so four eyes cannot be split into
 * parts each within a limit: what a person let through alone before counts with what they ask
 * for now. Which of the tenant's limits binds which role is said here (AUTHORITY_OF), with who
 * decides beyond the amount claimed (the verb `approveBeyondClaimed`), as every other "who may
 * act" is in src/access. Pure, and shared: the claim's run applies it with what it knows of the
 * claim (its validators and handlers, src/workflows/claim/), the payment's recording with what
 * only the database knows, under the person's row lock (their total of the month across claims,
 * whether a second person ever approved a payment to the account:
 * src/domain/claims/payment-authority.ts).
 */
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { type AuthoritySettings, DEFAULT_RESERVE_AUTHORITY } from '../../shared/claim-authority';
import type { Role } from '../../shared/roles';
import { roleMay, rolesOf } from './index';

/** The tenant's limits come in two levels, each with its own setting (approval, reserve, monthly). */
type AuthorityLevel = 'adjuster' | 'seniorAdjuster';

/**
 * Which level of the tenant's limits binds a role's decisions alone; a claims manager has no
 * limit, and a role absent here (claim agents, policyholders, admins) no authority at all.
 */
const AUTHORITY_OF: Partial<Record<Role, AuthorityLevel | 'unlimited'>> = {
  adjuster: 'adjuster',
  senior_adjuster: 'seniorAdjuster',
  claims_manager: 'unlimited',
};

/** The limit of `role` among the levels' `limits`: 0 without authority, no limit for a claims manager. */
function limitAt(role: Role, limits: Record<AuthorityLevel, number>): number {
  const authority = AUTHORITY_OF[role];
  if (authority === undefined) return 0;
  return authority === 'unlimited' ? Number.POSITIVE_INFINITY : limits[authority];
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
  return limitAt(
    role,
    kind === 'reserve'
      ? {
          adjuster: settings.reserveAuthorityAdjuster ?? DEFAULT_RESERVE_AUTHORITY.adjuster,
          seniorAdjuster: settings.reserveAuthoritySeniorAdjuster ?? DEFAULT_RESERVE_AUTHORITY.seniorAdjuster,
        }
      : { adjuster: settings.approvalLimitAdjuster, seniorAdjuster: settings.approvalLimitSeniorAdjuster },
  );
}

/** What a role may approve alone in claim payments per calendar month across claims (the tenant's current settings). */
export function monthlyLimitOf(
  role: Role,
  settings: { monthlyApprovalLimitAdjuster: number; monthlyApprovalLimitSeniorAdjuster: number },
): number {
  return limitAt(role, { adjuster: settings.monthlyApprovalLimitAdjuster, seniorAdjuster: settings.monthlyApprovalLimitSeniorAdjuster });
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
  if (beyondClaimed && !roleMay(role, 'approveBeyondClaimed'))
    return { rule: 'beyond_claimed', roles: [...rolesOf('approveBeyondClaimed')] };
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
