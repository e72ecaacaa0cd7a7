/** A claim's money (docs/claim-money.md): its reserves and their changes, its payments, and its recoveries. */
import { issueCardRefund } from '../../../domain/claims/card-refunds';
import { changeReserve, decideReserveChange, recordRecovery, reservesOf } from '../../../domain/claims/money';
import { decidePayment, paymentsOf, requestPayment, settlePayment } from '../../../domain/claims/payments';
import { ClaimRecovery } from '../../../models';
import { claimAccess } from '../../../access/claims';
import { idParams } from '../../http/common-schemas';
import { actionRoute, createRoute } from '../../http/write-route';
import { operation, operationRoute } from '../../http/operation';
import { type RouteSpec, tagged } from '../../http/route';
import { findRoute } from '../../http/row-route';
import {
  changeParams,
  paymentAnswerSchema,
  paymentBody,
  paymentFailureBody,
  paymentParams,
  paymentSchema,
  paymentsSchema,
  recoveriesSchema,
  recoveryBody,
  recoverySchema,
  reserveChangeBody,
  reservesAnswerSchema,
  reservesSchema,
} from './schemas';
import { amountRowsView, amountRowView, paymentAnswerView, reservesAnswerView } from './views';

export function claimMoneyRoutes(): RouteSpec[] {
  const decision = (approve: boolean) =>
    actionRoute(
      operation({
        name: approve ? 'claims.approveReserveChange' : 'claims.rejectReserveChange',
        verb: 'decideReserveChange',
        params: changeParams,
        run: async (caller, input, deps) => reservesAnswerView(input.id, await decideReserveChange(caller, { ...input, approve }, deps)),
      }),
      {
        path: `/claims/:id/reserves/changes/:changeId/${approve ? 'approve' : 'reject'}`,
        summary: approve
          ? 'Approve a reserve change that waits: someone other than who asked, with reserve authority for its amount'
          : 'Reject a reserve change that waits (someone with authority for its amount), or withdraw your own',
        schema: reservesAnswerSchema,
      },
    );
  const paymentDecision = (decision: 'approve' | 'void') =>
    actionRoute(
      operation({
        name: `claims.${decision}Payment`,
        verb: decision === 'approve' ? 'approvePayment' : 'voidPayment',
        params: paymentParams,
        run: async (caller, input, deps) => paymentAnswerView(await decidePayment(caller, { ...input, decision }, deps)),
      }),
      {
        path: `/claims/:id/payments/:paymentId/${decision}`,
        summary:
          decision === 'approve'
            ? 'Approve a payment that waits: someone other than who asked, with an approval limit covering its amount'
            : 'Void a payment before a batch issues it (who asked, or someone who could approve it): its amount goes back to the reserve line',
        schema: paymentAnswerSchema,
      },
    );
  const bankAnswer = (status: 'cleared' | 'failed') =>
    actionRoute(
      operation({
        name: status === 'cleared' ? 'claims.clearPayment' : 'claims.failPayment',
        verb: 'settlePayment',
        params: paymentParams,
        ...(status === 'failed' && { body: paymentFailureBody }),
        run: async (caller, input: { id: string; paymentId: string; reason?: string }, deps) =>
          amountRowView(input.id, await settlePayment(caller, { ...input, status }, deps)),
      }),
      {
        path: `/claims/:id/payments/:paymentId/${status === 'cleared' ? 'clear' : 'fail'}`,
        summary:
          status === 'cleared'
            ? 'Record that the bank paid an issued payment (claims managers)'
            : 'Record that the bank returned an issued payment (claims managers): its amount goes back to the reserve line',
        schema: paymentSchema,
      },
    );
  return tagged('claims', [
    findRoute({
      path: '/claims/:id/payments',
      summary: "The claim's partial payments, oldest first, with their payee, reserve line and where each is (staff)",
      verb: 'viewClaimMoney',
      access: claimAccess,
      schema: paymentsSchema,
      view: async (claim) => ({ items: await amountRowsView(claim.id, await paymentsOf(claim)) }),
    }),
    operationRoute(
      operation({
        name: 'claims.requestPayment',
        verb: 'requestPayment',
        params: idParams,
        body: paymentBody,
        run: async (caller, input, deps) => paymentAnswerView(await requestPayment(caller, input, deps)),
      }),
      {
        method: 'post',
        path: '/claims/:id/payments',
        summary:
          'Pay part of the claim to a payee from one reserve line (never beyond what it holds): within your approval limit, counted with what you approved alone on the claim and this month, to an account a second person approved on the claim or under the threshold, and within the amount claimed, it is approved at once (201); otherwise it waits for a second person (202; a claims manager beyond the amount claimed)',
        response: {
          status: 201,
          schema: paymentAnswerSchema,
          description: 'Approved: it goes out with the next payment batch',
          also: { status: 202, description: 'Recorded; it waits for someone with a high enough approval limit' },
        },
        statusOf: (answer) => (answer.payment.status === 'requested' ? 202 : 201),
      },
    ),
    paymentDecision('approve'),
    paymentDecision('void'),
    bankAnswer('cleared'),
    bankAnswer('failed'),
    actionRoute(
      operation({
        name: 'claims.issueCardRefund',
        verb: 'issueCardRefund',
        params: paymentParams,
        run: async (caller, input, deps, { services }) =>
          amountRowView(input.id, await issueCardRefund(services.payments?.provider)(caller, input, deps)),
      }),
      {
        path: '/claims/:id/payments/:paymentId/card-refund',
        summary:
          'Issue an approved payment to the claimant as a refund onto the card they paid the policy’s premiums with (claims managers): cleared when the provider answers at once, issued while its refund is pending; 422 when no card payment covers it, 404 without a payment provider, 503 when it does not answer',
        schema: paymentSchema,
      },
    ),
    findRoute({
      path: '/claims/:id/reserves',
      summary: "The claim's reserve lines and every change of them, with who asked, why and who decided (staff)",
      verb: 'viewClaimMoney',
      access: claimAccess,
      schema: reservesSchema,
      view: reservesOf,
    }),
    operationRoute(
      operation({
        name: 'claims.changeReserve',
        verb: 'changeReserve',
        params: idParams,
        body: reserveChangeBody,
        run: async (caller, input, deps) => reservesAnswerView(input.id, await changeReserve(caller, input, deps)),
      }),
      {
        method: 'post',
        path: '/claims/:id/reserves',
        summary:
          'Set a reserve line (cost type and category) of the claim: within your reserve authority it applies at once (200); above it, it waits for someone with enough authority, never you (202)',
        response: {
          status: 200,
          schema: reservesAnswerSchema,
          description: 'Applied',
          also: { status: 202, description: 'Recorded; it waits for someone with enough reserve authority to approve it' },
        },
        statusOf: (answer) => (answer.change.status === 'pending' ? 202 : 200),
      },
    ),
    decision(true),
    decision(false),
    findRoute({
      path: '/claims/:id/recoveries',
      summary: 'Money recovered on the claim (subrogation, salvage, deductible), oldest first (staff)',
      verb: 'viewClaimMoney',
      access: claimAccess,
      schema: recoveriesSchema,
      view: async (claim) => ({
        items: await amountRowsView(
          claim.id,
          await ClaimRecovery.findAll({
            where: { claimId: claim.id },
            order: [
              ['receivedOn', 'ASC'],
              ['createdAt', 'ASC'],
            ],
          }),
        ),
      }),
    }),
    createRoute(
      operation({
        name: 'claims.recordRecovery',
        verb: 'recordRecovery',
        params: idParams,
        body: recoveryBody,
        run: async (caller, input, deps) => amountRowView(input.id, await recordRecovery(caller, input, deps)),
      }),
      {
        path: '/claims/:id/recoveries',
        summary:
          'Record money recovered on the claim (its handler or a claims manager; 409 once the claim is closed; 422 beyond what the claim has paid and not yet recovered, or received before the claim’s incident date); it lowers what the claim has incurred. A repeat with the same Idempotency-Key records it once',
        schema: recoverySchema,
      },
    ),
  ]);
}
