/**
 * A new run for a claim whose run has ended (docs/claim-money.md, Reopening; docs/operating.md,
 * Repairing a row): the claim row and its new history entry, the audit event and the start of the
 * run commit together (outbox), and the run starts where the claim was left: its stage, handler,
 * approval, reserve lines and payments as the rows hold them. The row is locked meanwhile, so two
 * requests at once give the claim one new run.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { claimRun, type ClaimResumption, type ClaimStage, type ClaimWorkflow } from '../../contracts/claim';
import { type ClaimPayment, markedPayee, type PayeeAccount } from '../../contracts/claim-payments';
import type { ReserveLine } from '../../contracts/claim-reserves';
import { Claim, ClaimHistory } from '../../models';
import { recordAudit } from '../audit/record';
import { refuseErasedPerson } from '../privacy/erasure';
import { personLockedForShare } from '../privacy/holds';
import { recordStageChangedEvent } from './webhook-events';
import type { AuthUser } from '../../shared/caller';
import { claimantErased, conflict } from '../../shared/errors';
import type { CommandDeps } from '../command';
import { createWithRun } from '../runs';
import { claimSettingsOf } from './rules';

/** What a new run needs to know of the claim's past, read in one statement. */
interface ClaimPast {
  last_sequence: number;
  reopenings: number;
  approval_requested_by: string[];
  amount_paid: string;
  payment_count: number;
  lines: { costType: ReserveLine['costType']; category: ReserveLine['category']; amount: string }[];
  released: { costType: ReserveLine['costType']; category: ReserveLine['category']; amount: string }[];
  open_payments: (Omit<ClaimPayment, 'amount' | 'requestedAt' | 'payee'> & { amount: string; requestedAt: string; payee: PayeeAccount })[];
}

const CLAIM_PAST = `
  SELECT (SELECT max(sequence) FROM claim_history WHERE claim_id = :claimId) AS last_sequence,
         (SELECT count(*)::int FROM claim_history WHERE claim_id = :claimId AND from_status = 'closed') AS reopenings,
         (SELECT coalesce(array_agg(DISTINCT actor_id), '{}') FROM claim_history
           WHERE claim_id = :claimId AND to_status = 'waiting_approval' AND actor_id IS NOT NULL) AS approval_requested_by,
         (SELECT coalesce(sum(amount), 0) FROM payments WHERE claim_id = :claimId AND status = 'cleared') AS amount_paid,
         (SELECT count(*)::int FROM payments WHERE claim_id = :claimId AND kind = 'partial') AS payment_count,
         (SELECT coalesce(json_agg(json_build_object('costType', cost_type, 'category', category, 'amount', amount)
                                   ORDER BY cost_type, category), '[]')
            FROM claim_reserve_lines WHERE claim_id = :claimId) AS lines,
         -- What the last closing released, line by line.
         (SELECT coalesce(json_agg(json_build_object('costType', cost_type, 'category', category, 'amount', amount_before)), '[]')
            FROM claim_reserve_changes
           WHERE claim_id = :claimId AND status = 'released' AND amount_before > 0
             AND requested_at = (SELECT max(requested_at) FROM claim_reserve_changes WHERE claim_id = :claimId AND status = 'released')
         ) AS released,
         (SELECT coalesce(json_agg(json_build_object(
                   'id', id, 'reference', reference, 'costType', cost_type, 'category', category, 'amount', amount,
                   'currency', currency, 'note', note, 'status', status, 'requestedById', requested_by_id,
                   'requestedAt', requested_at, 'approvedById', approved_by_id, 'voidedById', voided_by_id,
                   'payee', json_build_object('kind', payee_kind, 'name', payee_name, 'iban', payee_iban, 'bic', payee_bic))
                   ORDER BY requested_at), '[]')
            FROM payments WHERE claim_id = :claimId AND kind = 'partial' AND status IN ('requested', 'approved', 'issued')
         ) AS open_payments`;

export interface Resumption {
  kind: ClaimResumption['kind'];
  /** The stage the claim is in as it resumes, and the note of the entry that says why. */
  to: ClaimStage;
  note: string;
  /** Refuses the claim as it is (locked): a conflict, say, when it is in no state to resume. */
  check(claim: Claim): void;
  /** The new run's workflow ID from the claim's first and the entry's sequence. */
  workflowIdOf(claim: Claim, past: { sequence: number; reopenings: number }): string;
  /** The audit event's action. */
  action: string;
}

const baseWorkflowId = (claim: Claim) => claim.workflowId.replace(/-(reopened|restored)-\d+$/, '');
export const reopenedWorkflowId = (claim: Claim, reopening: number) => `${baseWorkflowId(claim)}-reopened-${reopening}`;
export const restoredWorkflowId = (claim: Claim, sequence: number) => `${baseWorkflowId(claim)}-restored-${sequence}`;

/** Gives the claim its new run as `resumption` says, and answers the claim as it then is. */
export async function resumeClaim(
  caller: AuthUser,
  claimId: string,
  resumption: Resumption,
  deps: Pick<CommandDeps, 'sequelize' | 'outbox' | 'auditSource'>,
): Promise<Claim> {
  return createWithRun<ClaimWorkflow, Claim>(deps, async (transaction: Transaction) => {
    const claim = await Claim.findByPk(claimId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
    resumption.check(claim);
    // Nobody could be told of the new run's steps or paid by it (docs/privacy.md, Reopening an erased claimant's claim).
    await refuseErasedPerson(claim.tenantId, claim.claimantId, transaction, claimantErased, personLockedForShare);
    const settings = await claimSettingsOf(claim.tenantId);
    const [past] = await deps.sequelize.query<ClaimPast>(CLAIM_PAST, { replacements: { claimId }, type: QueryTypes.SELECT, transaction });
    const reopened = resumption.kind === 'reopened';
    const sequence = past.last_sequence + 1;
    const reopenings = past.reopenings + (reopened ? 1 : 0);
    const workflowId = resumption.workflowIdOf(claim, { sequence, reopenings });
    const at = new Date();
    const from = claim.status;
    const input: ClaimResumption = {
      kind: resumption.kind,
      entry: { sequence, from, to: resumption.to, actorId: caller.id, note: resumption.note, at: at.toISOString() },
      assigneeId: claim.assigneeId,
      approvalRequestedBy: past.approval_requested_by,
      amountApproved: resumption.to === 'approved' && claim.amountApproved !== null ? Number(claim.amountApproved) : null,
      denialReason: resumption.to === 'denied' ? claim.denialReason : null,
      reserves: (reopened ? past.released : past.lines).map((line) => ({ ...line, amount: Number(line.amount) })),
      payments: past.open_payments.map((payment) => ({
        ...payment,
        amount: Number(payment.amount),
        requestedAt: new Date(payment.requestedAt).toISOString(),
        payee: markedPayee(claim.claimantId, payment.payee),
      })),
      amountPaid: Number(past.amount_paid),
      paymentCount: past.payment_count,
      settlementReference: reopenings > 0 ? `PAY-${claim.claimNumber}-R${reopenings}` : `PAY-${claim.claimNumber}`,
    };
    const before = { status: claim.status, workflowId: claim.workflowId };
    await claim.update({ status: resumption.to, workflowId, runId: null, ...(reopened && { denialReason: null }) }, { transaction });
    // The new run is the row's run: what the reconciler found of the old one no longer holds, and a
    // start of the old one still in the outbox must not bring a second run to life.
    await deps.sequelize.query('UPDATE claims SET run_state = NULL, run_state_at = NULL WHERE id = :claimId', {
      replacements: { claimId },
      transaction,
    });
    await deps.sequelize.query(
      `UPDATE outbox_messages SET delivered_at = now(), last_error = 'superseded by a new run of the claim', updated_at = now()
        WHERE workflow_id = :old AND kind = 'start' AND delivered_at IS NULL`,
      { replacements: { old: before.workflowId }, transaction },
    );
    await ClaimHistory.create(
      {
        tenantId: claim.tenantId,
        claimId,
        sequence,
        actorId: caller.id,
        fromStatus: from,
        toStatus: resumption.to,
        note: resumption.note,
        occurredAt: at,
      },
      { transaction },
    );
    if (from !== resumption.to)
      await recordStageChangedEvent(claim, { from, to: resumption.to, sequence, actorId: caller.id, at: at.toISOString() }, transaction);
    await recordAudit(
      deps.auditSource,
      {
        tenantId: claim.tenantId,
        action: resumption.action,
        entityType: 'claim',
        entityId: claimId,
        before,
        after: { status: resumption.to, workflowId, note: resumption.note, reserves: input.reserves, payments: input.payments.length },
      },
      transaction,
    );
    return {
      row: claim,
      start: {
        workflowType: claimRun.type,
        args: [
          {
            claimId,
            claimNumber: claim.claimNumber,
            tenantId: claim.tenantId,
            claimantId: claim.claimantId,
            amountClaimed: Number(claim.amountClaimed),
            filedById: claim.filedById,
            filedAt: claim.createdAt.toISOString(),
            settings,
            resumption: input,
          },
        ],
        tenantId: claim.tenantId,
        status: resumption.to,
        summary: `Claim ${claim.claimNumber}: ${resumption.kind} (${resumption.note.slice(0, 80)})`,
      },
    };
  });
}

/** The conflict a claim in the wrong state for a resumption answers. */
export const notResumable = (claim: Claim, why: string) =>
  conflict(`Claim ${claim.claimNumber} is ${claim.status}: ${why}`, [{ field: 'status', message: `is ${claim.status}` }]);
