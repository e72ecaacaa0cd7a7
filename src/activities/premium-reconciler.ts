/**
 * The reconciler's check of invoices against their runs (docs/operating.md, Invoices and their
 * runs). The rows are the truth a run plans from, so where they show a run waiting for nothing,
 * or a refund without its run, the check tells the run again or starts it: both are harmless to
 * repeat (a run reads the invoices again on `premiumPaid`; a refund's run attaches to one already
 * there). It also sets the overdue-invoice gauges.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { premiumRefundRun } from '../contracts/premium-refund';
import type { PremiumCheck, PremiumCheckInput } from '../contracts/reconciler';
import { premiumPaidSignal } from '../contracts/subscription';
import { INVOICE_OWED_SQL } from '../models/invoice';
import { invoicesOverdue, invoicesOverdueAmount, premiumRunDrift } from '../observability/business-metrics';
import { providerRefundStart } from '../domain/premiums/refunds';
import { startFromPayload } from '../services/workflow-start';
import type { ActivityDeps } from './deps';

interface WaitingSubscription {
  id: string;
  workflow_id: string;
  status: string;
  invoice_id: string;
}

interface PendingRefund {
  id: string;
  tenant_id: string;
  amount_minor: string;
  currency: string;
  provider: string;
}

export function createPremiumReconcilerActivities({ sequelize, temporal, taskQueue, logger }: ActivityDeps) {
  /**
   * Subscriptions still `pending_payment` or `lapsed` although nothing due is unpaid and a payment
   * was recorded a while ago: the run missed the payment. It is told again.
   */
  async function resignalPaidSubscriptions(input: PremiumCheckInput): Promise<number> {
    const waiting = await sequelize.query<WaitingSubscription>(
      `SELECT s.id, s.workflow_id, s.status, paid.invoice_id
         FROM subscriptions s
         JOIN LATERAL (SELECT p.invoice_id FROM premium_payments p JOIN invoices i ON i.id = p.invoice_id
                        WHERE i.subscription_id = s.id ORDER BY p.created_at DESC LIMIT 1) paid ON true
        WHERE s.status IN ('pending_payment', 'lapsed') AND s.workflow_id IS NOT NULL
          AND s.updated_at < now() - make_interval(secs => :graceSeconds)
          AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.subscription_id = s.id AND i.status IN ('open', 'overdue')
                             AND i.due_date <= (now() AT TIME ZONE 'UTC')::date)
          AND NOT EXISTS (SELECT 1 FROM premium_payments p JOIN invoices i ON i.id = p.invoice_id
                           WHERE i.subscription_id = s.id AND p.created_at >= now() - make_interval(secs => :graceSeconds))
        ORDER BY s.updated_at LIMIT :batchSize`,
      { replacements: { ...input }, type: QueryTypes.SELECT },
    );
    let told = 0;
    for (const row of waiting) {
      try {
        await temporal.workflow.getHandle(row.workflow_id).signal(premiumPaidSignal, { invoiceId: row.invoice_id });
        told += 1;
        logger.warn(
          { subscriptionId: row.id, status: row.status, workflowId: row.workflow_id },
          'run missed a premium payment; told again',
        );
      } catch (err) {
        // No run to tell: the run-owner check marks the subscription missing.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    return told;
  }

  /** Pending card refunds not yet sent whose run is missing (started again) or closed (left to an operator). */
  async function restartRefundRuns(input: PremiumCheckInput): Promise<{ restarted: number; stuck: number }> {
    const pending = await sequelize.query<PendingRefund>(
      `SELECT id, tenant_id, amount_minor, currency, provider FROM premium_refunds
        WHERE status = 'pending' AND provider IS NOT NULL AND provider_refund_id IS NULL
          AND created_at < now() - make_interval(secs => :graceSeconds)
        ORDER BY created_at LIMIT :batchSize`,
      { replacements: { ...input }, type: QueryTypes.SELECT },
    );
    let restarted = 0;
    let stuck = 0;
    for (const refund of pending) {
      const workflowId = premiumRefundRun.id(refund.id);
      try {
        const { status } = await temporal.workflow.getHandle(workflowId).describe();
        if (status.name === 'RUNNING') continue;
        stuck += 1;
        logger.error(
          { refundId: refund.id, workflowId, runStatus: status.name },
          'a pending refund has no running run; an operator must resolve it',
        );
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        const start = providerRefundStart({
          id: refund.id,
          tenantId: refund.tenant_id,
          amountMinor: Number(refund.amount_minor),
          currency: refund.currency,
          provider: refund.provider,
        });
        await startFromPayload(temporal, taskQueue, workflowId, start).catch((startErr: unknown) => {
          if (!(startErr instanceof WorkflowExecutionAlreadyStartedError)) throw startErr;
        });
        restarted += 1;
        logger.warn({ refundId: refund.id, workflowId }, 'a pending refund had no run; started it');
      }
    }
    return { restarted, stuck };
  }

  async function recordOverdueMetrics(): Promise<void> {
    const rows = await sequelize.query<{ currency: string; count: string; owed: string }>(
      `SELECT i.currency, count(*) AS count,
              sum(${INVOICE_OWED_SQL}) AS owed
         FROM invoices i
        WHERE i.status IN ('open', 'overdue') AND i.due_date < (now() AT TIME ZONE 'UTC')::date
        GROUP BY i.currency`,
      { type: QueryTypes.SELECT },
    );
    invoicesOverdue.reset();
    invoicesOverdueAmount.reset();
    for (const row of rows) {
      invoicesOverdue.set({ currency: row.currency }, Number(row.count));
      invoicesOverdueAmount.set({ currency: row.currency }, Number(row.owed));
    }
  }

  return {
    async checkPremiums(input: PremiumCheckInput): Promise<PremiumCheck> {
      const paymentsResignalled = await resignalPaidSubscriptions(input);
      const refunds = await restartRefundRuns(input);
      await recordOverdueMetrics();
      premiumRunDrift.set({ finding: 'payment_unnoticed' }, paymentsResignalled);
      premiumRunDrift.set({ finding: 'refund_restarted' }, refunds.restarted);
      premiumRunDrift.set({ finding: 'refund_stuck' }, refunds.stuck);
      return { paymentsResignalled, refundsRestarted: refunds.restarted, refundsStuck: refunds.stuck };
    },
  };
}
