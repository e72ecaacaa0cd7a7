/**
 * "Remind now" (docs/compliance.md, Remind now): a compliance officer reminds everyone whose
 * acknowledgement of a published version is still open. The people are fixed when it is asked
 * (one recipient row each, in the transaction that records the remind and the start of its run
 * `compliance-remind-<id>` in the outbox); the run e-mails them in batches. Its ID follows from the
 * Idempotency-Key, so a repeat finds the remind it made and sends nothing more.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { OPEN_ACKNOWLEDGEMENT_STATUSES } from '../../contracts/acknowledgement';
import { complianceRemindRun, ComplianceRemindWorkflow } from '../../contracts/compliance-remind';
import { ComplianceRemind, ComplianceRemindRecipient } from '../../models';
import { policyVersionAccess } from '../../access/compliance';
import { findVisible, tenantOf } from '../../access/core';
import { recordAudit } from '../audit/record';
import { idFromRequest } from '../../shared/deterministic-id';
import { conflict } from '../../shared/errors';
import type { Command } from '../command';
import { itemCounts } from '../operations/bulk-operations';
import { writeWithStart } from '../runs';

/** A remind as the API shows it: who is reached so far, counted from its recipient rows. */
export interface RemindState {
  id: string;
  versionId: string;
  requestedById: string;
  workflowId: string;
  createdAt: Date;
  /** `completed` once no recipient is left pending. */
  status: 'running' | 'completed';
  /** Open acknowledgements when it was asked. */
  total: number;
  /** Handled so far: reminded, or skipped because they were closed before their turn. */
  done: number;
  sent: number;
  skipped: number;
}

export interface RemindRun {
  remind: RemindState;
  workflowId: string;
  runId: string | null;
}

export async function remindStateOf(remind: ComplianceRemind): Promise<RemindState> {
  const counts = await itemCounts(ComplianceRemindRecipient, { remindId: remind.id }, ['sent', 'skipped']);
  const done = counts.sent + counts.skipped;
  const { id, versionId, requestedById, workflowId, createdAt } = remind;
  return { id, versionId, requestedById, workflowId, createdAt, status: done === counts.total ? 'completed' : 'running', done, ...counts };
}

export const remindPending: Command<{ versionId: string }, RemindRun> = async (caller, { versionId }, deps) => {
  const tenantId = tenantOf(caller);
  const version = await findVisible(caller, policyVersionAccess, versionId);
  const key = deps.idempotencyKey;
  const remindId = key ? idFromRequest('compliance-remind', caller.id, key, version.id) : crypto.randomUUID();
  const workflowId = complianceRemindRun.id(remindId);
  // A repeat whose answer was lost finds the remind it made, and starts nothing.
  const earlier = key ? await ComplianceRemind.findOne({ where: { id: remindId, tenantId } }) : null;
  if (earlier) return { remind: await remindStateOf(earlier), workflowId, runId: null };
  if (version.status !== 'published')
    throw conflict(`Only a published version has acknowledgements to remind; this version is ${version.status}`, [
      { field: 'status', message: `is ${version.status}` },
    ]);

  const { written: remind, runId } = await writeWithStart<ComplianceRemindWorkflow, ComplianceRemind>(deps, async (transaction) => {
    const created = await ComplianceRemind.create(
      { id: remindId, tenantId, versionId: version.id, requestedById: caller.id, workflowId },
      { transaction },
    );
    const [{ recipients }] = await deps.sequelize.query<{ recipients: number }>(
      `WITH inserted AS (
         INSERT INTO compliance_remind_recipients (remind_id, acknowledgement_id)
         SELECT :remindId, id FROM acknowledgements WHERE version_id = :versionId AND status IN (:open)
         RETURNING 1)
       SELECT count(*)::int AS recipients FROM inserted`,
      { replacements: { remindId, versionId: version.id, open: OPEN_ACKNOWLEDGEMENT_STATUSES }, type: QueryTypes.SELECT, transaction },
    );
    await recordAudit(
      deps.auditSource,
      {
        tenantId,
        action: 'compliance_remind.create',
        entityType: 'compliance_remind',
        entityId: remindId,
        after: { versionId: version.id, workflowId, recipients },
      },
      transaction,
    );
    return {
      written: created,
      workflowId,
      start: {
        workflowType: complianceRemindRun.type,
        args: [{ tenantId, remindId }],
        tenantId,
        status: 'reminding',
        summary: `Remind ${recipients} people to acknowledge policy version ${version.versionNumber} (policy ${version.policyId})`,
      },
    };
  });
  return { remind: await remindStateOf(remind), workflowId, runId };
};
