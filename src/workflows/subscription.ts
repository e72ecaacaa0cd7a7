/**
 * Subscription lifecycle (docs/subscriptions.md), one run per coverage period:
 *
 *   pending → active (start today, end = start + plan duration)
 *           → renewal reminder N days (tenant setting) before the end
 *           → expired at the start of the end date (UTC)
 *   `cancel` (owner or tenant admin, while active)  → cancelled
 *   `renew`  (owner, active, inside the reminder window) → end date + plan duration, then
 *            continue-as-new so a subscription renewed for years keeps a short history.
 *
 * Premium timeline (runs recording PREMIUM_TIMELINE, of a tenant whose setting `collectPremiums`
 * is on; docs/subscriptions.md): a new subscription
 * is `pending_payment`, billed, until its first instalment is paid (or staff waive it), then
 * active; it is cancelled for non-payment when that instalment is still unpaid after the grace
 * period. While active: a reminder before each instalment's due date; an instalment unpaid after
 * its grace period → `lapsed` (coverage suspended); paid within the reinstatement window → active
 * again (reinstated), otherwise cancelled for non-payment. Payments reach the run as the
 * `premiumPaid` signal, which only makes it read the invoices again: the rows are the truth.
 *
 * Policy changes (`applyPolicyChange`, `withdrawPolicyChange`; subscription/policy-changes.ts): a
 * change effective today or earlier is applied at once; a later one waits on a durable timer for
 * its date, and is withdrawn by its Update or by the policy's cancellation.
 *
 * Updates only validate and record the decision (subscription/changes.ts); the main loop below is
 * the single place that persists a transition, so a cancel can never interleave with an expiry or
 * a renewal. The run's state is subscription/run.ts, the coverage period's steps
 * subscription/period.ts, the premium timeline's subscription/premiums.ts.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { CoveragePeriod, SubscriptionState, SubscriptionWorkflowInput } from '../contracts/subscription';
import { publishStatus } from './support/business-status';
import { continueAsNewOnCurrentVersion } from './support/continue-on-current-version';
import { carryOutCancel, setChangeHandlers } from './subscription/changes';
import { applyScheduledChange, carryOutPolicyDecision, setPolicyChangeHandlers } from './subscription/policy-changes';
import { subscriptionMessages } from './subscription/messages';
import { activate, activateOncePaid, expire, nextStep, remindRenewal, renew } from './subscription/period';
import { cancelForNonPayment, lapse, pastGrace, readDues, reinstate, remindPremium } from './subscription/premiums';
import { applyPolicy, notifyPolicyholder, startRun, startOfDay, subscriptionState } from './subscription/run';

export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionState> {
  const { terms } = input;
  const run = startRun(input);
  setChangeHandlers(run);
  setPolicyChangeHandlers(run);

  const policy = input.policy ?? (await run.steps.loadRenewalPolicy(terms.tenantId));
  applyPolicy(run, policy);
  const isFirstPeriod = !run.period;
  run.collecting = run.premiumTimeline && policy.collectPremiums === true;
  const started = run.period ?? (run.collecting ? await activateOncePaid(run) : await activate(run));
  if (!started) {
    await condition(allHandlersFinished);
    return subscriptionState(run);
  }
  const coverage: CoveragePeriod = started;
  run.period = coverage;
  if (run.collecting) await readDues(run);
  // Published before any e-mail, so the run reads `active` in the UI by the time the policyholder hears of it.
  publishStatus({
    status: 'active',
    dueAt: new Date(startOfDay(coverage.endDate)),
    details: `Active until ${coverage.endDate} (renewals: ${coverage.renewalCount})`,
  });
  if (isFirstPeriod) {
    await notifyPolicyholder(run, 'activated', subscriptionMessages.activated(terms, coverage.startDate, coverage.endDate));
  }

  // Lapsed is only ever reached by premium-timeline runs.
  while (run.status === 'active' || run.status === 'lapsed') {
    const step = nextStep(run, coverage);
    const alreadyDue = run.rowsInTheTask && step.atMs <= Date.now();
    if (!alreadyDue) {
      const decidedOrPaid = () => run.decision !== undefined || run.paymentNoticed;
      await condition(decidedOrPaid, Math.max(step.atMs - Date.now(), 1), { summary: step.summary });
    }

    // A decision accepted while the timer fired still wins: its validator saw an active subscription.
    if (run.decision?.kind === 'cancel') {
      await carryOutCancel(run, run.decision, coverage.endDate);
    } else if (run.decision?.kind === 'renew') {
      const { renewed, nextPolicy } = await renew(run, coverage);
      // The renew handler has its answer before this run hands over to the next period.
      await condition(allHandlersFinished);
      return continueAsNewOnCurrentVersion<typeof subscriptionWorkflow>({
        terms,
        period: renewed,
        ...(nextPolicy && { policy: nextPolicy }),
      });
    } else if (run.decision) {
      await carryOutPolicyDecision(run, run.decision);
    } else if (run.paymentNoticed) {
      await readDues(run);
      if (run.status === 'lapsed' && !pastGrace(run)) await reinstate(run);
    } else if (step.kind === 'premium-reminder' && step.due) {
      await remindPremium(run, step.due);
    } else if (step.kind === 'lapse' && step.due) {
      // A payment whose signal is late or lost is still seen here: the rows decide.
      await readDues(run);
      if (pastGrace(run)) await lapse(run, step.due);
    } else if (step.kind === 'non-payment') {
      await readDues(run);
      if (pastGrace(run)) await cancelForNonPayment(run);
      else await reinstate(run);
    } else if (step.kind === 'policy-change') {
      await applyScheduledChange(run);
    } else if (step.kind === 'renewal-reminder') {
      await remindRenewal(run, coverage);
    } else {
      await expire(run, coverage);
    }
  }
  await condition(allHandlersFinished);
  return subscriptionState(run);
}
