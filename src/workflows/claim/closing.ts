/**
 * How a decided claim ends: an approved one is paid what the approval leaves after its partial
 * payments, a denied one is told why; both settle their reserves and payments (ledger.ts) before
 * the claim closes.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { formatClaimAmount } from '../../shared/money';
import { handlerArithmetic } from './arithmetic';
import { releaseReserves } from './ledger';
import { claimMessages } from './messages';
import { amountPaidOrHeld, type ClaimRun, email, holdsMoney, move, toClaimant } from './run';

// Money leaves the company here: retried patiently, and idempotent by claim in the database.
const { disburseClaimPayment } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Pays what the approval leaves after the partial payments (none: they paid it all), then closes the claim. */
export async function payApprovedClaim(run: ClaimRun): Promise<void> {
  const { input } = run;
  await move(run, 'payment_processing', null, 'Payment started');
  const money = handlerArithmetic();
  const settlement = money.difference(run.amountApproved!, amountPaidOrHeld(run, money));
  if (settlement > 0) {
    const payment = await disburseClaimPayment({
      claimId: input.claimId,
      tenantId: input.tenantId,
      claimNumber: input.claimNumber,
      amount: settlement,
      ...(input.resumption && { reference: input.resumption.settlementReference }),
    });
    run.paymentReference = payment.reference;
    // With the currency's decimals. A result recorded before it carried the currency gives two, the note as it was
    // recorded then: the commands are the same either way (an activity's argument, the run's history).
    const note = `Paid ${formatClaimAmount(payment.amount, payment.currency)}, reference ${payment.reference}`;
    const paid = await move(run, 'paid', null, note);
    email(run, paid, toClaimant(run), claimMessages.paid(input.claimNumber, payment));
  } else {
    await move(run, 'paid', null, 'Paid in full by the partial payments');
  }
  if (holdsMoney(run)) await releaseReserves(run);
  await move(run, 'closed', null, 'Claim closed after payment');
}

export async function closeDeniedClaim(run: ClaimRun): Promise<void> {
  const denied = run.stageEntry;
  email(run, denied, toClaimant(run), claimMessages.denied(run.input.claimNumber, run.denialReason));
  if (holdsMoney(run)) await releaseReserves(run);
  await move(run, 'closed', null, 'Claim closed after denial');
}
