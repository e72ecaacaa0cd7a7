/**
 * Saved report definitions (docs/reports.md, Saved reports): create, change, delete, each with its
 * audit event and, for a scheduled definition, its Temporal Schedule kept in line.
 *
 * PostgreSQL and Temporal are written one after the other, never in one transaction, so each
 * command orders its two writes so that a failure between them leaves nothing that sends a report
 * it should not: a new definition's schedule is made before its row (a row never exists without
 * its schedule; a schedule left without a row removes itself at its first run), a change is
 * written before its schedule is brought in line (repeating the request brings it in line; until
 * then the run obeys the row's pause and schedule), and a deletion deletes the row first (the
 * schedule, should its deletion fail, removes itself at its next run).
 *
 * A definition is sent on its owner's authority (./ownership.ts), to the recipients who may
 * receive it (./recipients.ts: the links of addresses outside the staff are minted with the
 * recipients and mailed once they commit), and a tenant keeps at most its quota of scheduled
 * definitions (`scheduledReportDefinitionsMax`).
 */
import crypto from 'node:crypto';
import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { ReportDefinition, TenantSettings } from '../../models';
import { findVisible, tenantOf } from '../../access/core';
import { assertMaySave, reportDefinitionAccess } from '../../access/reports';
import { ensureReportSchedule, removeReportSchedule } from '../../services/report-schedules';
import { cronProblem } from '../../shared/cron';
import { idFromRequest } from '../../shared/deterministic-id';
import { quotaExceeded, unprocessable } from '../../shared/errors';
import { createAudited, destroyAudited, updateAudited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { assertOwnerMayRun } from './ownership';
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
  if (transaction) {
    // NO KEY UPDATE: rows that merely reference the tenant are still inserted meanwhile.
    await ReportDefinition.sequelize!.query('SELECT id FROM tenants WHERE id = :tenantId FOR NO KEY UPDATE', {
      replacements: { tenantId },
      type: QueryTypes.SELECT,
      transaction,
    });
  }
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
 * ensureReportSchedule). Named, not merely different: a repeat of a change whose schedule sync
 * failed after its row committed brings the schedule in line.
 */
const SCHEDULE_FIELDS: ReadonlyArray<keyof DefinitionChange> = ['name', 'schedule', 'paused'];
const touchesSchedule = (change: DefinitionChange) => SCHEDULE_FIELDS.some((field) => field in change);

/** Brings the definition's Temporal Schedule in line with its row: there when scheduled, paused when paused. */
async function syncSchedule(deps: CommandDeps, definition: ReportDefinition): Promise<void> {
  const { schedule } = definition;
  if (schedule === null) {
    await deps.temporal.call('rpc', (client) => removeReportSchedule(client, definition.id));
    return;
  }
  const { timeZone } = await TenantSettings.forTenant(definition.tenantId);
  const scheduled = { id: definition.id, tenantId: definition.tenantId, name: definition.name, schedule, paused: definition.paused };
  await deps.temporal.call('rpc', (client) => ensureReportSchedule(client, deps.config.temporal.taskQueue, scheduled, timeZone));
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
  const scheduled = row.schedule !== null;
  if (scheduled) await assertScheduleRoom(tenantId);
  if (scheduled) await syncSchedule(deps, row);
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
  // A pause or resume someone asked for replaces the reason of a pause nobody asked for.
  const pausedReason = change.paused === undefined ? {} : { pausedReason: null };
  let mailLinks = () => undefined as void;
  const updated = await updateAudited(
    deps,
    'report_definition',
    row,
    { ...change, ...parameters, ...recipients, ...pausedReason, updatedById: caller.id },
    async (changed, transaction) => {
      if (newlyScheduled) await assertScheduleRoom(row.tenantId, transaction, row.id);
      if (change.recipients !== undefined) mailLinks = await linkRecipients(changed, caller.id, transaction, deps);
    },
  );
  mailLinks();
  // A change of recipients or parameters is read at the next run; a definition never scheduled has no schedule.
  if (touchesSchedule(change) && (wasScheduled || updated.schedule !== null)) await syncSchedule(deps, updated);
  return updated;
};

export const deleteReportDefinition: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const row = await findVisible(caller, reportDefinitionAccess, id);
  await destroyAudited(deps, 'report_definition', row);
  if (row.schedule === null) return;
  await deps.temporal
    .call('rpc', (client) => removeReportSchedule(client, row.id))
    .catch((err: unknown) => {
      // The definition is gone, which is what was asked: its schedule finds no row at its next run and removes itself.
      deps.logger.warn({ err, definitionId: row.id }, 'report schedule not deleted; it removes itself at its next run');
    });
};

/** After the tenant's time zone changed: every scheduled definition's Schedule reads its cron expression in the new one. */
export async function rescheduleTenantReports(tenantId: string, deps: CommandDeps): Promise<void> {
  const scheduled = await ReportDefinition.findAll({ where: { tenantId, schedule: { [Op.ne]: null } } });
  for (const definition of scheduled) await syncSchedule(deps, definition);
}
