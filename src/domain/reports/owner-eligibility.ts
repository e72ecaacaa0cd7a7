/**
 * A saved report is sent on its owner's authority (docs/reports.md, Owner): while its owner is an
 * active user of its tenant whose role may see its kind of report. A definition whose owner loses
 * that is paused, with its reason, by the user change that took it away (src/domain/users) and,
 * should a change reach the row some other way, by its next delivery, which sends nothing.
 */
import type { Transaction } from 'sequelize';
import { mayOwnReport } from '../../access/reports';
import { ReportDefinition, User, type OutboxMessage } from '../../models';
import { recordAudit, type AuditSource } from '../audit/record';
import { enqueueReportSchedule } from '../../services/outbox';

/** Whether the definition's owner may still own it. */
export async function ownerMayOwn(definition: ReportDefinition, transaction?: Transaction): Promise<boolean> {
  const owner = await User.findByPk(definition.ownerId, { attributes: ['tenantId', 'isActive', 'role'], transaction });
  return owner !== null && mayOwnReport(owner, definition);
}

/**
 * Pauses the definitions of `ownerId` that `owner` (as it now is, or null when gone) may no longer
 * own, scheduled or not (a schedule added later must not run either), each with its audit event
 * `report_definition.pause`, in the caller's transaction, with an outbox message that pauses each
 * one's Temporal Schedule once the transaction commits. Answers those messages: the caller
 * delivers them at once after its commit, or leaves them to the relay.
 */
export async function pauseDefinitionsOwnedBy(
  ownerId: string,
  owner: Pick<User, 'tenantId' | 'isActive' | 'role'> | null,
  source: AuditSource,
  transaction: Transaction,
  dedupeKey?: string,
): Promise<OutboxMessage[]> {
  const running = await ReportDefinition.findAll({
    where: { ownerId, paused: false },
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  const ownerless = running.filter((definition) => !owner || !mayOwnReport(owner, definition));
  const schedulePauses: OutboxMessage[] = [];
  for (const definition of ownerless) {
    const before = { paused: definition.paused, pausedReason: definition.pausedReason };
    await definition.update({ paused: true, pausedReason: 'owner_ineligible' }, { transaction });
    await recordAudit(
      source,
      {
        tenantId: definition.tenantId,
        action: 'report_definition.pause',
        entityType: 'report_definition',
        entityId: definition.id,
        before,
        after: { paused: true, pausedReason: 'owner_ineligible', ownerId },
        dedupeKey: dedupeKey && `${dedupeKey}:${definition.id}`,
      },
      transaction,
    );
    if (definition.schedule !== null) schedulePauses.push(await enqueueReportSchedule(definition.id, transaction));
  }
  return schedulePauses;
}
