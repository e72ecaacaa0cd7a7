/**
 * Who a saved report is sent for (docs/reports.md, Owner): its owner, its creator until a tenant
 * admin hands it over to another user who may own it. A user change that takes an owner's
 * authority (deactivation, a role without the definition's report) pauses the owner's
 * definitions in the change's transaction (src/domain/reports/owner-eligibility.ts), and their Temporal
 * Schedules through the outbox once it has committed; the delivery checks
 * the owner again, should a change reach the row some other way. Resuming or scheduling a
 * definition whose owner may not own it is refused until it is handed over.
 */
import { ReportDefinition, User } from '../../models';
import { findVisible } from '../../access/core';
import { mayOwnReport, reportDefinitionAccess } from '../../access/reports';
import { ownerMayOwn } from './owner-eligibility';
import { conflict, unprocessable } from '../../shared/errors';
import { assertInvitationAccepted } from '../users/named-accounts';
import { audited } from '../audited';
import type { Command } from '../command';

/** Refuses (409) to run a definition whose owner may no longer own it: it is handed over first. */
export async function assertOwnerMayRun(definition: ReportDefinition): Promise<void> {
  if (await ownerMayOwn(definition)) return;
  throw conflict('The owner of this report may no longer own it; a tenant admin hands it over to another user first', [
    { field: 'paused', message: 'owner may no longer own this report', reason: 'owner_ineligible' },
  ]);
}

export interface HandOver {
  id: string;
  ownerId: string;
}

/**
 * A tenant admin hands a definition over to another user of the tenant who may own its kind and has
 * accepted their invitation (422 otherwise, each with its reason); audited.
 */
export const handOverReportDefinition: Command<HandOver, ReportDefinition> = async (caller, { id, ownerId }, deps) => {
  const definition = await findVisible(caller, reportDefinitionAccess, id);
  const owner = await User.findOne({ where: { id: ownerId, tenantId: definition.tenantId } });
  // Another tenant's user is answered as one that does not exist.
  if (!owner || !mayOwnReport(owner, definition)) {
    throw unprocessable(`The new owner must be an active user of this tenant whose role may see the ${definition.kind} report`, [
      { field: 'ownerId', message: 'may not own this report' },
    ]);
  }
  assertInvitationAccepted(owner, 'ownerId', 'The new owner');
  const before = { ownerId: definition.ownerId };
  return audited(
    deps,
    (transaction) => definition.update({ ownerId, updatedById: caller.id }, { transaction }),
    () => ({
      tenantId: definition.tenantId,
      action: 'report_definition.hand_over',
      entityType: 'report_definition',
      entityId: definition.id,
      before,
      after: { ownerId },
    }),
  );
};
