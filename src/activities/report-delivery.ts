/**
 * A scheduled report's delivery (docs/reports.md, Scheduled delivery): builds the definition's CSV
 * and e-mails it to its recipients through the notification path, under the key of the run's
 * scheduled time, so a retried activity or a repeated run of the same time sends it once.
 *
 * The definition in PostgreSQL has the last word over its schedule: a run whose definition is gone
 * removes the schedule (its deletion did not reach Temporal), and one that is paused or no longer
 * scheduled sends nothing, whatever the schedule in Temporal still says. A run whose owner may no
 * longer own the definition sends nothing and pauses it. The report goes only to the addresses
 * that may receive it (src/domain/reports/recipient-links.ts); every delivery is audited with who it
 * was sent for, what, to whom, whom it skipped and how many rows it carried.
 */
import { ReportDefinition, User } from '../models';
import type { ScheduledReportInput, ScheduledReportOutcome } from '../contracts/scheduled-report';
import { recordAudit } from '../domain/audit/record';
import { ownerMayOwn, pauseDefinitionsOwnedBy } from '../domain/reports/owner-eligibility';
import { mayReceive, recipientStatesOf } from '../domain/reports/recipient-links';
import { ensureDefinitionSchedule, removeReportSchedule } from '../services/report-schedules';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps, ReportDeliveryDeps } from './deps';
import { createNotificationActivities } from './notifications';

export interface DeliverScheduledReportInput extends ScheduledReportInput {
  /** The run's workflow ID: the schedule's ID and the scheduled time. */
  idempotencyKey: string;
}

export function createReportDeliveryActivities(deps: ActivityDeps & ReportDeliveryDeps) {
  const { sendEmail } = createNotificationActivities(deps);

  /** Brings the schedule in line with a paused definition: the pause did not reach Temporal, or was made here. */
  async function pauseSchedule(definition: ReportDefinition, schedule: string): Promise<void> {
    await ensureDefinitionSchedule({ ...definition.get(), schedule, paused: true }, deps.taskQueue, (rpc) => rpc(deps.temporal));
  }

  /** Pauses the definition (and every other of its owner's) with its audit event, once per scheduled time. */
  async function pauseOwnerless(definition: ReportDefinition, idempotencyKey: string): Promise<void> {
    await deps.sequelize.transaction(async (transaction) => {
      const owner = await User.findByPk(definition.ownerId, { lock: transaction.LOCK.UPDATE, transaction });
      await pauseDefinitionsOwnedBy(definition.ownerId, owner, workflowAuditSource(), transaction, idempotencyKey);
    });
  }

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
        await pauseSchedule(definition, schedule);
        return 'paused';
      }
      if (!(await ownerMayOwn(definition))) {
        // The user change that took the owner's authority should have paused it; it pauses now, and nothing is sent.
        await pauseOwnerless(definition, input.idempotencyKey);
        await pauseSchedule(definition, schedule);
        return 'owner_ineligible';
      }

      const recipients = await recipientStatesOf(definition);
      const to = recipients.filter(mayReceive).map((r) => r.email);
      let outcome: ScheduledReportOutcome = 'no_recipients';
      let rowCount: number | null = null;
      if (to.length > 0) {
        const report = await deps.savedReportCsv(definition, new Date());
        rowCount = report.rowCount;
        const result = await sendEmail({
          idempotencyKey: `${input.idempotencyKey}:report-email`,
          tenantId: definition.tenantId,
          to: { emails: to },
          template: { type: 'reportDelivery', values: { reportName: definition.name, kind: definition.kind, fileName: report.fileName } },
          attachments: [{ filename: report.fileName, content: report.csv, contentType: 'text/csv; charset=utf-8' }],
        });
        outcome = result.status;
      }
      await deps.sequelize.transaction((transaction) =>
        recordAudit(
          // Who: the owner, on whose authority the report is sent, through this run.
          workflowAuditSource(definition.ownerId),
          {
            tenantId: definition.tenantId,
            action: 'report_definition.deliver',
            entityType: 'report_definition',
            entityId: definition.id,
            after: {
              name: definition.name,
              kind: definition.kind,
              recipients: to,
              skipped: recipients.filter((r) => !mayReceive(r)),
              rowCount,
              outcome,
            },
            dedupeKey: `${input.idempotencyKey}:delivery`,
          },
          transaction,
        ),
      );
      return outcome;
    },
  };
}
