/**
 * Sends a cancellation's `pending` refund to the provider its payment came through
 * (docs/premiums.md, Refunds). Idempotent: the provider is sent the refund's own idempotency key,
 * and a refund that already has the provider's id is not sent again.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { PremiumPayment, PremiumRefund } from '../models';
import { recordAudit } from '../domain/audit/record';
import { postRefundFailed } from '../domain/premiums/ledger-postings';
import { recordRefundPaid } from '../domain/premiums/refunds';
import { applyFailureHeardBefore, FAILED_REFUND_STATUSES } from '../domain/premiums/refunds-failed';
import { PaymentProviderRefusal, refundIdempotencyKey } from '../services/payment-provider';
import type { PremiumRefundOutcome } from '../contracts/premium-refund';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';

/** Stripe's refund statuses that end it (and FAILED_REFUND_STATUSES): any other (`pending`, `requires_action`) waits for the `charge.refunded` event. */
const SUCCEEDED = 'succeeded';

export function createPremiumRefundActivities(deps: Pick<ActivityDeps, 'sequelize' | 'paymentProvider'>) {
  return {
    async sendPremiumRefund(refundId: string): Promise<PremiumRefundOutcome> {
      const refund = await PremiumRefund.findByPk(refundId);
      if (!refund || refund.status !== 'pending') return 'not_pending';
      if (refund.providerRefundId) return 'already_sent';
      const payment = refund.paymentId ? await PremiumPayment.findByPk(refund.paymentId) : null;
      if (!payment?.providerPaymentId)
        throw ApplicationFailure.nonRetryable(`refund ${refundId} names no payment taken through a provider`);
      const provider = deps.paymentProvider;
      // Configuration can be mended while the run waits: retried, not failed.
      if (!provider || provider.name !== refund.provider)
        throw new Error(`no payment provider '${refund.provider}' is configured on this worker`);

      let outcome: { providerRefundId: string | null; status: 'pending' | 'succeeded' | 'failed'; error?: string };
      try {
        const sent = await provider.createRefund({
          paymentIntentId: payment.providerPaymentId,
          amountMinor: refund.amountMinor,
          currency: refund.currency,
          idempotencyKey: refundIdempotencyKey(refund.id),
        });
        const status = sent.status === SUCCEEDED ? 'succeeded' : FAILED_REFUND_STATUSES.includes(sent.status) ? 'failed' : 'pending';
        outcome = { providerRefundId: sent.id, status };
      } catch (err) {
        // A refusal is final: staff see the failed refund and pay it back another way. An outage is retried.
        if (!(err instanceof PaymentProviderRefusal)) throw err;
        outcome = { providerRefundId: null, status: 'failed', error: err.message };
      }

      return deps.sequelize.transaction(async (transaction): Promise<PremiumRefundOutcome> => {
        const row = await PremiumRefund.findByPk(refundId, { lock: transaction.LOCK.UPDATE, transaction });
        if (!row || row.providerRefundId) return 'already_sent';
        // The provider's own `charge.refunded` event may have settled the row meanwhile: its status stands.
        const settles = row.status === 'pending';
        await row.update({ providerRefundId: outcome.providerRefundId, status: settles ? outcome.status : row.status }, { transaction });
        // The books (docs/ledger.md, What posts) and the tenant's endpoints: paid out, or no longer payable once refused.
        if (settles && row.status === 'succeeded') await recordRefundPaid(deps.sequelize, row, transaction);
        if (settles && row.status === 'failed') await postRefundFailed(deps.sequelize, row, transaction);
        await recordAudit(
          workflowAuditSource(),
          {
            tenantId: row.tenantId,
            action: outcome.error ? 'invoice.refund_refused' : 'invoice.refund_sent',
            entityType: 'invoice',
            entityId: row.invoiceId,
            after: {
              refundId: row.id,
              amountMinor: row.amountMinor,
              currency: row.currency,
              status: row.status,
              providerRefundId: row.providerRefundId,
              ...(outcome.error && { providerError: outcome.error.slice(0, 500) }),
            },
            reason: outcome.error ? 'provider_refused' : undefined,
            dedupeKey: `${row.id}:sent`,
          },
          transaction,
        );
        // Stripe may have reported the refund failed before its id was recorded here.
        await applyFailureHeardBefore(deps.sequelize, row, payment.providerPaymentId!, 'sent', workflowAuditSource(), transaction);
        return outcome.error ? 'refused' : 'sent';
      });
    },
  };
}
