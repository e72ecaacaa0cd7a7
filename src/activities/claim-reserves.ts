/**
 * Records what a claim's run decided about its reserves (docs/claim-money.md): each change as a
 * row (inserted, or its decision written on the pending row) and, once it applies, the line's new
 * amount and its entry in the books (docs/ledger.md), with its audit event, in one transaction.
 * Idempotent: a retry writes the same values again, and the audit event and the entry once per
 * change (their keys).
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ReserveChange } from '../contracts/claim-reserves';
import { claimReserveAmount, claimReserveChanges } from '../observability/business-metrics';
import { recordAudit } from '../domain/audit/record';
import { assertReserveChangesWithinCover } from '../domain/claims/cover-left';
import { claimCurrency, postReserveChange } from '../domain/claims/ledger-postings';
import { recordReserveChangeEvents } from '../domain/claims/webhook-events';
import { claimAmountText } from '../shared/money';
import { workflowAuditSource } from './audit-source';

export interface RecordReserveChangesInput {
  claimId: string;
  tenantId: string;
  changes: ReserveChange[];
  /**
   * Changes a person asked for or approved: an indemnity line they set stays within the cover the policy leaves,
   * checked under its row lock (CoverageExceeded, nothing recorded). The run's own changes (the first reserve, a
   * payment's, a release, a restore) are not limited by it.
   */
  withinCover?: boolean;
}

/** The statuses with which a change does not set its line's amount: it waits, or it was refused. */
const NOT_APPLYING = new Set<ReserveChange['status']>(['pending', 'rejected']);

/** Writes the changes, the lines they set and their audit events in the caller's transaction; answers them as written. */
export async function writeReserveChanges(
  sequelize: Sequelize,
  transaction: Transaction,
  { claimId, tenantId, changes, withinCover }: RecordReserveChangesInput,
): Promise<ReserveChange[]> {
  if (withinCover) await assertReserveChangesWithinCover(claimId, changes, transaction);
  // Read once, when a change sets its line.
  let currency: string | undefined;
  const recorded: ReserveChange[] = [];
  for (const given of changes) {
    const decided = given.status === 'approved' || given.status === 'rejected';
    const applies = !NOT_APPLYING.has(given.status);
    // The line as it was (locked): the books post what the line moved, so the loss reserves account
    // is always what the lines hold (a retry that finds it set posts nothing).
    const [before] = applies
      ? await sequelize.query<{ amount: string }>(
          `SELECT amount FROM claim_reserve_lines WHERE claim_id = :claimId AND cost_type = :costType AND category = :category FOR UPDATE`,
          { replacements: { ...given, claimId }, transaction, type: QueryTypes.SELECT },
        )
      : [];
    // A release sets the line to zero from what it holds, which a settlement (activities/claims.ts) may
    // have lowered since the run last wrote it: the change says what it released, and a reopening restores that.
    const change = given.status === 'released' && before ? { ...given, amountBefore: Number(before.amount) } : given;
    recorded.push(change);
    // As the rows keep them: to the thousandth, whatever float a run recorded before exact arithmetic added.
    const amounts = { amountBefore: claimAmountText(change.amountBefore), amount: claimAmountText(change.amount) };
    await sequelize.query(
      `INSERT INTO claim_reserve_changes (id, tenant_id, claim_id, cost_type, category, amount_before, amount, reason, status,
                                          requested_by_id, requested_at, decided_by_id, decided_at, created_at, updated_at)
       VALUES (:id, :tenantId, :claimId, :costType, :category, :amountBefore, :amount, :reason, :status,
               :requestedById, :requestedAt, :decidedById, :decidedAt, now(), now())
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, decided_by_id = EXCLUDED.decided_by_id,
                                      decided_at = EXCLUDED.decided_at, updated_at = now()`,
      {
        replacements: { ...change, ...amounts, claimId, tenantId, decidedAt: decided ? new Date() : null },
        transaction,
      },
    );
    if (applies) {
      const [after] = await sequelize.query<{ amount: string }>(
        `INSERT INTO claim_reserve_lines (id, tenant_id, claim_id, cost_type, category, amount, created_at, updated_at)
         VALUES (gen_random_uuid(), :tenantId, :claimId, :costType, :category, :amount, now(), now())
         ON CONFLICT (claim_id, cost_type, category) DO UPDATE SET amount = EXCLUDED.amount, updated_at = now()
         RETURNING amount`,
        { replacements: { ...change, ...amounts, claimId, tenantId }, transaction, type: QueryTypes.SELECT },
      );
      currency ??= await claimCurrency(sequelize, claimId, transaction);
      await postReserveChange(
        sequelize,
        { ...change, tenantId, claimId, changeId: change.id, currency, before: before?.amount ?? 0, after: after.amount },
        transaction,
      );
    }
    await recordAudit(
      workflowAuditSource(change.decidedById ?? change.requestedById),
      {
        tenantId,
        action: `claim.reserve_${change.status}`,
        entityType: 'claim',
        entityId: claimId,
        before: { reserve: { costType: change.costType, category: change.category, amount: change.amountBefore } },
        // The reason is what a person typed: a changed field, not the audit's reason category.
        after: {
          reserve: { costType: change.costType, category: change.category, amount: change.amount },
          changeId: change.id,
          reason: change.reason,
        },
        dedupeKey: `reserve-change:${change.id}:${change.status}`,
      },
      transaction,
    );
  }
  // Each change that set its line goes out as a webhook event with it (docs/webhooks.md).
  await recordReserveChangeEvents(
    claimId,
    recorded.filter((change) => !NOT_APPLYING.has(change.status)),
    transaction,
  );
  return recorded;
}

/** Counts committed changes; a retried activity counts again, as notifications do. */
export function countReserveChanges(changes: ReserveChange[]): void {
  for (const change of changes) {
    claimReserveChanges.inc({ status: change.status });
    claimReserveAmount.inc({ status: change.status, cost_type: change.costType }, Math.abs(change.amount - change.amountBefore));
  }
}

export function createClaimReserveActivities(deps: { sequelize: Sequelize }) {
  return {
    async recordReserveChanges(input: RecordReserveChangesInput): Promise<void> {
      countReserveChanges(await deps.sequelize.transaction((transaction) => writeReserveChanges(deps.sequelize, transaction, input)));
    },
  };
}
