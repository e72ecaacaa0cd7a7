/**
 * Reopening a closed claim (docs/claim-money.md, Reopening): new facts after the claim was paid or
 * denied. Its run has ended, so the claim gets a new one (`<workflow ID>-reopened-<n>`) that starts
 * under review with its last handler and restores the reserves the claim closed with. The claim
 * row, its history entry, the audit event and the new run's start commit together (outbox).
 */
import { QueryTypes } from 'sequelize';
import { CLAIM_WORKFLOW_TYPE, type ClaimHistoryEntry, type ClaimReopening, type ClaimWorkflow } from '../../contracts/claim';
import type { CostType, ReserveCategory } from '../../contracts/claim-reserves';
import { Claim, ClaimHistory } from '../../models';
import { claimAccess } from '../../access/claims';
import { findVisible } from '../../access/core';
import { recordAudit } from '../../services/audit';
import { ownClaim, conflict } from '../../shared/errors';
import type { Command } from '../command';
import { createWithRun } from '../runs';
import { claimantAmong, claimSettingsOf } from './rules';

/** How the claim stood as it closed, read in one statement. */
interface ClosedClaimFacts {
  last_sequence: number;
  reopenings: number;
  approval_requested_by: string[];
  amount_paid: string;
  payment_count: number;
  released: { costType: CostType; category: ReserveCategory; amount: string }[];
}

const CLOSED_CLAIM_FACTS = `
  SELECT (SELECT max(sequence) FROM claim_history WHERE claim_id = :claimId) AS last_sequence,
         (SELECT count(*)::int FROM claim_history WHERE claim_id = :claimId AND from_status = 'closed') AS reopenings,
         (SELECT coalesce(array_agg(DISTINCT actor_id), '{}') FROM claim_history
           WHERE claim_id = :claimId AND to_status = 'waiting_approval' AND actor_id IS NOT NULL) AS approval_requested_by,
         (SELECT coalesce(sum(amount), 0) FROM payments WHERE claim_id = :claimId AND status IN ('issued', 'cleared')) AS amount_paid,
         (SELECT count(*)::int FROM payments WHERE claim_id = :claimId AND kind = 'partial') AS payment_count,
         -- What the last closing released, line by line.
         (SELECT coalesce(json_agg(json_build_object('costType', cost_type, 'category', category, 'amount', amount_before)), '[]')
            FROM claim_reserve_changes
           WHERE claim_id = :claimId AND status = 'released'
             AND requested_at = (SELECT max(requested_at) FROM claim_reserve_changes WHERE claim_id = :claimId AND status = 'released')
         ) AS released`;

/** Opens a closed claim again (senior adjusters and claims managers, never its claimant), with the reason kept in its history. */
export const reopenClaim: Command<{ id: string; reason: string }, Claim> = async (caller, { id, reason }, deps) => {
  const visible = await findVisible(caller, claimAccess, id);
  if (await claimantAmong(visible, [caller.id])) throw ownClaim('You are the claimant of this claim: you cannot reopen it');
  const settings = await claimSettingsOf(visible.tenantId);
  return createWithRun<ClaimWorkflow, Claim>(deps, async (transaction) => {
    const claim = await Claim.findByPk(visible.id, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
    if (claim.status !== 'closed')
      throw conflict(`Only a closed claim is reopened; claim ${claim.claimNumber} is ${claim.status}`, [
        { field: 'status', message: `is ${claim.status}` },
      ]);
    const [facts] = await deps.sequelize.query<ClosedClaimFacts>(CLOSED_CLAIM_FACTS, {
      replacements: { claimId: claim.id },
      type: QueryTypes.SELECT,
      transaction,
    });
    const number = facts.reopenings + 1;
    const workflowId = `${claim.workflowId.replace(/-reopened-\d+$/, '')}-reopened-${number}`;
    const at = new Date();
    const entry: ClaimHistoryEntry = {
      sequence: facts.last_sequence + 1,
      from: 'closed',
      to: 'under_review',
      actorId: caller.id,
      note: `Reopened: ${reason}`,
      at: at.toISOString(),
    };
    const reopening: ClaimReopening = {
      entry,
      assigneeId: claim.assigneeId,
      approvalRequestedBy: facts.approval_requested_by,
      reserves: facts.released.map((line) => ({ ...line, amount: Number(line.amount) })),
      amountPaid: Number(facts.amount_paid),
      paymentCount: facts.payment_count,
      settlementReference: `PAY-${claim.claimNumber}-R${number}`,
    };
    const before = { status: claim.status, workflowId: claim.workflowId, denialReason: claim.denialReason };
    await claim.update({ status: 'under_review', workflowId, runId: null, denialReason: null }, { transaction });
    await ClaimHistory.create(
      {
        tenantId: claim.tenantId,
        claimId: claim.id,
        sequence: entry.sequence,
        actorId: caller.id,
        fromStatus: 'closed',
        toStatus: 'under_review',
        note: entry.note,
        occurredAt: at,
      },
      { transaction },
    );
    await recordAudit(
      deps.auditSource,
      {
        tenantId: claim.tenantId,
        action: 'claim.reopen',
        entityType: 'claim',
        entityId: claim.id,
        before,
        after: { status: 'under_review', workflowId, reopening: { reason, reserves: reopening.reserves } },
      },
      transaction,
    );
    return {
      row: claim,
      start: {
        workflowType: CLAIM_WORKFLOW_TYPE,
        args: [
          {
            claimId: claim.id,
            claimNumber: claim.claimNumber,
            tenantId: claim.tenantId,
            claimantId: claim.claimantId,
            amountClaimed: Number(claim.amountClaimed),
            filedById: claim.filedById,
            filedAt: claim.createdAt.toISOString(),
            settings,
            reopening,
          },
        ],
        tenantId: claim.tenantId,
        status: 'under_review',
        summary: `Claim ${claim.claimNumber} reopened (${number})`,
      },
    };
  });
};
