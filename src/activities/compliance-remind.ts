/**
 * The batches of a "remind now" (`compliance-remind-<remindId>`): each reminds the next recipients
 * still marked pending. The reminder is the one an acknowledgement's own run sends, recorded under
 * the key `compliance-remind-<remindId>:<acknowledgementId>`, and the recipient row is marked only
 * after it went out: a retried batch finds the unmarked rows again and the notification record
 * keeps each e-mail to one delivery.
 */
import { Op } from 'sequelize';
import { OPEN_ACKNOWLEDGEMENT_STATUSES } from '../contracts/acknowledgement';
import { complianceRemindRun } from '../contracts/compliance-remind';
import { Acknowledgement, CompliancePolicy, ComplianceRemind, ComplianceRemindRecipient, PolicyVersion, User } from '../models';
import type { ActivityDeps } from './deps';
import { actionUrlsOf } from '../domain/tenant-settings/action-urls';
import { acknowledgementEmail, acknowledgementLink } from './acknowledgement-reminder';
import { atMostInFlight } from './at-most-in-flight';
import { createNotificationActivities } from './notifications';

export interface RemindBatchInput {
  remindId: string;
  limit: number;
}

export interface RemindBatchResult {
  sent: number;
  skipped: number;
  /** No recipient is left pending. */
  done: boolean;
}

/** E-mails in flight at once: each is its own SMTP session and three short statements. */
const SEND_CONCURRENCY = 25;

type LoadedAcknowledgement = Acknowledgement & { employee: User; version: PolicyVersion & { policy: CompliancePolicy } };

export function createComplianceRemindActivities(deps: ActivityDeps) {
  const notifications = createNotificationActivities(deps);

  return {
    async remindBatch(input: RemindBatchInput): Promise<RemindBatchResult> {
      const remind = await ComplianceRemind.findByPk(input.remindId, { attributes: ['id', 'tenantId', 'createdAt'], rejectOnEmpty: true });
      const recipients = await ComplianceRemindRecipient.findAll({
        where: { remindId: input.remindId, status: 'pending' },
        attributes: ['acknowledgementId'],
        order: [['acknowledgementId', 'ASC']],
        limit: input.limit,
      });
      const acknowledgements = (await Acknowledgement.findAll({
        where: { id: { [Op.in]: recipients.map((r) => r.acknowledgementId) } },
        include: [
          { model: User, as: 'employee' },
          { model: PolicyVersion, as: 'version', include: [{ model: CompliancePolicy, as: 'policy' }] },
        ],
      })) as LoadedAcknowledgement[];
      const workflowId = complianceRemindRun.id(input.remindId);
      // A remind is one tenant's: its link templates are read once per batch.
      const urls = acknowledgements.length ? await actionUrlsOf(remind.tenantId) : null;
      let sent = 0;
      await atMostInFlight(acknowledgements, SEND_CONCURRENCY, async (ack) => {
        // Closed since the remind was asked (acknowledged, superseded…): nothing to remind.
        const open = OPEN_ACKNOWLEDGEMENT_STATUSES.includes(ack.status);
        if (open) {
          await notifications.sendEmail({
            idempotencyKey: `${workflowId}:${ack.id}`,
            tenantId: ack.tenantId,
            to: { userIds: [ack.employeeId] },
            ...acknowledgementEmail('acknowledgementReminder', {
              employeeName: ack.employee.fullName,
              policy: { title: ack.version.policy.title, versionNumber: ack.version.versionNumber },
              dueAt: ack.dueAt,
              content: ack.version.content,
              // Signed for the remind's creation: a remind after the due date carries a link that works again.
              link: acknowledgementLink(deps, ack, remind.createdAt, urls),
            }),
          });
          sent += 1;
        }
        await ComplianceRemindRecipient.update(
          { status: open ? 'sent' : 'skipped', handledAt: new Date() },
          { where: { remindId: input.remindId, acknowledgementId: ack.id, status: 'pending' } },
        );
      });
      return { sent, skipped: acknowledgements.length - sent, done: recipients.length < input.limit };
    },
  };
}
