/**
 * Closing a claim whose run the reconciler found gone, when no one should work it again (filed in
 * error, a duplicate): the row closes with an entry naming the operator and the reason, what its
 * reserve lines still hold is released (as a closing run releases it, posted to the books too), and
 * the drift mark goes. A claim with a payment still to decide or on its way to the bank is refused:
 * restore its run, which decides them. One transaction, the row locked; audited.
 */
import { QueryTypes } from 'sequelize';
import { Claim, ClaimHistory } from '../../models';
import { recordAudit } from '../audit/record';
import { claimCurrency, postReserveChange } from '../claims/ledger-postings';
import { recordReserveChangeEvents, recordStageChangedEvent } from '../claims/webhook-events';
import type { CostType, ReserveCategory } from '../../contracts/claim-reserves';
import { conflict } from '../../shared/errors';
import type { RepairCommand } from '../command';
import { driftToRepair } from './drifted-row';

export const closeDriftedClaim: RepairCommand<{ id: string; reason: string }, Claim> = async (caller, { id, reason }, deps) => {
  const drift = await driftToRepair(caller, id, 'claim');
  return deps.sequelize.transaction(async (transaction) => {
    const claim = await Claim.findByPk(drift.id, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
    if (claim.status === 'closed' || claim.workflowId !== drift.workflowId)
      throw conflict(`Claim ${claim.claimNumber} was closed or given a new run meanwhile`, [
        { field: 'status', message: `is ${claim.status}` },
      ]);
    const sql = <T extends object>(statement: string) =>
      deps.sequelize.query<T>(statement, {
        replacements: {
          claimId: claim.id,
          actorId: caller.id,
          reason: `Released as an operator closed the claim: ${reason}`.slice(0, 500),
        },
        type: QueryTypes.SELECT,
        transaction,
      });
    const [{ moving }] = await sql<{ moving: number }>(
      `SELECT count(*)::int AS moving FROM payments WHERE claim_id = :claimId AND status IN ('requested', 'approved', 'issued')`,
    );
    if (moving > 0)
      throw conflict('A payment of the claim is still to be decided or on its way to the bank: restore its run instead', [
        { field: 'id', message: `${moving} payments in motion`, rule: 'payments_undecided' },
      ]);
    const released = await sql<{ id: string; cost_type: CostType; category: ReserveCategory; amount_before: string; requested_at: Date }>(
      `INSERT INTO claim_reserve_changes (id, tenant_id, claim_id, cost_type, category, amount_before, amount, reason, status,
                                          requested_by_id, requested_at, created_at, updated_at)
       SELECT gen_random_uuid(), tenant_id, claim_id, cost_type, category, amount, 0, :reason, 'released', :actorId, now(), now(), now()
         FROM claim_reserve_lines WHERE claim_id = :claimId AND amount > 0
       RETURNING id, cost_type, category, amount_before, requested_at`,
    );
    await sql(`UPDATE claim_reserve_lines SET amount = 0, updated_at = now() WHERE claim_id = :claimId AND amount > 0 RETURNING id`);
    // Posted as a run's release is (docs/ledger.md, What posts): the loss reserves account keeps to the lines.
    const currency = await claimCurrency(deps.sequelize, claim.id, transaction);
    for (const change of released)
      await postReserveChange(
        deps.sequelize,
        {
          tenantId: claim.tenantId,
          claimId: claim.id,
          changeId: change.id,
          status: 'released',
          costType: change.cost_type,
          category: change.category,
          currency,
          before: change.amount_before,
          after: 0,
        },
        transaction,
      );
    await sql(`UPDATE claims SET run_state = NULL, run_state_at = NULL WHERE id = :claimId RETURNING id`);
    const [{ last }] = await sql<{ last: number }>('SELECT max(sequence) AS last FROM claim_history WHERE claim_id = :claimId');
    const closedAt = new Date();
    const from = claim.status;
    await ClaimHistory.create(
      {
        tenantId: claim.tenantId,
        claimId: claim.id,
        sequence: last + 1,
        actorId: caller.id,
        fromStatus: from,
        toStatus: 'closed',
        note: `Closed by an operator: ${reason}`,
        occurredAt: closedAt,
      },
      { transaction },
    );
    await claim.update({ status: 'closed' }, { transaction });
    // Told as a run's release and closing are (docs/webhooks.md).
    await recordReserveChangeEvents(
      claim.id,
      released.map((change) => ({
        id: change.id,
        costType: change.cost_type,
        category: change.category,
        amountBefore: Number(change.amount_before),
        amount: 0,
        reason,
        requestedById: caller.id,
        requestedAt: change.requested_at.toISOString(),
        status: 'released' as const,
        decidedById: null,
      })),
      transaction,
    );
    await recordStageChangedEvent(
      claim,
      { from, to: 'closed', sequence: last + 1, actorId: caller.id, at: closedAt.toISOString() },
      transaction,
    );
    await recordAudit(
      deps.auditSource,
      {
        tenantId: claim.tenantId,
        action: 'operations.row_close',
        entityType: 'claim',
        entityId: claim.id,
        before: { status: from, runState: drift.runState },
        after: { status: 'closed', reason, released },
      },
      transaction,
    );
    return claim;
  });
};
