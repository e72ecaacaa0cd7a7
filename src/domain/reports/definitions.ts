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
 */
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { ReportDefinition, TenantSettings } from '../../models';
import { findVisible, tenantOf } from '../../policies/core';
import { assertMaySave, reportDefinitionPolicy } from '../../policies/reports';
import { ensureReportSchedule, removeReportSchedule } from '../../services/report-schedules';
import { cronProblem } from '../../shared/cron';
import { idFromRequest } from '../../shared/deterministic-id';
import { unprocessable } from '../../shared/errors';
import { createAudited, destroyAudited, updateAudited } from '../audited';
import type { Command, CommandDeps } from '../command';
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
    createdById: caller.id,
    updatedById: caller.id,
  });
  if (row.schedule !== null) await syncSchedule(deps, row);
  try {
    return await createAudited(deps, 'report_definition', tenantId, (transaction) => row.save({ transaction }));
  } catch (err) {
    // Best effort: a schedule left behind finds no row at its first run and removes itself.
    if (row.schedule !== null) await deps.temporal.call('rpc', (client) => removeReportSchedule(client, row.id)).catch(() => undefined);
    throw err;
  }
};

export const updateReportDefinition: Command<{ id: string; change: DefinitionChange }, ReportDefinition> = async (
  caller,
  { id, change },
  deps,
) => {
  const row = await findVisible(caller, reportDefinitionPolicy, id);
  checkSchedule(change.schedule);
  const wasScheduled = row.schedule !== null;
  const parameters = change.parameters === undefined ? {} : { parameters: checkedParameters(row.kind, change.parameters) };
  const recipients = change.recipients === undefined ? {} : { recipients: distinct(change.recipients) };
  const updated = await updateAudited(deps, 'report_definition', row, { ...change, ...parameters, ...recipients, updatedById: caller.id });
  // A definition that neither had nor has a schedule has nothing in Temporal to bring in line.
  if (wasScheduled || updated.schedule !== null) await syncSchedule(deps, updated);
  return updated;
};

export const deleteReportDefinition: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const row = await findVisible(caller, reportDefinitionPolicy, id);
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
