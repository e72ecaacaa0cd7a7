/**
 * Saved report definitions (docs/reports.md, Saved reports): create, change, delete, each with its
 * audit event and, for a scheduled definition, its Temporal Schedule kept in line.
 *
 * PostgreSQL and Temporal are never written in one transaction. A new definition's schedule is
 * made before its row (a row never exists without its schedule; a schedule left without a row
 * removes itself at its first run). A change of what the schedule follows, and a deletion, write
 * with the row an outbox message that sets the schedule to what the row then says: delivered at
 * once after the commit, else by the relay, so the schedule cannot stay behind its row (a resumed
 * definition left paused in Temporal would never run again).
 *
 * A definition is sent on its owner's authority (./ownership.ts), to the recipients who may
 * receive it (./recipients.ts: the links of addresses outside the staff are minted with the
 * recipients and mailed once they commit), and a tenant keeps at most its quota of scheduled
 * definitions (`scheduledReportDefinitionsMax`).
 */
import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { ReportDefinition, Tenant, TenantSettings, type OutboxMessage } from '../../models';
import { findVisible, tenantOf } from '../../access/core';
import { assertMaySave, reportDefinitionAccess } from '../../access/reports';
import { ensureDefinitionSchedule, removeReportSchedule } from '../../services/report-schedules';
import { cronProblem } from '../../shared/cron';
import { idFromRequest } from '../../shared/deterministic-id';
import { quotaExceeded, unprocessable } from '../../shared/errors';
import { createAudited, destroyAudited, updateAudited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { assertOwnerMayRun } from './ownership';
import { assertRecipientsMayRead } from './recipient-links';
import { linkRecipients } from './recipients';
import { checkedParameters } from './saved';

export interface DefinitionFields {
  name: string;
  kind: SavedReportKind;
  parameters: object;
  recipients: string[];
  schedule?: string | null;
  paused?: boolean;
}

/** What may change; the kind may not (its parameters would no longer mean anything). */
export type DefinitionChange = Partial<Omit<DefinitionFields, 'kind'>>;

/** A cron expression whose fields are out of range, or more often than hourly, is 422. */
function checkSchedule(schedule: string | null | undefined): void {
  const problem = schedule ? cronProblem(schedule) : undefined;
  if (problem) throw unprocessable(`schedule ${problem}`, [{ field: 'schedule', message: problem }]);
}

/** Each address once, in the order given (they arrive lower case). */
const distinct = (recipients: string[]) => [...new Set(recipients)];

/**
 * Throws 422 `quota_exceeded` unless the tenant may keep one more scheduled definition (`except`:
 * the one being scheduled, when it exists). Checked before Temporal is written, so a tenant at its
 * quota costs no schedule, and again in the transaction that stores the row, under the tenant
 * row's lock, which is the check that holds when two requests race.
 */
async function assertScheduleRoom(tenantId: string, transaction?: Transaction, except?: string): Promise<void> {
  if (transaction) await Tenant.holdForQuota(tenantId, transaction);
  const { scheduledReportDefinitionsMax: limit } = await TenantSettings.forTenant(tenantId);
  const used = await ReportDefinition.count({
    where: { tenantId, schedule: { [Op.ne]: null }, ...(except && { id: { [Op.ne]: except } }) },
    transaction,
  });
  if (used >= limit) {
    throw quotaExceeded(`This tenant already keeps ${used} scheduled reports, the most its settings allow`, [
      { field: 'schedule', message: 'scheduled reports per tenant', quota: 'scheduled_report_definitions', limit, used },
    ]);
  }
}

/**
 * Whether a change names something the definition's Temporal Schedule follows (see
 * ensureDefinitionSchedule). Named, not merely different: repeating a change sets the schedule again,
 * whatever an operator did to it in the Temporal UI meanwhile.
 */
const SCHEDULE_FIELDS: ReadonlyArray<keyof DefinitionChange> = ['name', 'schedule', 'paused'];
const touchesSchedule = (change: DefinitionChange) => SCHEDULE_FIELDS.some((field) => field in change);

/** Makes the new definition's Temporal Schedule, paused if it is, before its row exists. */
async function createSchedule(deps: CommandDeps, definition: ReportDefinition, schedule: string): Promise<void> {
  const scheduled = { id: definition.id, tenantId: definition.tenantId, name: definition.name, schedule, paused: definition.paused };
  await ensureDefinitionSchedule(scheduled, deps.config.temporal.taskQueue, (rpc) => deps.temporal.call('rpc', rpc));
}

export const createReportDefinition: Command<DefinitionFields, ReportDefinition> = async (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  assertMaySave(caller, fields.kind);
  checkSchedule(fields.schedule);
  const parameters = checkedParameters(fields.kind, fields.parameters);
  const key = deps.idempotencyKey;
  const id = key ? idFromRequest('report-definition', caller.id, key) : crypto.randomUUID();
  const row = ReportDefinition.build({
    ...fields,
    id,
    tenantId,
    parameters,
    recipients: distinct(fields.recipients),
    schedule: fields.schedule ?? null,
    paused: fields.paused ?? false,
    ownerId: caller.id,
    createdById: caller.id,
    updatedById: caller.id,
  });
  await assertRecipientsMayRead(row);
  const scheduled = row.schedule !== null;
  if (row.schedule !== null) {
    await assertScheduleRoom(tenantId);
    await createSchedule(deps, row, row.schedule);
  }
  let mailLinks = () => undefined as void;
  try {
    const created = await createAudited(deps, 'report_definition', tenantId, async (transaction) => {
      if (scheduled) await assertScheduleRoom(tenantId, transaction);
      const saved = await row.save({ transaction });
      mailLinks = await linkRecipients(saved, caller.id, transaction, deps);
      return saved;
    });
    mailLinks();
    return created;
  } catch (err) {
    // Best effort: a schedule left behind finds no row at its first run and removes itself.
    if (scheduled) await deps.temporal.call('rpc', (client) => removeReportSchedule(client, row.id)).catch(() => undefined);
    throw err;
  }
};

export const updateReportDefinition: Command<{ id: string; change: DefinitionChange }, ReportDefinition> = async (
  caller,
  { id, change },
  deps,
) => {
  const row = await findVisible(caller, reportDefinitionAccess, id);
  checkSchedule(change.schedule);
  const wasScheduled = row.schedule !== null;
  const willBeScheduled = change.schedule === undefined ? wasScheduled : change.schedule !== null;
  // A definition that is to run is sent on its owner's authority: one the owner lost is handed over first (409).
  if (willBeScheduled && !(change.paused ?? row.paused)) await assertOwnerMayRun(row);
  const newlyScheduled = willBeScheduled && !wasScheduled;
  if (newlyScheduled) await assertScheduleRoom(row.tenantId, undefined, row.id);
  const parameters = change.parameters === undefined ? {} : { parameters: checkedParameters(row.kind, change.parameters) };
  const recipients = change.recipients === undefined ? {} : { recipients: distinct(change.recipients) };
  // New recipients, or new parameters whose table names persons, must each be allowed to read what will be sent.
  if (recipients.recipients || parameters.parameters) await assertRecipientsMayRead({ ...row.get(), ...parameters, ...recipients });
  // A pause or resume someone asked for replaces the reason of a pause nobody asked for.
  const pausedReason = change.paused === undefined ? {} : { pausedReason: null };
  let mailLinks = () => undefined as void;
  let scheduleSync: OutboxMessage | undefined;
  const updated = await updateAudited(
    deps,
    'report_definition',
    row,
    { ...change, ...parameters, ...recipients, ...pausedReason, updatedById: caller.id },
    async (changed, transaction) => {
      if (newlyScheduled) await assertScheduleRoom(row.tenantId, transaction, row.id);
      if (change.recipients !== undefined) mailLinks = await linkRecipients(changed, caller.id, transaction, deps);
      // A change of recipients or parameters is read at the next run; a definition never scheduled has no schedule.
      if (touchesSchedule(change) && (wasScheduled || changed.schedule !== null)) {
        scheduleSync = await deps.outbox.enqueueReportSchedule(changed.id, transaction);
      }
    },
  );
  mailLinks();
  if (scheduleSync) await deps.outbox.deliver(scheduleSync);
  return updated;
};

export const deleteReportDefinition: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const row = await findVisible(caller, reportDefinitionAccess, id);
  let removal: OutboxMessage | undefined;
  await destroyAudited(deps, 'report_definition', row, async (transaction) => {
    if (row.schedule !== null) removal = await deps.outbox.enqueueReportSchedule(row.id, transaction);
  });
  if (removal) await deps.outbox.deliver(removal);
};

/**
 * In the transaction that changes the tenant's time zone: every scheduled definition's Schedule is
 * to read its cron expression in the new one. Answers the messages to deliver after the commit.
 */
export async function rescheduleTenantReports(tenantId: string, deps: CommandDeps, transaction: Transaction): Promise<OutboxMessage[]> {
  const scheduled = await ReportDefinition.findAll({ where: { tenantId, schedule: { [Op.ne]: null } }, transaction });
  return Promise.all(scheduled.map((definition) => deps.outbox.enqueueReportSchedule(definition.id, transaction)));
}
