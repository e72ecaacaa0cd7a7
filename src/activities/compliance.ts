/**
 * Activities of the policy rollout and of each acknowledgement run. Every write is idempotent
 * (unique rows, conditional updates, notification keys `${workflowId}:<purpose>`), so Temporal may
 * retry any of them.
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Op, type Transaction } from 'sequelize';
import {
  acknowledgementRun,
  type AcknowledgementEvidence,
  AcknowledgementWorkflow,
  OPEN_ACKNOWLEDGEMENT_STATUSES,
  openingAcknowledgementInput,
  versionRetiredSignal,
} from '../contracts/acknowledgement';
import { Acknowledgement, CompliancePolicy, EscalationAlert, PolicyVersion, TenantSettings, User } from '../models';
import { audienceWhere } from '../domain/compliance/audience-rule';
import { escalationManagerOf, escalationRecipients } from '../domain/compliance/recipients';
import type { AlertChannel } from '../models/escalation-alert';
import { escalations } from '../observability/business-metrics';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { failureCategory } from '../services/webhook';
import { recordWebhookEvent, type WebhookEventType } from '../domain/webhooks/events';
import { workflowStartOptions } from '../services/workflow-start';
import type { ActivityDeps } from './deps';
import { createNotificationActivities, NotificationResult } from './notifications';
import { changeGuarded } from './guarded-change';
import { acknowledgementEmail, acknowledgementLink } from './acknowledgement-reminder';
import { atMostInFlight } from './at-most-in-flight';
import { acknowledgementDueAt } from '../domain/compliance/acknowledgement-times';
import { actionUrlsOf } from '../domain/tenant-settings/action-urls';
import { personalValue } from '../shared/personal-data';

export interface RolloutBatchInput {
  tenantId: string;
  versionId: string;
  afterEmployeeId: string | null;
  limit: number;
  /** The attestation cycle rolled out; absent: 1, the publication. */
  cycle?: number;
}

export interface RolloutBatchResult {
  acknowledgements: number;
  runsStarted: number;
  lastId: string | null;
  done: boolean;
}

export interface RetiredRunsBatchInput {
  versionIds: string[];
  afterAcknowledgementId: string | null;
  limit: number;
}

export interface RetiredRunsBatchResult {
  signalled: number;
  lastId: string | null;
  done: boolean;
}

export interface AcknowledgementStep {
  acknowledgementId: string;
  workflowId: string;
}

/**
 * Starts (or retirement signals) a batch keeps in flight. Every tenant's calls share one Temporal
 * server: with 50 in flight another tenant's start queued behind the rollout's (its API p95
 * 3.6–5.8 × idle), with 12 1.65–2.13 ×, while the rollout started its runs 0.60–1.02 × as fast
 * (docs/performance.md, Rollout growth).
 */
export const START_CONCURRENCY = 12;

/**
 * Records an acknowledgement's webhook event in the transaction of its change: its subject and the
 * IDs every such event carries, then what the event adds; `change` names the change in the event's
 * dedupe key, so a retried activity records it once.
 */
function recordAcknowledgementEvent(
  ack: Acknowledgement,
  event: { type: WebhookEventType; change: string; data: Record<string, unknown>; time: Date },
  transaction: Transaction,
): Promise<void> {
  return recordWebhookEvent(
    {
      tenantId: ack.tenantId,
      type: event.type,
      subject: `acknowledgements/${ack.id}`,
      data: { acknowledgementId: ack.id, employeeId: ack.employeeId, versionId: ack.versionId, ...event.data },
      time: event.time,
      dedupeKey: `acknowledgement:${ack.id}:${event.change}`,
    },
    transaction,
  );
}

export function createComplianceActivities(deps: ActivityDeps) {
  const notifications = createNotificationActivities(deps);

  /** Tells an acknowledgement run its version is retired; false when there is no open run to tell. */
  async function signalRetired(workflowId: string): Promise<boolean> {
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(versionRetiredSignal);
      return true;
    } catch (err) {
      // The run closed meanwhile (acknowledged just now), or its start is still to come (and the
      // run checks the version as it opens): nothing to end now.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return false;
    }
  }

  async function loadAcknowledgement(id: string) {
    const ack = await Acknowledgement.findByPk(id, {
      include: [
        { model: User, as: 'employee' },
        { model: PolicyVersion, as: 'version', include: [{ model: CompliancePolicy, as: 'policy' }] },
      ],
    });
    if (!ack) throw businessFailure(BusinessErrorType.NotFound, `acknowledgement ${id} not found`);
    const employee = (ack as Acknowledgement & { employee: User }).employee;
    const version = (ack as Acknowledgement & { version: PolicyVersion & { policy: CompliancePolicy } }).version;
    const isClosed = !OPEN_ACKNOWLEDGEMENT_STATUSES.includes(ack.status);
    return {
      ack,
      employee,
      version,
      policy: version.policy,
      isClosed,
    };
  }

  /** Records one alert (once per acknowledgement, level and channel) and the outcome of sending it. */
  async function recordAlert(
    ack: Acknowledgement,
    level: number,
    channel: AlertChannel,
    send: () => Promise<NotificationResult>,
  ): Promise<EscalationAlert> {
    await EscalationAlert.bulkCreate([{ tenantId: ack.tenantId, acknowledgementId: ack.id, level, channel }], { ignoreDuplicates: true });
    const alert = await EscalationAlert.findOne({ where: { acknowledgementId: ack.id, level, channel } });
    if (!alert) throw new Error(`escalation alert of ${ack.id} level ${level} ${channel} vanished`);
    let result: NotificationResult;
    try {
      result = await send();
    } catch (err) {
      await alert.update({ deliveryStatus: 'failed', lastError: failureCategory(err) });
      throw err;
    }
    const deliveryStatus = result.status === 'already_sent' ? 'sent' : result.status;
    return alert.update({
      recipients: result.recipients,
      deliveryStatus,
      lastError: null,
      sentAt: alert.sentAt ?? (deliveryStatus === 'sent' ? new Date() : null),
    });
  }

  return {
    /**
     * Creates the acknowledgements of the next `limit` employees of the audience (ordered by id,
     * after the cursor), commits them, then starts their runs — never inside the transaction, so
     * no run exists for a row that was rolled back. Each run opens itself (`openAcknowledgement`):
     * it ends as superseded when a newer publication retired the version before it started (that
     * rollout's signal found no run yet), as exempt when its employee left the audience meanwhile,
     * and otherwise sends the notice.
     */
    async createAcknowledgementBatch(input: RolloutBatchInput): Promise<RolloutBatchResult> {
      const settings = await TenantSettings.forTenant(input.tenantId);
      const batch = await deps.sequelize.transaction(async (transaction) => {
        const version = await PolicyVersion.findOne({ where: { id: input.versionId, tenantId: input.tenantId }, transaction });
        if (!version) throw businessFailure(BusinessErrorType.NotFound, `policy version ${input.versionId} not found`);
        if (version.status !== 'published' || !version.dueAt) return null;
        const cycle = input.cycle ?? 1;
        // A later cycle has begun (or this one has not): this batch's cycle rolls out no more.
        if (version.cycle !== cycle) return null;
        // The cycle's due date: publication fixed the first; a later one counts from its start.
        const dueAt =
          version.cycle === 1 || !version.cycleStartedAt
            ? version.dueAt
            : await acknowledgementDueAt(version.tenantId, version.cycleStartedAt, version.deadlineDays, settings);

        const employees = await User.findAll({
          where: {
            ...audienceWhere(version),
            ...(input.afterEmployeeId && { id: { [Op.gt]: input.afterEmployeeId } }),
          },
          attributes: ['id'],
          order: [['id', 'ASC']],
          limit: input.limit,
          transaction,
        });
        const employeeIds = employees.map((e) => e.id);
        const rows = employeeIds.map((employeeId) => {
          const id = crypto.randomUUID();
          return {
            id,
            tenantId: input.tenantId,
            versionId: version.id,
            employeeId,
            cycle,
            dueAt,
            workflowId: acknowledgementRun.id(id, 1, cycle),
          };
        });
        // A retried batch keeps the rows (and ids) of its first attempt.
        await Acknowledgement.bulkCreate(rows, { ignoreDuplicates: true, transaction });
        const acknowledgements = await Acknowledgement.findAll({
          where: { versionId: version.id, cycle, employeeId: { [Op.in]: employeeIds } },
          transaction,
        });
        return { version, employeeIds, acknowledgements };
      });
      if (!batch) return { acknowledgements: 0, runsStarted: 0, lastId: input.afterEmployeeId, done: true };
      const { version, employeeIds, acknowledgements } = batch;

      const pending = acknowledgements.filter((a) => a.status === 'pending');
      let runsStarted = 0;
      await atMostInFlight(pending, START_CONCURRENCY, async (ack) => {
        try {
          // A retried batch finds the run it started before: running → reused, closed → kept closed.
          // On the bulk queue: the run and its activities (which follow the run's queue) wait
          // their turn there, behind no interactive work and ahead of none.
          await deps.temporal.workflow.start<AcknowledgementWorkflow>(acknowledgementRun.type, {
            ...workflowStartOptions(deps.bulkTaskQueue, {
              workflowId: ack.workflowId!,
              tenantId: ack.tenantId,
              status: 'pending',
              summary: `Acknowledgement of policy version ${version.versionNumber}${ack.cycle > 1 ? ` (cycle ${ack.cycle})` : ''} by employee ${ack.employeeId}`,
              // The row's own: one who joined the audience meanwhile got a deadline from that moment.
              dueAt: ack.dueAt,
            }),
            // The run checks the audience and sends the notice itself, on the bulk queue, so this
            // batch only writes rows and starts runs (see the contract's `joined`).
            args: [openingAcknowledgementInput(ack, settings)],
          });
          runsStarted += 1;
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      });
      return {
        acknowledgements: acknowledgements.length,
        runsStarted,
        lastId: employeeIds.at(-1) ?? input.afterEmployeeId,
        done: employeeIds.length < input.limit,
      };
    },

    /** Signals `versionRetired` to the next `limit` open acknowledgement runs of the retired versions. */
    async endRetiredAcknowledgementRuns(input: RetiredRunsBatchInput): Promise<RetiredRunsBatchResult> {
      const open = await Acknowledgement.findAll({
        where: {
          versionId: { [Op.in]: input.versionIds },
          status: { [Op.in]: OPEN_ACKNOWLEDGEMENT_STATUSES },
          ...(input.afterAcknowledgementId && { id: { [Op.gt]: input.afterAcknowledgementId } }),
        },
        attributes: ['id', 'workflowId'],
        order: [['id', 'ASC']],
        limit: input.limit,
      });
      let signalled = 0;
      await atMostInFlight(open, START_CONCURRENCY, async (ack) => {
        if (await signalRetired(ack.workflowId!)) signalled += 1;
      });
      return { signalled, lastId: open.at(-1)?.id ?? input.afterAcknowledgementId, done: open.length < input.limit };
    },

    async remindEmployee(step: AcknowledgementStep): Promise<void> {
      const { ack, employee, version, policy, isClosed } = await loadAcknowledgement(step.acknowledgementId);
      if (isClosed) return;
      await notifications.sendEmail({
        idempotencyKey: `${step.workflowId}:reminder`,
        tenantId: ack.tenantId,
        to: { userIds: [employee.id] },
        ...acknowledgementEmail('acknowledgementReminder', {
          employeeName: employee.fullName,
          policy: { title: policy.title, versionNumber: version.versionNumber },
          dueAt: ack.dueAt,
          content: version.content,
          // The notice's link: signed for the row's creation, as the notice was.
          link: acknowledgementLink(deps, ack, ack.createdAt, await actionUrlsOf(ack.tenantId)),
        }),
      });
      await Acknowledgement.update({ remindersSent: 1 }, { where: { id: ack.id, remindersSent: 0 } });
    },

    /**
     * Level 1: the employee's manager (the compliance officers when there is none) is told the
     * acknowledgement is overdue. Level 2: every compliance officer is told it is still missing
     * after the grace period.
     */
    async escalateOverdueAcknowledgement(step: AcknowledgementStep & { level: 1 | 2 }): Promise<void> {
      const { ack, employee, version, policy, isClosed } = await loadAcknowledgement(step.acknowledgementId);
      if (isClosed) return;
      const escalated = await changeGuarded(
        deps.sequelize,
        Acknowledgement,
        { id: ack.id, status: { [Op.in]: OPEN_ACKNOWLEDGEMENT_STATUSES }, escalationLevel: { [Op.lt]: step.level } },
        { status: step.level === 1 ? 'overdue' : 'escalated', escalationLevel: step.level },
        {
          action: 'acknowledgement.escalate',
          entityType: 'acknowledgement',
          actorId: null,
          dedupeKey: `${ack.id}:escalation-${step.level}`,
        },
        (changed, transaction) =>
          recordAcknowledgementEvent(
            changed,
            {
              type: 'acknowledgement.escalated',
              change: `escalation-${step.level}`,
              data: { level: step.level, status: changed.status, dueAt: new Date(changed.dueAt).toISOString() },
              time: new Date(),
            },
            transaction,
          ),
      );
      // Counted by the attempt that changed the row, so a retried activity does not count twice.
      if (escalated) escalations.inc({ level: String(step.level) });
      const manager = await escalationManagerOf(employee);
      const to = escalationRecipients(step.level, manager);
      await recordAlert(ack, step.level, 'email', () =>
        notifications.sendEmail({
          idempotencyKey: `${step.workflowId}:escalation-${step.level}:email`,
          tenantId: ack.tenantId,
          to,
          template: {
            type: step.level === 1 ? 'acknowledgementOverdue' : 'acknowledgementEscalated',
            values: {
              fullName: employee.fullName,
              email: employee.email,
              title: policy.title,
              versionNumber: version.versionNumber,
              dueAt: ack.dueAt,
            },
          },
        }),
      );
    },

    /** Level 2 on the tenant's compliance webhook (HMAC-signed by sendTenantWebhook). */
    async alertComplianceWebhook(step: AcknowledgementStep): Promise<void> {
      const { ack, employee, version, policy, isClosed } = await loadAcknowledgement(step.acknowledgementId);
      if (isClosed) return;
      await recordAlert(ack, 2, 'webhook', () =>
        notifications.sendTenantWebhook({
          idempotencyKey: `${step.workflowId}:escalation-2:webhook`,
          tenantId: ack.tenantId,
          event: 'acknowledgement.escalated',
          data: {
            acknowledgementId: ack.id,
            escalationLevel: 2,
            dueAt: ack.dueAt.toISOString(),
            policy: { id: policy.id, title: policy.title },
            version: { id: version.id, versionNumber: version.versionNumber },
            employee: { id: employee.id, email: employee.email, fullName: employee.fullName, managerId: employee.managerId },
          },
        }),
      );
    },

    async recordAcknowledgement(input: {
      acknowledgementId: string;
      acknowledgedAt: string;
      evidence?: AcknowledgementEvidence;
    }): Promise<void> {
      // Only the employee may acknowledge (the run's validator says so): they are the actor.
      const ack = await Acknowledgement.findByPk(input.acknowledgementId, { attributes: ['employeeId', 'status'] });
      await changeGuarded(
        deps.sequelize,
        Acknowledgement,
        { id: input.acknowledgementId, status: { [Op.in]: OPEN_ACKNOWLEDGEMENT_STATUSES } },
        {
          status: 'acknowledged',
          acknowledgedAt: new Date(input.acknowledgedAt),
          // The row keeps the name in clear; a run replayed after erasure hands the erased marker: no name.
          ...(input.evidence && { ...input.evidence, typedName: personalValue(input.evidence.typedName) }),
        },
        {
          action: 'acknowledgement.acknowledge',
          entityType: 'acknowledgement',
          actorId: ack?.employeeId ?? null,
          dedupeKey: `${input.acknowledgementId}:acknowledged`,
        },
        (changed, transaction) =>
          recordAcknowledgementEvent(
            changed,
            {
              type: 'acknowledgement.acknowledged',
              change: 'acknowledged',
              data: { acknowledgedAt: input.acknowledgedAt, wasStatus: ack?.status ?? 'pending' },
              time: new Date(input.acknowledgedAt),
            },
            transaction,
          ),
      );
    },

    async recordAcknowledgementSuperseded(step: AcknowledgementStep): Promise<void> {
      await changeGuarded(
        deps.sequelize,
        Acknowledgement,
        { id: step.acknowledgementId, status: { [Op.in]: OPEN_ACKNOWLEDGEMENT_STATUSES } },
        { status: 'superseded' },
        {
          action: 'acknowledgement.supersede',
          entityType: 'acknowledgement',
          actorId: null,
          dedupeKey: `${step.acknowledgementId}:superseded`,
        },
      );
    },
  };
}
