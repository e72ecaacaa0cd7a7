/**
 * The claim's money as the run writes it: one write at a time (its reserve lines are written as
 * amounts), the change a payment makes to its line, a payment's decision once the database
 * accepted it, and the reserves set at the first assignment, released at closing and restored on
 * reopening (docs/claim-money.md). The rules that allow each write are reserves.ts and payments.ts.
 */
import { ActivityFailure, ApplicationFailure, condition, patched, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ClaimHistoryEntry, ClaimResumption } from '../../contracts/claim';
import { type ClaimPayment, HOLDING_STATUSES, UNDECIDED_STATUSES } from '../../contracts/claim-payments';
import type { ReserveChange } from '../../contracts/claim-reserves';
import { handlerArithmetic } from './arithmetic';
import { claimMessages } from './messages';
import { lineOf } from './reserves';
import { type ClaimRun, email, STEP_RETRY, toClaimant } from './run';

const { recordReserveChanges, recordPayment } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: STEP_RETRY });

/**
 * Runs one write of the claim's money with nothing else of it in flight: the lines are written as
 * amounts, so two writes must not cross. Decisions are refused meanwhile (the validators); the
 * run's own writes (a payment the bank returned, the release at closing) wait their turn.
 */
async function recordMoney<T>(run: ClaimRun, write: () => Promise<T>): Promise<T> {
  if (run.recordingMoney) await condition(() => !run.recordingMoney);
  run.recordingMoney = true;
  try {
    return await write();
  } finally {
    run.recordingMoney = false;
  }
}

/** Records a payment (and the reserve changes it makes) as one write of the claim's money. */
export function recordPaymentOf(run: ClaimRun, record: Omit<Parameters<Activities['recordPayment']>[0], 'claimId' | 'tenantId'>) {
  return recordMoney(run, () => recordPayment({ claimId: run.input.claimId, tenantId: run.input.tenantId, ...record }));
}

/** Applies recorded changes to the lines. */
export function applyToLines(run: ClaimRun, changes: ReserveChange[]): void {
  for (const change of changes) {
    if (change.status === 'pending' || change.status === 'rejected') continue;
    const line = lineOf(run.reserves, change);
    if (line) line.amount = change.amount;
    else run.reserves.push({ costType: change.costType, category: change.category, amount: change.amount });
  }
}

/**
 * Records the changes in order and applies those that apply to the lines. `withinCover`: a person's changes, which
 * the activity refuses beyond the cover the policy leaves (src/activities/claim-reserves.ts).
 */
export async function recordReserves(run: ClaimRun, changes: ReserveChange[], { withinCover = false } = {}): Promise<void> {
  await recordMoney(run, () => recordReserveChanges({ claimId: run.input.claimId, tenantId: run.input.tenantId, changes, withinCover }));
  applyToLines(run, changes);
}

/**
 * Runs that record this marker take back what they noted of a payment or reserve change the database refused (the
 * cover its policy leaves, checked under the policy's lock), so the run stays as it was; no run recorded before it
 * had such a write refused.
 */
const REFUSED_WRITE_UNDONE = 'refused-write-undone';

/**
 * A person's write of the claim's money, which the database may refuse (its business reason): `undo` takes back
 * what the run noted of it, and the update fails with the activity's reason (422 in the API).
 */
export async function refusable<T>(write: () => Promise<T>, undo: () => void): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) || !patched(REFUSED_WRITE_UNDONE)) throw err;
    undo();
    throw err.cause;
  }
}

/** Takes `item` out of `list` (what a refused write had added). */
export function takeOut<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

/** The change a payment makes to its line: `payment` takes its amount off, `payment_returned` gives it back. */
export function paymentReserveChange(
  run: ClaimRun,
  payment: ClaimPayment,
  status: 'payment' | 'payment_returned',
  reason: string,
  actorId: string | null,
): ReserveChange {
  const money = handlerArithmetic();
  const before = lineOf(run.reserves, payment)?.amount ?? 0;
  const change: ReserveChange = {
    id: uuid4(),
    costType: payment.costType,
    category: payment.category,
    amountBefore: before,
    amount: status === 'payment' ? money.difference(before, payment.amount) : money.sum([before, payment.amount]),
    reason,
    requestedById: actorId,
    requestedAt: new Date().toISOString(),
    status,
    decidedById: null,
  };
  run.reserveChanges.push(change);
  return change;
}

/**
 * Records a decision on a payment once the database accepted it, then applies it: a batch may
 * have issued the payment meanwhile, and then the activity refuses and the run stays as it was.
 */
export async function decide(
  run: ClaimRun,
  payment: ClaimPayment,
  decision: 'approve' | 'void',
  actorId: string | null,
  why: string,
): Promise<void> {
  const approve = decision === 'approve';
  const decided: ClaimPayment = {
    ...payment,
    status: approve ? 'approved' : 'voided',
    approvedById: approve ? actorId : payment.approvedById,
    voidedById: approve ? null : actorId,
  };
  const returned = approve ? [] : [paymentReserveChange(run, payment, 'payment_returned', `Payment ${payment.reference} ${why}`, actorId)];
  try {
    await recordPaymentOf(run, {
      payment: decided,
      from: approve ? ['requested'] : [...UNDECIDED_STATUSES],
      actorId,
      reserveChanges: returned,
    });
  } catch (err) {
    run.reserveChanges.splice(run.reserveChanges.length - returned.length, returned.length);
    throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  }
  Object.assign(payment, decided);
  applyToLines(run, returned);
  if (approve) email(run, run.stageEntry, toClaimant(run), claimMessages.payment(run.input.claimNumber, 'approved', payment));
}

/** The first reserve, as the claim is first assigned: its amount claimed, as indemnity, until a handler knows better. */
export async function reserveAmountClaimed(run: ClaimRun, entry: ClaimHistoryEntry): Promise<void> {
  const change: ReserveChange = {
    id: uuid4(),
    costType: 'indemnity',
    category: 'other',
    amountBefore: 0,
    amount: run.input.amountClaimed,
    reason: 'Initial reserve: the amount claimed',
    requestedById: null,
    requestedAt: entry.at,
    status: 'applied',
    decidedById: null,
  };
  run.reserveChanges.push(change);
  await recordReserves(run, [change]);
}

/**
 * A claim closes with nothing left reserved. A payment still waiting for a decision or a batch
 * is voided (a deadline may deny the claim with one); once the payments on their way are cleared
 * or returned, each line still holding an amount is released to zero, and a reserve change still
 * waiting is rejected, recorded before the claim closes.
 */
export async function releaseReserves(run: ClaimRun): Promise<void> {
  const { payments, reserveChanges } = run;
  for (const payment of payments.filter((candidate) => UNDECIDED_STATUSES.includes(candidate.status))) {
    // Refused only when a batch issued it first: the run hears of that from the outbox and waits for the bank below.
    await decide(run, payment, 'void', null, 'voided as the claim closed').catch(() => undefined);
  }
  const unsettled = () => payments.some((payment) => HOLDING_STATUSES.includes(payment.status) && payment.status !== 'cleared');
  if (unsettled()) await condition(() => !unsettled());
  const at = new Date().toISOString();
  const waiting = reserveChanges.filter((change) => change.status === 'pending');
  for (const change of waiting) Object.assign(change, { status: 'rejected', decidedById: null });
  const money = handlerArithmetic();
  const releases = run.reserves
    .filter((line) => money.compare(line.amount, 0) > 0)
    .map((line, index): ReserveChange => ({
      id: uuid4(),
      ...line,
      amountBefore: line.amount,
      amount: 0,
      reason: `Released as claim ${run.input.claimNumber} closed (${index + 1})`,
      requestedById: null,
      requestedAt: at,
      status: 'released',
      decidedById: null,
    }));
  reserveChanges.push(...releases);
  await recordReserves(run, [...waiting, ...releases]);
}

/** Reopening restores the reserves the claim closed with, before anything else happens to its money. */
export async function restoreReserves(run: ClaimRun, { reserves: lines, entry }: ClaimResumption): Promise<void> {
  const restores = lines.map((line): ReserveChange => ({
    id: uuid4(),
    ...line,
    amountBefore: 0,
    amount: line.amount,
    reason: `Restored as claim ${run.input.claimNumber} reopened`,
    requestedById: entry.actorId,
    requestedAt: entry.at,
    status: 'applied',
    decidedById: null,
  }));
  run.reserveChanges.push(...restores);
  await recordReserves(run, restores);
}
