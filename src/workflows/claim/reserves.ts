/**
 * The rules of a claim's reserve changes (docs/claim-money.md, Reserves): who may change a
 * reserve, up to which amount without a second person, and who may decide a change that waits.
 * Pure: the claim workflow's update validators call them before anything is recorded.
 */
import { type ClaimSettings, type ClaimStage, HANDLER_ROLES } from '../../contracts/claim';
import {
  MAX_RESERVE_CHANGES,
  type ReserveChange,
  type ReserveChangeRequest,
  type ReserveDecisionRequest,
  type ReserveLine,
} from '../../contracts/claim-reserves';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { DEFAULT_RESERVE_AUTHORITY } from '../../shared/reserve-authority';
import type { Role } from '../../shared/roles';

/** What the rules need to know about the claim's reserves at the moment of the request. */
export interface ReserveFacts {
  stage: ClaimStage;
  claimantId: string;
  assigneeId: string | null;
  settings: ClaimSettings;
  reserves: ReserveLine[];
  changes: ReserveChange[];
  /** A change of the claim's money (reserve or payment) is being recorded: the next waits until it is. */
  recording: boolean;
}

/** The largest reserve a role may set alone; undefined for roles without reserve authority. Runs filed before reserve authority take the defaults. */
export function reserveAuthorityOf(role: Role, settings: ClaimSettings): number | undefined {
  if (role === 'claims_manager') return Number.POSITIVE_INFINITY;
  if (role === 'senior_adjuster') return settings.reserveAuthoritySeniorAdjuster ?? DEFAULT_RESERVE_AUTHORITY.seniorAdjuster;
  if (role === 'adjuster') return settings.reserveAuthorityAdjuster ?? DEFAULT_RESERVE_AUTHORITY.adjuster;
  return undefined;
}

/** The line a change is about, as the run holds it (absent: nothing reserved yet). */
export const lineOf = (reserves: ReserveLine[], change: Pick<ReserveLine, 'costType' | 'category'>): ReserveLine | undefined =>
  reserves.find((line) => line.costType === change.costType && line.category === change.category);

/** Who may work a claim's money (`what`: reserves or payments), and whether it is still open to it. */
export function checkMayWorkMoney(
  facts: Pick<ReserveFacts, 'stage' | 'claimantId' | 'assigneeId'>,
  actor: ReserveChangeRequest['actor'],
  what: 'reserves' | 'payments',
): void {
  if (!HANDLER_ROLES.includes(actor.role))
    throw businessFailure(BusinessErrorType.Forbidden, `Only claim handlers work a claim's ${what}`, { rule: 'money_role' });
  if (actor.id === facts.claimantId)
    throw businessFailure(BusinessErrorType.OwnClaim, `You cannot work the ${what} of your own claim`, { rule: 'separation_of_duties' });
  // An adjuster works the claims assigned to them; senior adjusters and managers any of the tenant's.
  if (actor.role === 'adjuster' && actor.id !== facts.assigneeId)
    throw businessFailure(BusinessErrorType.Forbidden, `An adjuster works the ${what} of the claims assigned to them`, {
      rule: 'money_assignee',
    });
  if (facts.stage === 'closed' || facts.stage === 'denied')
    throw businessFailure(BusinessErrorType.Conflict, `The claim is ${facts.stage}: its ${what} are final`, { field: 'status' });
}

/** One change of the claim's money at a time: its reserve lines are written as amounts, so two must not cross. */
export function checkNotRecording(facts: { recording: boolean }): void {
  if (facts.recording)
    throw businessFailure(BusinessErrorType.Conflict, 'A change of this claim’s money is being recorded; retry in a moment', {
      rule: 'money_recording',
    });
}

function checkMayWork(facts: ReserveFacts, actor: ReserveChangeRequest['actor']): void {
  checkMayWorkMoney(facts, actor, 'reserves');
  checkNotRecording(facts);
}

export function checkReserveChange(facts: ReserveFacts, request: ReserveChangeRequest): void {
  checkMayWork(facts, request.actor);
  if (facts.changes.some((change) => change.id === request.changeId))
    throw businessFailure(BusinessErrorType.Conflict, 'This reserve change was already recorded', { field: 'changeId' });
  if (facts.changes.length >= MAX_RESERVE_CHANGES)
    throw businessFailure(BusinessErrorType.Conflict, `The claim has reached its limit of ${MAX_RESERVE_CHANGES} reserve changes`, {
      limit: MAX_RESERVE_CHANGES,
    });
  const waiting = facts.changes.find(
    (change) => change.status === 'pending' && change.costType === request.costType && change.category === request.category,
  );
  if (waiting)
    throw businessFailure(BusinessErrorType.Conflict, 'A change of this reserve line waits for approval: decide it first', {
      field: 'category',
      pendingChangeId: waiting.id,
    });
  if ((lineOf(facts.reserves, request)?.amount ?? 0) === request.amount)
    throw businessFailure(BusinessErrorType.Validation, 'The reserve already has this amount', { field: 'amount' });
}

/** Whether the change waits for a second person: above what the asker may set alone. */
export const needsApproval = (facts: ReserveFacts, request: ReserveChangeRequest): boolean =>
  request.amount > (reserveAuthorityOf(request.actor.role, facts.settings) ?? 0);

/** Approving: someone else with authority for the amount. Rejecting: the same, or the asker withdrawing it. */
export function checkReserveDecision(facts: ReserveFacts, request: ReserveDecisionRequest): ReserveChange {
  const change = facts.changes.find((candidate) => candidate.id === request.changeId);
  if (!change || change.status !== 'pending')
    throw businessFailure(BusinessErrorType.Conflict, 'No reserve change with this id waits for a decision', { field: 'changeId' });
  const withdrawing = !request.approve && request.actor.id === change.requestedById;
  if (withdrawing) return change;
  checkMayWork(facts, request.actor);
  if (request.actor.id === change.requestedById)
    throw businessFailure(BusinessErrorType.Forbidden, 'A second person must approve the reserve change you asked for', {
      rule: 'separation_of_duties',
    });
  const authority = reserveAuthorityOf(request.actor.role, facts.settings) ?? 0;
  if (change.amount > authority)
    throw businessFailure(BusinessErrorType.Forbidden, `A ${request.actor.role} may set reserves up to ${authority}`, {
      rule: 'reserve_authority',
      limit: authority,
      amount: change.amount,
    });
  return change;
}
