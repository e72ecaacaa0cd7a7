/**
 * A scheduled report's delivery (docs/reports.md, Scheduled delivery): builds the definition's CSV
 * and e-mails it to its recipients through the notification path, under the key of the run's
 * scheduled time, so a retried activity or a repeated run of the same time sends it once.
 *
 * The definition in PostgreSQL has the last word over its schedule: a run whose definition is gone
 * removes the schedule (its deletion did not reach Temporal), and one that is paused or no longer
 * scheduled sends nothing, whatever the schedule in Temporal still says.
 */
import { ReportDefinition, TenantSettings } from '../models';
import type { ScheduledReportInput, ScheduledReportOutcome } from '../contracts/scheduled-report';
import { ensureReportSchedule, removeReportSchedule } from '../services/report-schedules';
import type { ActivityDeps, ReportDeliveryDeps } from './deps';
import { createNotificationActivities } from './notifications';

export interface DeliverScheduledReportInput extends ScheduledReportInput {
  /** The run's workflow ID: the schedule's ID and the scheduled time. */
  idempotencyKey: string;
}

export function createReportDeliveryActivities(deps: ActivityDeps & ReportDeliveryDeps) {
  const { sendEmail } = createNotificationActivities(deps);
  return {
    async deliverScheduledReport(input: DeliverScheduledReportInput): Promise<ScheduledReportOutcome> {
      const definition = await ReportDefinition.findOne({ where: { id: input.definitionId, tenantId: input.tenantId } });
      if (!definition) {
        await removeReportSchedule(deps.temporal, input.definitionId);
        return 'definition_gone';
      }
      const { schedule } = definition;
      if (schedule === null) {
        await removeReportSchedule(deps.temporal, definition.id);
        return 'unscheduled';
      }
      if (definition.paused) {
        // The pause did not reach Temporal when the definition was paused: it does now.
        const { timeZone } = await TenantSettings.forTenant(definition.tenantId);
        await ensureReportSchedule(deps.temporal, deps.taskQueue, { ...definition.get(), schedule }, timeZone);
        return 'paused';
      }
      const { fileName, csv } = await deps.savedReportCsv(definition, new Date());
      const result = await sendEmail({
        idempotencyKey: `${input.idempotencyKey}:report-email`,
        tenantId: definition.tenantId,
        to: { emails: definition.recipients },
        subject: `Report: ${definition.name}`,
        text: `The report "${definition.name}" (${definition.kind}) is attached as ${fileName}.\n\nIt is sent by a saved report of Insurflow; a user who may see its report can change its recipients or schedule, pause or delete it.`,
        attachments: [{ filename: fileName, content: csv, contentType: 'text/csv; charset=utf-8' }],
      });
      return result.status;
    },
  };
}
