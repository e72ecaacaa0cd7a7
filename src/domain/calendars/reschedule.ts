/**
 * A calendar change moves the open deadlines that count in it (docs/calendars.md, A calendar
 * changes). In the change's transaction, the runs that may depend on the calendar are fixed as
 * the items of a bulk operation (`calendar_reschedule`), audited, and the start of its run
 * `calendar-reschedule-<id>` is written to the outbox; the run asks each to recompute (its
 * activity, src/activities/calendar-reschedule.ts). A run counting in calendar time answers
 * unchanged, so the items are every run that could count in this calendar:
 *
 * - claims in a stage with deadlines, filed under a plan that names the calendar, or under a plan
 *   that names none while the calendar is (or was, before this change) the tenant's default;
 * - open acknowledgements not yet escalated to the compliance team, when it is or was the default.
 *
 * A plan that comes to name another calendar (or none) reschedules its open claims the same way.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import {
  type CalendarRescheduleParameters,
  calendarRescheduleRun,
  type CalendarRescheduleWorkflow,
} from '../../contracts/calendar-reschedule';
import type { BusinessCalendar, Plan } from '../../models';
import type { OutboxMessage } from '../../models/outbox-message';
import { recordBulkOperation } from '../operations/bulk-operations';
import type { CommandDeps } from '../command';

/** The stages whose runs keep deadlines (src/workflows/claim/deadlines.ts). */
const STAGES_WITH_DEADLINES = ['reported', 'documents_requested', 'waiting_approval'];

export interface Rescheduling {
  operationId: string;
  /** Runs asked to recompute their deadlines. */
  runs: number;
}

/** A reschedule written with a calendar change: what it covers, and its start to deliver after the commit. */
export interface Reschedule {
  rescheduling: Rescheduling;
  start: OutboxMessage;
}

/** What one reschedule covers: its tenant, what it records as asked, its summary and the SQL that lists its runs. */
interface RunsToReschedule {
  tenantId: string;
  parameters: CalendarRescheduleParameters;
  summary: (runs: number) => string;
  /** Selects `id, item_type` of every run it covers; named replacements as in `replacements`. */
  runsSql: string;
  replacements: Record<string, unknown>;
}

/**
 * Fixes the runs as the operation's items and writes the start of their reschedule; answers it,
 * with the outbox message to deliver after the commit, or null when no run is open.
 */
async function writeReschedule(
  deps: Pick<CommandDeps, 'sequelize' | 'outbox' | 'auditSource'>,
  { tenantId, parameters, summary, runsSql, replacements }: RunsToReschedule,
  transaction: Transaction,
): Promise<Reschedule | null> {
  const [{ any }] = await deps.sequelize.query<{ any: boolean }>(`SELECT EXISTS (${runsSql}) AS any`, {
    replacements: { ...replacements, tenantId },
    transaction,
    type: QueryTypes.SELECT,
  });
  if (!any) return null;
  const operationId = crypto.randomUUID();
  const recorded = await recordBulkOperation<CalendarRescheduleWorkflow>(
    deps,
    {
      id: operationId,
      tenantId,
      kind: 'calendar_reschedule',
      requestedById: deps.auditSource.actor.id!,
      parameters,
      workflowId: calendarRescheduleRun.id(operationId),
      items: { sql: runsSql, replacements: { ...replacements, tenantId }, orderBy: 'item_type DESC, id' },
      audit: (runs) => ({ ...parameters, runs }),
      start: (runs) => ({
        workflowType: calendarRescheduleRun.type,
        args: [{ tenantId, operationId }],
        tenantId,
        status: 'rescheduling',
        summary: summary(runs),
      }),
    },
    transaction,
  );
  const start = await deps.outbox.enqueueStart<CalendarRescheduleWorkflow>(recorded.workflowId, recorded.start, transaction);
  return { rescheduling: { operationId, runs: recorded.items }, start };
}

/** Delivers the start of a reschedule written with a change, after its commit; answers what it reschedules. */
export async function startReschedule(deps: Pick<CommandDeps, 'outbox'>, reschedule: Reschedule | null): Promise<Rescheduling | null> {
  if (!reschedule) return null;
  await deps.outbox.deliver(reschedule.start);
  return reschedule.rescheduling;
}

/** The open claims of the tenant whose stage keeps deadlines, with their plan as `p`. */
const OPEN_CLAIMS_SQL = `SELECT c.id, 'claim' AS item_type FROM claims c
   JOIN subscriptions s ON s.id = c.subscription_id
   JOIN plans p ON p.id = s.plan_id
  WHERE c.tenant_id = :tenantId AND c.status IN (:stages)`;

/** Fixes the runs that may count in `calendar` and writes the start of their reschedule (null: none is open). */
export function rescheduleOpenDeadlines(
  deps: Pick<CommandDeps, 'sequelize' | 'outbox' | 'auditSource'>,
  calendar: BusinessCalendar,
  wasDefault: boolean,
  change: string,
  transaction: Transaction,
): Promise<Reschedule | null> {
  return writeReschedule(
    deps,
    {
      tenantId: calendar.tenantId,
      parameters: { calendarId: calendar.id, change },
      summary: (runs) => `Move the open deadlines of ${runs} runs after a change to calendar ${calendar.name}`,
      runsSql: `${OPEN_CLAIMS_SQL} AND (p.calendar_id = :calendarId OR (p.calendar_id IS NULL AND :isOrWasDefault))
                UNION ALL
                SELECT a.id, 'acknowledgement' FROM acknowledgements a
                 WHERE a.tenant_id = :tenantId AND a.status IN ('pending', 'overdue') AND :isOrWasDefault`,
      replacements: { stages: STAGES_WITH_DEADLINES, calendarId: calendar.id, isOrWasDefault: calendar.isDefault || wasDefault },
    },
    transaction,
  );
}

/** A plan that names another calendar (or none): its open claims count their deadlines anew. */
export function rescheduleClaimsOfPlan(
  deps: Pick<CommandDeps, 'sequelize' | 'outbox' | 'auditSource'>,
  plan: Plan,
  transaction: Transaction,
): Promise<Reschedule | null> {
  return writeReschedule(
    deps,
    {
      tenantId: plan.tenantId,
      parameters: { calendarId: plan.calendarId, change: 'plan.update', planId: plan.id },
      summary: (runs) => `Move the open deadlines of ${runs} claims of plan ${plan.name}, which names another calendar`,
      runsSql: `${OPEN_CLAIMS_SQL} AND p.id = :planId`,
      replacements: { stages: STAGES_WITH_DEADLINES, planId: plan.id },
    },
    transaction,
  );
}
