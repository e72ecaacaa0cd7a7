/**
 * The coverage period: how the first one begins (at once, or once its first premium is paid),
 * which deadline the run waits for next, and how a period is renewed, reminded of and expires.
 */
import { patched } from '@temporalio/workflow';
import type { CoveragePeriod } from '../../contracts/subscription';
import { addMonths } from '../../shared/instalments';
import { publishStatus } from '../support/business-status';
import { carryOutCancel } from './changes';
import { subscriptionMessages } from './messages';
import { changeStep } from './policy-changes';
import { awaitFirstPremium, premiumStep } from './premiums';
import { changeTo, moveTo, notifyPolicyholder, renewableFromMs, startOfDay, type Step, type SubscriptionRun } from './run';
import { utcDay } from '../../shared/time';

/**
 * Runs that record this marker keep a renewal "in progress" until they hand over to the next
 * period: a cancel in that window answers 409 instead of waiting for a run that is about to end
 * (which left it waiting forever, and the run with it).
 */
const RENEWAL_HOLDS_UNTIL_HANDOVER = 'renewal-holds-changes-until-handover';

/**
 * Runs that record this marker read the tenant's settings in the renewal's own step and hand them
 * to the next period's run, which then starts without a step to read them: one local activity
 * fewer per period (docs/performance.md, Expiries). The settings are still those of the moment of
 * the renewal, as when the next run read them first thing.
 */
const SETTINGS_HANDED_OVER = 'renewal-hands-over-settings';

export async function activate(run: SubscriptionRun): Promise<CoveragePeriod> {
  const { terms } = run.input;
  await run.steps.recordPendingSubscription(terms);
  publishStatus({ status: 'pending', details: `Subscription to ${terms.planName}: pending` });
  const startDate = utcDay(new Date());
  const activePeriod = { startDate, endDate: addMonths(startDate, terms.durationMonths), renewalCount: 0 };
  await moveTo(run, 'active', { startDate: activePeriod.startDate, endDate: activePeriod.endDate });
  return activePeriod;
}

/**
 * The first period of a premium-timeline run whose tenant wants the first premium first: the
 * term is dated from today and billed, and covers once paid. Answers null when it never did.
 */
export async function activateOncePaid(run: SubscriptionRun): Promise<CoveragePeriod | null> {
  const { terms } = run.input;
  await run.steps.recordPendingSubscription(terms);
  const startDate = utcDay(new Date());
  const billedPeriod = { startDate, endDate: addMonths(startDate, terms.durationMonths), renewalCount: 0 };
  run.period = billedPeriod;
  await moveTo(run, 'pending_payment', { startDate: billedPeriod.startDate, endDate: billedPeriod.endDate });
  if (!(await awaitFirstPremium(run))) {
    if (run.decision?.kind === 'cancel') await carryOutCancel(run, run.decision, billedPeriod.endDate);
    return null;
  }
  const waiver = run.decision?.kind === 'waive' ? run.decision : undefined;
  await moveTo(run, 'active', {}, waiver ? { waivedById: waiver.actor.userId, ...(waiver.reason && { waiverReason: waiver.reason }) } : {});
  if (waiver) {
    run.decision = undefined;
    run.changeInProgress = null;
  }
  return billedPeriod;
}

/** The next deadline of the period: the renewal reminder or the expiry, or a premium step when that comes first. */
export function nextStep(run: SubscriptionRun, coverage: CoveragePeriod): Step {
  const reminderDue = run.status === 'active' && !run.renewalReminderSent && Date.now() < renewableFromMs(run);
  const regular: Step = reminderDue
    ? {
        kind: 'renewal-reminder',
        atMs: renewableFromMs(run),
        summary: `renewal reminder ${run.reminderDays} days before ${coverage.endDate}`,
      }
    : { kind: 'expiry', atMs: startOfDay(coverage.endDate), summary: `expiry on ${coverage.endDate}` };
  const premium = premiumStep(run);
  const first = premium && premium.atMs < regular.atMs ? premium : regular;
  // A held change is inside the term: its day comes before the expiry.
  const change = changeStep(run);
  return change && change.atMs <= first.atMs ? change : first;
}

/**
 * Writes the renewal and tells the policyholder: the period it hands over to the next run, with
 * the settings the renewal read (absent for runs before SETTINGS_HANDED_OVER).
 */
export async function renew(run: SubscriptionRun, coverage: CoveragePeriod) {
  const { terms } = run.input;
  const renewed = {
    startDate: coverage.startDate,
    endDate: addMonths(coverage.endDate, terms.durationMonths),
    renewalCount: coverage.renewalCount + 1,
  };
  const renewal = changeTo(run, 'active', { endDate: renewed.endDate, renewalCount: renewed.renewalCount });
  const nextPolicy = patched(SETTINGS_HANDED_OVER)
    ? await run.steps.renewSubscriptionPeriod({ change: renewal, tenantId: terms.tenantId })
    : await run.steps.applySubscriptionChange(renewal);
  run.period = renewed;
  if (patched(RENEWAL_HOLDS_UNTIL_HANDOVER)) run.renewalPersisted = true;
  else run.changeInProgress = null;
  await notifyPolicyholder(run, `renewed:${renewed.renewalCount}`, subscriptionMessages.renewed(terms, renewed.endDate));
  return { renewed, nextPolicy };
}

export async function remindRenewal(run: SubscriptionRun, coverage: CoveragePeriod): Promise<void> {
  run.renewalReminderSent = true;
  await notifyPolicyholder(
    run,
    `renewal-reminder:${coverage.endDate}`,
    subscriptionMessages.renewalReminder(run.input.terms, coverage.endDate),
  );
}

export async function expire(run: SubscriptionRun, coverage: CoveragePeriod): Promise<void> {
  run.changeInProgress = 'expire';
  await moveTo(run, 'expired');
  publishStatus({ status: 'expired', dueAt: null, details: `Expired on ${coverage.endDate}` });
  run.changeInProgress = null;
  await notifyPolicyholder(run, 'expired', subscriptionMessages.expired(run.input.terms, coverage.endDate));
}
