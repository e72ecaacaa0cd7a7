/**
 * The rules of a claim's reserve changes (docs/claim-money.md, Reserves): who may change a
 * reserve, whether without a second person (src/access/verbs/claim-authority.ts, the rule payments
 * share), and who may decide a change that waits. Pure: the claim workflow's update validators
 * call them before anything is recorded.
 */
import { roleMay } from '../../access/verbs';
import { type ClaimSettings, type ClaimStage, OPEN_STAGES } from '../../contracts/claim';
import {
  MAX_RESERVE_CHANGES,
  type ReserveChange,
  type ReserveChangeRequest,
  type ReserveDecisionRequest,
  type ReserveLine,
} from '../../contracts/claim-reserves';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { type AuthorityTotal, checkApprover, limitOf, secondPersonFor } from '../../access/verbs/claim-authority';
import type { ClaimArithmetic } from './arithmetic';
import { checkNoDecisionPending } from './facts';

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
  /** An approval is being recorded: its settlement follows, so the claim's money takes no new change meanwhile. */
  decisionPending: boolean;
  /** Authority counts the increases the asker applied alone on the claim before; false only while a run recorded before that replays. */
  cumulative: boolean;
  /** How amounts are added and compared (arithmetic.ts): exact, but as recorded while a run recorded before that replays. */
  money: ClaimArithmetic;
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
  if (!roleMay(actor.role, 'workClaimMoney'))
    throw businessFailure(BusinessErrorType.Forbidden, `Only claim handlers work a claim's ${what}`, { rule: 'money_role' });
  if (actor.id === facts.claimantId)
    throw businessFailure(BusinessErrorType.OwnClaim, `You cannot work the ${what} of your own claim`, { rule: 'separation_of_duties' });
  // An adjuster works the claims assigned to them; senior adjusters and managers any of the tenant's.
  if (!roleMay(actor.role, 'workAnyClaim') && actor.id !== facts.assigneeId)
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

/**
 * Once the claim is approved its run settles the money: the settlement takes its part off the lines
 * in the database (src/domain/claims/settlement-reserves.ts) and the closing releases the rest, so a
 * change asked for then would be written against lines the run no longer knows (its amount before
 * out of date). Nor while an approval is being recorded, since the settlement follows it. For the
 * validators only: changes accepted before this rule replay in their handlers as they were decided.
 */
export function checkMoneyNotSettling(facts: Pick<ReserveFacts, 'stage' | 'decisionPending'>, what: 'reserves' | 'payments'): void {
  checkNoDecisionPending(facts);
  if (!OPEN_STAGES.includes(facts.stage))
    throw businessFailure(BusinessErrorType.Conflict, `The claim is ${facts.stage}: its ${what} are final`, { field: 'status' });
}

function checkMayWork(facts: ReserveFacts, actor: ReserveChangeRequest['actor']): void {
  checkMayWorkMoney(facts, actor, 'reserves');
  checkNotRecording(facts);
}

export function checkReserveChange(facts: ReserveFacts, request: ReserveChangeRequest): void {
  checkMayWork(facts, request.actor);
  checkMoneyNotSettling(facts, 'reserves');
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
  if (facts.money.compare(lineOf(facts.reserves, request)?.amount ?? 0, request.amount) === 0)
    throw businessFailure(BusinessErrorType.Validation, 'The reserve already has this amount', { field: 'amount' });
}

/** What the actor raised reserves by, alone, on the claim (changes applied within their authority). */
const raisedAloneBy = (facts: ReserveFacts, actorId: string): number =>
  facts.money.sum(
    facts.changes
      .filter((change) => change.status === 'applied' && change.requestedById === actorId)
      .map((change) => Math.max(0, facts.money.difference(change.amount, change.amountBefore))),
  );

/**
 * Whether the change waits for a second person: the line's new amount above what the asker may
 * set alone, or, with what they raised alone on the claim before, the increase beyond it.
 */
export function needsApproval(facts: ReserveFacts, { actor, amount, costType, category }: ReserveChangeRequest): boolean {
  const limit = limitOf('reserve', actor.role, facts.settings);
  const increase = Math.max(0, facts.money.difference(amount, lineOf(facts.reserves, { costType, category })?.amount ?? 0));
  const totals: AuthorityTotal[] = [{ scope: 'request', total: amount, limit }];
  if (facts.cumulative) totals.push({ scope: 'claim', total: facts.money.sum([raisedAloneBy(facts, actor.id), increase]), limit });
  return secondPersonFor({ role: actor.role, amount: increase, totals }) !== null;
}

/** Approving: someone else with authority for the amount. Rejecting: the same, or the asker withdrawing it. */
export function checkReserveDecision(facts: ReserveFacts, request: ReserveDecisionRequest): ReserveChange {
  const change = facts.changes.find((candidate) => candidate.id === request.changeId);
  if (!change || change.status !== 'pending')
    throw businessFailure(BusinessErrorType.Conflict, 'No reserve change with this id waits for a decision', { field: 'changeId' });
  const withdrawing = !request.approve && request.actor.id === change.requestedById;
  if (withdrawing) return change;
  checkMayWork(facts, request.actor);
  checkApprover('reserve', facts.settings, request.actor, change);
  return change;
}
