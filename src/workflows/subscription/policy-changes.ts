/**
 * Policy changes during the term (docs/subscriptions.md, Policy changes): the Updates that confirm
 * a priced change (`applyPolicyChange`) or withdraw a scheduled one (`withdrawPolicyChange`), their
 * validators (who may ask, 403; whether the policy may change now, 409; a date outside the term,
 * 422), and how the main loop carries them out. A change effective today or earlier is applied at
 * once; a later one is marked `scheduled` and held: `changeStep` is the durable timer the main loop
 * waits on, so it is applied on its date even across worker restarts. One change at a time.
 */
import { condition, patched, setHandler } from '@temporalio/workflow';
import {
  applyPolicyChangeUpdate,
  type HeldPolicyChange,
  type PolicyChangeRequest,
  type SubscriptionActor,
  type SubscriptionState,
  withdrawPolicyChangeUpdate,
  type WithdrawPolicyChangeRequest,
} from '../../contracts/subscription';
import { roleMay } from '../../access/verbs';
import { isCalendarDay } from '../../shared/calendar-day';
import { addMonths } from '../../shared/instalments';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { subscriptionMessages } from './messages';
import { readDues } from './premiums';
import { type Decision, notifyPolicyholder, remoteSteps, startOfDay, type Step, type SubscriptionRun, subscriptionState } from './run';
import { utcDay } from '../../shared/time';

const ID = /^[0-9a-f-]{36}$/i;

/** Runs that record this marker mail the holder a scheduled change that ends `not_applied` on its day. */
const MAIL_CHANGE_NOT_APPLIED = 'mail-change-not-applied';

/** The API checks these too; a client of the run itself must not be able to make an activity fail forever. */
function checkShape(request: { changeId?: unknown; effectiveDate?: unknown; term?: unknown }, withDate: boolean): void {
  if (typeof request.changeId !== 'string' || !ID.test(request.changeId))
    throw businessFailure(BusinessErrorType.Validation, 'A policy change is named by its id');
  if (!withDate) return;
  const { effectiveDate, term } = request;
  if (typeof effectiveDate !== 'string' || !isCalendarDay(effectiveDate))
    throw businessFailure(BusinessErrorType.Validation, 'A policy change is effective on a calendar date (YYYY-MM-DD)');
  if (!Number.isSafeInteger(term)) throw businessFailure(BusinessErrorType.Validation, 'A policy change names the term it was priced for');
}

/** The holder changes their own policy; staff with `changeAnyPolicy` any policy of their tenant. */
function checkWho(run: SubscriptionRun, actor: SubscriptionActor): void {
  if (actor.userId !== run.input.terms.policyholderId && !roleMay(actor.role, 'changeAnyPolicy'))
    throw businessFailure(BusinessErrorType.Forbidden, 'Only the policyholder or staff who may change policies may change this policy');
}

/** The current term's first day: the start date, or after a renewal the plan's duration before the end date. */
const termStartOf = (run: SubscriptionRun): string =>
  run.period!.renewalCount === 0 ? run.period!.startDate : addMonths(run.period!.endDate, -run.input.terms.durationMonths);

function validateApply(run: SubscriptionRun, request: PolicyChangeRequest): void {
  checkShape(request, true);
  checkWho(run, request);
  if (run.changeInProgress)
    throw businessFailure(BusinessErrorType.Conflict, `A ${run.changeInProgress} of this subscription is in progress`);
  if (run.scheduledChange)
    throw businessFailure(
      BusinessErrorType.Conflict,
      `Policy change ${run.scheduledChange.changeId} is scheduled for ${run.scheduledChange.effectiveDate}`,
    );
  if (run.status !== 'active' || !run.period)
    throw businessFailure(BusinessErrorType.InvalidTransition, `Cannot change a subscription that is ${run.status}`);
  if (request.term !== run.period.renewalCount)
    throw businessFailure(
      BusinessErrorType.Conflict,
      `The change was priced for term ${request.term}; the policy is in term ${run.period.renewalCount}`,
    );
  const termStart = termStartOf(run);
  if (request.effectiveDate < termStart || request.effectiveDate >= run.period.endDate)
    throw businessFailure(
      BusinessErrorType.Validation,
      `A change takes effect inside the term, from ${termStart} until before ${run.period.endDate}`,
    );
}

function validateWithdraw(run: SubscriptionRun, request: WithdrawPolicyChangeRequest): void {
  checkShape(request, false);
  checkWho(run, request);
  if (run.changeInProgress)
    throw businessFailure(BusinessErrorType.Conflict, `A ${run.changeInProgress} of this subscription is in progress`);
  if (run.scheduledChange?.changeId !== request.changeId)
    throw businessFailure(BusinessErrorType.Conflict, `Policy change ${request.changeId} is not waiting for its effective date`);
}

/** Records the decision for the main loop and answers once it is carried out. */
function accept(run: SubscriptionRun, kind: 'change' | 'withdraw') {
  return async ({ userId, role, changeId, ...rest }: PolicyChangeRequest | WithdrawPolicyChangeRequest): Promise<SubscriptionState> => {
    const effectiveDate = 'effectiveDate' in rest ? rest.effectiveDate : (run.scheduledChange?.effectiveDate ?? '');
    run.decision = { kind, actor: { userId, role }, change: { changeId, effectiveDate } };
    run.changeInProgress = 'change';
    await condition(() => run.changeInProgress === null);
    return subscriptionState(run);
  };
}

export function setPolicyChangeHandlers(run: SubscriptionRun): void {
  setHandler(applyPolicyChangeUpdate, accept(run, 'change'), { validator: (request) => validateApply(run, request) });
  setHandler(withdrawPolicyChangeUpdate, accept(run, 'withdraw'), { validator: (request) => validateWithdraw(run, request) });
}

/** The timer of the change held for a later date, if one is. */
export function changeStep(run: SubscriptionRun): Step | null {
  const held = run.scheduledChange;
  return held && { kind: 'policy-change', atMs: startOfDay(held.effectiveDate), summary: `policy change effective ${held.effectiveDate}` };
}

/** Applies the change (one transaction, idempotent), then tells the holder, linking the version's schedule. */
async function applyChange(run: SubscriptionRun, { changeId, confirmedById }: Omit<HeldPolicyChange, 'effectiveDate'>): Promise<void> {
  // Nothing else is accepted while the rows change; the Update's caller has its answer once they have.
  run.changeInProgress = 'change';
  const applied = await remoteSteps.applyPolicyChange({ changeId, confirmedById, appliedAt: new Date().toISOString() });
  run.scheduledChange = null;
  run.changeInProgress = null;
  if (applied.outcome === 'refused') {
    // Runs that record the marker tell the holder who was promised the change; earlier runs replay as they ran, silent.
    if (applied.notApplied && patched(MAIL_CHANGE_NOT_APPLIED)) {
      const mail = subscriptionMessages.changeNotApplied(run.input.terms, changeId, applied.notApplied.effectiveDate, applied);
      await notifyPolicyholder(run, `change-not-applied:${changeId}`, mail);
    }
    return;
  }
  const { terms } = run.input;
  // The next period's run and every later e-mail name the policy as it is now.
  Object.assign(terms, {
    planId: applied.planId,
    planName: applied.planName,
    coverageAmount: applied.coverageAmount,
    premium: applied.premium,
  });
  if (run.collecting) await readDues(run);
  const schedule = await remoteSteps.ensureVersionSchedule({ subscriptionId: terms.subscriptionId, versionNumber: applied.versionNumber });
  await notifyPolicyholder(run, `changed:${changeId}`, subscriptionMessages.changed(terms, applied, schedule?.url ?? null));
}

/** The decision of an Update carried out by the main loop: withdrawn, applied now, or held for its date. */
export async function carryOutPolicyDecision(run: SubscriptionRun, decision: Decision): Promise<void> {
  run.decision = undefined;
  const { changeId, effectiveDate } = decision.change!;
  const confirmedById = decision.actor.userId;
  const now = new Date().toISOString();
  if (decision.kind === 'change' && effectiveDate <= utcDay(new Date())) return applyChange(run, { changeId, confirmedById });
  if (decision.kind === 'withdraw') {
    await run.steps.withdrawPolicyChange({ changeId, withdrawnById: confirmedById, withdrawnAt: now });
    run.scheduledChange = null;
  } else {
    await run.steps.schedulePolicyChange({ changeId, confirmedById, confirmedAt: now });
    run.scheduledChange = { changeId, effectiveDate, confirmedById };
  }
  run.changeInProgress = null;
}

/** The held change's day has come. */
export async function applyScheduledChange(run: SubscriptionRun): Promise<void> {
  if (run.scheduledChange) await applyChange(run, run.scheduledChange);
}
