/**
 * "Remind now" as a bulk operation (docs/bulk-operations.md): one published version's open
 * acknowledgements, or, without a version, those of every published version of the tenant that
 * still has someone open. Each version is the existing remind (`remindPending`): its own recipient
 * rows and its own run `compliance-remind-<id>`, whose ID follows from the Idempotency-Key and the
 * version, so a repeat finds the reminds it made and starts nothing.
 */
import { Op } from 'sequelize';
import { OPEN_ACKNOWLEDGEMENT_STATUSES } from '../../contracts/acknowledgement';
import { Acknowledgement, PolicyVersion } from '../../models';
import { policyVersionAccess } from '../../access/compliance';
import { tenantOf } from '../../access/core';
import type { Command } from '../command';
import { remindPending, type RemindRun } from './remind';

/** Versions one request reminds at most; a tenant with more asks version by version. */
export const MAX_VERSIONS_PER_REMIND = 100;

export const remindOpenAcknowledgements: Command<{ versionId?: string }, RemindRun[]> = async (caller, { versionId }, deps) => {
  if (versionId) return [await remindPending(caller, { versionId }, deps)];
  const tenantId = tenantOf(caller);
  const open = await Acknowledgement.findAll({
    attributes: ['versionId'],
    where: { tenantId, status: { [Op.in]: OPEN_ACKNOWLEDGEMENT_STATUSES } },
    group: ['versionId'],
  });
  const versions = await PolicyVersion.findAll({
    where: { [Op.and]: [policyVersionAccess.scope(caller), { status: 'published', id: { [Op.in]: open.map((a) => a.versionId) } }] },
    order: [['publishedAt', 'ASC']],
    limit: MAX_VERSIONS_PER_REMIND,
  });
  const runs: RemindRun[] = [];
  // One after the other: each is a transaction and an outbox delivery of its own.
  for (const version of versions) runs.push(await remindPending(caller, { versionId: version.id }, deps));
  return runs;
};
