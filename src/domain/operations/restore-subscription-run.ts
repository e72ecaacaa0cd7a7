/**
 * Repairing a subscription whose run the reconciler found gone (docs/operating.md, Repairing a
 * row): an active subscription gets its run back under its own workflow ID, for the coverage
 * period its row records, so the run arms the timers still ahead of it (renewal reminder,
 * premium reminders and lapses, expiry) and takes decisions as the ended run did. Its notices are keyed by
 * the period and the invoice, so those the ended run sent are not sent again. The row, the drift
 * mark, the audit event and the start commit together (outbox).
 *
 * Only `active` rows: a pending, unpaid or lapsed subscription's run carries what its row does not
 * (the first invoice's wait, the day the lapse began), so a new run would count its deadlines
 * afresh; those are refused with the reason, for an operator to cancel or settle instead.
 *
 * A change confirmed for a later date (`scheduled`) was held by the ended run: the new run is handed
 * it, so it is carried out on its date (at once if that has passed meanwhile) or withdrawn, as the
 * policyholder was told it would be.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { type HeldPolicyChange, subscriptionRun, type SubscriptionTerms, type SubscriptionWorkflow } from '../../contracts/subscription';
import { Plan, Subscription, SubscriptionChange } from '../../models';
import { recordAudit } from '../audit/record';
import { conflict } from '../../shared/errors';
import type { RepairCommand } from '../command';
import { writeWithStart } from '../runs';
import { driftToRepair } from './drifted-row';

/**
 * The terms a run is started with, as the row keeps them (with the plan's current name for the mails).
 * Without the holder's contact: a run given its period never inserts the row, the only reader of
 * it, and leaving it out keeps it from the outbox's row and the run's history altogether.
 */
async function termsOf(subscription: Subscription): Promise<SubscriptionTerms> {
  // Deleted plans too: a running policy keeps its plan and terms when the plan is deleted (docs/subscriptions.md, Catalog).
  const plan = await Plan.findByPk(subscription.planId, { attributes: ['name'], paranoid: false, rejectOnEmpty: true });
  return {
    subscriptionId: subscription.id,
    tenantId: subscription.tenantId,
    planId: subscription.planId,
    planName: plan.name,
    policyholderId: subscription.policyholderId,
    coverageAmount: subscription.coverageAmount,
    premium: subscription.premium,
    currency: subscription.currency!,
    durationMonths: subscription.durationMonths,
  };
}

/**
 * The change the ended run held for its date, if one is: the run holds one at a time. On that date
 * the run checks it against the policy again (carryOutPolicyChange), as the ended run would have.
 */
async function heldChangeOf(subscriptionId: string, transaction: Transaction): Promise<HeldPolicyChange | undefined> {
  const change = await SubscriptionChange.findOne({
    where: { subscriptionId, status: 'scheduled' },
    attributes: ['id', 'effectiveDate', 'confirmedById'],
    transaction,
  });
  // Confirming is what schedules a change, so a scheduled change names who confirmed it.
  return change?.confirmedById
    ? { changeId: change.id, effectiveDate: String(change.effectiveDate), confirmedById: change.confirmedById }
    : undefined;
}

export const restoreSubscriptionRun: RepairCommand<
  { id: string; reason: string },
  { subscription: Subscription; runId: string | null }
> = async (caller, { id, reason }, deps) => {
  const drift = await driftToRepair(caller, id, 'subscription');
  const { written: subscription, runId } = await writeWithStart<SubscriptionWorkflow, Subscription>(deps, async (transaction) => {
    const row = await Subscription.findByPk(drift.id, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
    const workflowId = subscriptionRun.id(row.id);
    if (row.workflowId !== drift.workflowId || drift.workflowId !== workflowId)
      throw conflict(`Subscription ${row.policyNumber} was given a run again meanwhile`, [{ field: 'id', message: 'restored already' }]);
    if (row.status !== 'active' || !row.startDate || !row.endDate)
      throw conflict(
        `Subscription ${row.policyNumber} is ${row.status}: only an active subscription's run can be restored; cancel it or settle its premium instead`,
        [{ field: 'status', message: `is ${row.status}`, rule: 'not_restorable' }],
      );
    const period = { startDate: row.startDate, endDate: row.endDate, renewalCount: row.renewalCount };
    const scheduledChange = await heldChangeOf(row.id, transaction);
    await deps.sequelize.query('UPDATE subscriptions SET run_state = NULL, run_state_at = NULL WHERE id = :id RETURNING id', {
      replacements: { id: row.id },
      type: QueryTypes.SELECT,
      transaction,
    });
    await recordAudit(
      deps.auditSource,
      {
        tenantId: row.tenantId,
        action: 'operations.run_restore',
        entityType: 'subscription',
        entityId: row.id,
        before: { status: row.status, runState: drift.runState },
        after: { status: row.status, workflowId, period, reason, scheduledChangeId: scheduledChange?.changeId ?? null },
      },
      transaction,
    );
    return {
      written: row,
      workflowId,
      start: {
        workflowType: subscriptionRun.type,
        args: [{ terms: await termsOf(row), period, ...(scheduledChange && { scheduledChange }) }],
        tenantId: row.tenantId,
        status: row.status,
        summary: `Subscription ${row.policyNumber}: run restored (${reason.slice(0, 80)})`,
        dueAt: new Date(`${row.endDate}T00:00:00Z`).toISOString(),
        replacesEndedRun: true,
      },
    };
  });
  return { subscription, runId };
};
