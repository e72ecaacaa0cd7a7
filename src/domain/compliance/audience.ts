/**
 * The audience kept in sync (docs/compliance.md, Audience): after any change that can move a
 * user into or out of the audience of a published version (their account starts working, they
 * are activated or deactivated, their role changes), `syncAudience` runs in the transaction of
 * that change, with the user's row locked, and decides per published version of the tenant:
 *
 * - in the audience, no acknowledgement yet: one is created, due the version's deadline from now,
 *   and the start of its run `ack-<id>` is written to the outbox;
 * - in the audience again after being exempted: the acknowledgement reopens with a full deadline
 *   under a fresh run, `ack-<id>-<run>`;
 * - out of the audience with an open acknowledgement: `audienceChanged` is written to the outbox
 *   for its run, which checks (the user locked again) and ends as exempt if they are still out.
 *
 * Every decision is taken under the user's lock from the committed state, so concurrent changes
 * queue up and the last one decides; the outbox delivers each message after the commit, at once
 * or by its relay, to a run ID fixed by the row: a retried start reaches the same run. A signal
 * that reaches no run yet (its start still on the way) is not needed: a joiner's run checks the
 * audience as it starts, and a rollout's batch checks its runs' employees after starting them.
 */
import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import {
  acknowledgementRun,
  type AcknowledgementWorkflow,
  audienceChangedSignal,
  OPEN_ACKNOWLEDGEMENT_STATUSES,
  openingAcknowledgementInput,
} from '../../contracts/acknowledgement';
import { Acknowledgement, type OutboxMessage, PolicyVersion, TenantSettings, User } from '../../models';
import { isInAudience } from './audience-rule';
import { recordAudit } from '../audit/record';
import type { TenantSettingsValues } from '../../shared/tenant-settings';
import type { CommandDeps } from '../command';
import { acknowledgementDueAt } from './acknowledgement-times';

type SyncDeps = Pick<CommandDeps, 'outbox' | 'auditSource'>;

/** Brings the user's acknowledgements in line with the audiences they now belong to; delivers after the commit. */
export async function syncAudience(userId: string, transaction: Transaction, deps: SyncDeps): Promise<void> {
  const user = await User.findByPk(userId, { lock: transaction.LOCK.UPDATE, transaction });
  if (!user?.tenantId) return;
  // Shared: a publication that retires one of them waits for this change, or this change for it.
  const versions = await PolicyVersion.findAll({
    where: { tenantId: user.tenantId, status: 'published' },
    lock: transaction.LOCK.SHARE,
    transaction,
  });
  if (versions.length === 0) return;
  const settings = await TenantSettings.forTenant(user.tenantId);
  const acknowledgements = await Acknowledgement.findAll({
    where: { employeeId: user.id, versionId: { [Op.in]: versions.map((v) => v.id) } },
    lock: transaction.LOCK.UPDATE,
    transaction,
  });

  const messages: OutboxMessage[] = [];
  for (const version of versions) {
    const ofVersion = acknowledgements.filter((a) => a.versionId === version.id);
    if (isInAudience(user, version)) {
      // A joiner owes the current cycle only (docs/compliance.md, Recurring attestation).
      const ack = ofVersion.find((a) => a.cycle === version.cycle);
      const joined = await admit(user, version, ack, settings, transaction, deps);
      if (joined) messages.push(await enqueueRun(joined, version, settings, transaction, deps));
    } else {
      // A leaver owes no cycle still open.
      for (const ack of ofVersion.filter((a) => OPEN_ACKNOWLEDGEMENT_STATUSES.includes(a.status)))
        messages.push(await deps.outbox.enqueueSignal(ack.workflowId!, { signalName: audienceChangedSignal.name, args: [] }, transaction));
    }
  }
  transaction.afterCommit(async () => {
    // Never throws: what is not delivered now, the relay delivers.
    for (const message of messages) await deps.outbox.deliver(message);
  });
}

/**
 * Creates the acknowledgement of a member who has none, or reopens an exempted one; answers it
 * when it needs a run now (null when it is open already, or closed for good).
 */
async function admit(
  user: User,
  version: PolicyVersion,
  ack: Acknowledgement | undefined,
  settings: TenantSettingsValues,
  transaction: Transaction,
  deps: SyncDeps,
): Promise<Acknowledgement | null> {
  const dueAt = await acknowledgementDueAt(version.tenantId, new Date(), version.deadlineDays, settings);
  if (!ack) {
    const id = crypto.randomUUID();
    const fields = {
      id,
      tenantId: version.tenantId,
      versionId: version.id,
      employeeId: user.id,
      cycle: version.cycle,
      dueAt,
      workflowId: acknowledgementRun.id(id, 1, version.cycle),
    };
    // The version's rollout may be creating this row right now: its row wins, and its batch starts the run.
    await Acknowledgement.bulkCreate([fields], { ignoreDuplicates: true, transaction });
    const created = await Acknowledgement.findOne({ where: { id }, transaction });
    if (!created) return null;
    await audit(deps, created, 'acknowledgement.create', null, transaction);
    return created;
  }
  if (ack.status !== 'exempt') return null;
  const before = ack.toJSON();
  const runNumber = ack.runNumber + 1;
  await ack.update(
    {
      status: 'pending',
      runNumber,
      workflowId: acknowledgementRun.id(ack.id, runNumber, ack.cycle),
      dueAt,
      exemptedAt: null,
      remindersSent: 0,
      escalationLevel: 0,
    },
    { transaction },
  );
  await audit(deps, ack, 'acknowledgement.reopen', before, transaction);
  return ack;
}

function audit(deps: SyncDeps, ack: Acknowledgement, action: string, before: object | null, transaction: Transaction) {
  return recordAudit(
    deps.auditSource,
    { tenantId: ack.tenantId, action, entityType: 'acknowledgement', entityId: ack.id, before, after: ack },
    transaction,
  );
}

function enqueueRun(
  ack: Acknowledgement,
  version: PolicyVersion,
  settings: TenantSettingsValues,
  transaction: Transaction,
  deps: SyncDeps,
): Promise<OutboxMessage> {
  return deps.outbox.enqueueStart<AcknowledgementWorkflow>(
    ack.workflowId!,
    {
      workflowType: acknowledgementRun.type,
      args: [openingAcknowledgementInput(ack, settings)],
      tenantId: ack.tenantId,
      status: 'pending',
      summary: `Acknowledgement of policy version ${version.versionNumber} by employee ${ack.employeeId} (joined its audience)`,
      dueAt: ack.dueAt.toISOString(),
    },
    transaction,
  );
}
