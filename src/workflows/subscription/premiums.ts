/**
 * The premium timeline of a subscription whose tenant has Insurflow collect its premiums
 * (docs/subscriptions.md): the first premium before coverage, a reminder before each instalment,
 * lapse after its grace period, reinstatement once paid, cancellation for non-payment. The
 * invoices' rows decide: a payment's signal only makes the run read them again.
 */
import { condition, patched } from '@temporalio/workflow';
import type { PremiumDue } from '../../activities/subscriptions';
import { NON_PAYMENT_REASON } from '../../contracts/subscription';
import { DAY_MS, utcDay } from '../../shared/time';
import { publishStatus } from '../support/business-status';
import { subscriptionMessages } from './messages';
import { dropScheduledChange, moveTo, notifyPolicyholder, startOfDay, type Step, type SubscriptionRun } from './run';

const dueMsOf = (due: PremiumDue) => startOfDay(due.dueDate);

/**
 * Runs that record this marker know the first premium paid when its payment landed before they first read their
 * dues (it commits between the billing and that read): the earliest unpaid instalment is then a later one, due after
 * the term's first day, and they waited for it, the policy paid and uncovered until its grace ran out.
 */
const FIRST_PREMIUM_PAID_BEFORE_READ = 'first-premium-paid-before-read';

/** An instalment still unpaid after its grace period: it suspends coverage. */
export const pastGrace = (run: SubscriptionRun) => run.dues.some((due) => dueMsOf(due) + run.graceDays * DAY_MS <= Date.now());

export async function readDues(run: SubscriptionRun): Promise<void> {
  run.paymentNoticed = false;
  run.dues = await run.steps.loadPremiumDues(run.input.terms.subscriptionId);
}

/** The premium step the run waits for now, if any. */
export function premiumStep(run: SubscriptionRun): Step | null {
  if (!run.collecting) return null;
  if (run.status === 'lapsed' && run.lapsedSince) {
    const atMs = startOfDay(run.lapsedSince) + run.reinstatementDays * DAY_MS;
    return { kind: 'non-payment', atMs, summary: `cancellation for non-payment on ${utcDay(new Date(atMs))}` };
  }
  const due = run.dues[0];
  if (!due) return null;
  if (!run.reminded.has(due.invoiceId) && Date.now() < dueMsOf(due)) {
    const atMs = dueMsOf(due) - run.premiumReminderDays * DAY_MS;
    return { kind: 'premium-reminder', atMs, due, summary: `premium reminder for ${due.number} due ${due.dueDate}` };
  }
  const atMs = dueMsOf(due) + run.graceDays * DAY_MS;
  return { kind: 'lapse', atMs, due, summary: `lapse if ${due.number} is unpaid on ${utcDay(new Date(atMs))}` };
}

export async function remindPremium(run: SubscriptionRun, due: PremiumDue): Promise<void> {
  run.reminded.add(due.invoiceId);
  await notifyPolicyholder(run, `premium-reminder:${due.invoiceId}`, subscriptionMessages.premiumReminder(run.input.terms, due));
}

export async function cancelForNonPayment(run: SubscriptionRun): Promise<void> {
  await dropScheduledChange(run, null);
  await moveTo(run, 'cancelled', { cancelledAt: new Date().toISOString(), cancellationReason: NON_PAYMENT_REASON });
  publishStatus({ status: 'cancelled', dueAt: null, details: NON_PAYMENT_REASON });
  await notifyPolicyholder(run, 'cancelled-non-payment', subscriptionMessages.cancelledForNonPayment(run.input.terms));
}

export async function lapse(run: SubscriptionRun, due: PremiumDue): Promise<void> {
  const lapsedOn = utcDay(new Date());
  await moveTo(run, 'lapsed', {}, { effectiveOn: lapsedOn });
  run.lapsedSince = lapsedOn;
  const cancelOn = utcDay(new Date(startOfDay(lapsedOn) + run.reinstatementDays * DAY_MS));
  publishStatus({ status: 'lapsed', dueAt: new Date(startOfDay(cancelOn)), details: `Lapsed on ${lapsedOn}: ${due.number} unpaid` });
  await notifyPolicyholder(run, `lapsed:${lapsedOn}`, subscriptionMessages.lapsed(run.input.terms, due, lapsedOn, cancelOn));
}

export async function reinstate(run: SubscriptionRun): Promise<void> {
  const since = run.lapsedSince;
  await moveTo(run, 'active', {}, { effectiveOn: utcDay(new Date()) });
  run.lapsedSince = null;
  publishStatus({ status: 'active', dueAt: new Date(startOfDay(run.period!.endDate)), details: `Reinstated on ${utcDay(new Date())}` });
  await notifyPolicyholder(run, `reinstated:${since}`, subscriptionMessages.reinstated(run.input.terms, since));
}

/**
 * Pending payment: billed, not covering. Answers true once covered (paid or waived), false when
 * cancelled (by its owner or an admin, or for non-payment after the grace period).
 */
export async function awaitFirstPremium(run: SubscriptionRun): Promise<boolean> {
  await readDues(run);
  const first = run.dues[0];
  if (!first) return true;
  // The term's first instalment is due on its first day: an earliest unpaid one due later means it was paid.
  if (run.period && first.dueDate > run.period.startDate && patched(FIRST_PREMIUM_PAID_BEFORE_READ)) return true;
  const giveUpAtMs = dueMsOf(first) + run.graceDays * DAY_MS;
  publishStatus({ status: 'pending_payment', dueAt: new Date(giveUpAtMs), details: `Awaiting payment of ${first.number}` });
  await notifyPolicyholder(
    run,
    'awaiting-first-premium',
    subscriptionMessages.awaitingFirstPremium(run.input.terms, first, utcDay(new Date(giveUpAtMs))),
  );
  for (;;) {
    const open = () => run.decision !== undefined || run.paymentNoticed;
    if (!open() && giveUpAtMs > Date.now()) {
      await condition(open, giveUpAtMs - Date.now(), { summary: `cancellation if ${first.number} is unpaid` });
    }
    if (run.decision?.kind === 'cancel') return false;
    if (run.decision?.kind === 'waive') return true;
    await readDues(run);
    if (!run.dues.some((due) => due.invoiceId === first.invoiceId)) return true;
    if (Date.now() >= giveUpAtMs) {
      await cancelForNonPayment(run);
      return false;
    }
  }
}
