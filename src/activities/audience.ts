/**
 * The acknowledgement run's side of the audience sync (docs/compliance.md, Audience): a run that
 * opens itself (a rollout's, or one started for someone who joined the audience) checks, as it
 * starts, that the employee is still in it and e-mails them the notice of the new policy; on
 * `audienceChanged` any run checks, and ends as exempt when its employee left.
 * The check locks the user's row first, as the sync of a user's change does
 * (src/domain/compliance/audience.ts), so a change and a check never cross: whichever comes second
 * sees the other's result.
 */
import { type AcknowledgementOpening, OPEN_ACKNOWLEDGEMENT_STATUSES } from '../contracts/acknowledgement';
import { Acknowledgement, CompliancePolicy, PolicyVersion, User } from '../models';
import { isInAudience } from '../models/audience';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { recordAudit } from '../services/audit';
import { workflowAuditSource } from './audit-source';
import type { AcknowledgementStep } from './compliance';
import type { ActivityDeps } from './deps';
import { createPolicyNotices } from './policy-notice';

export function createAudienceActivities(deps: ActivityDeps) {
  const notices = createPolicyNotices(deps);

  /** Records the acknowledgement as exempt when its employee left the audience; answers whether it is exempt. */
  async function exemptIfOutOfAudience(step: AcknowledgementStep): Promise<boolean> {
    return deps.sequelize.transaction(async (transaction) => {
      const found = await Acknowledgement.findByPk(step.acknowledgementId, { attributes: ['employeeId'], transaction });
      if (!found) throw businessFailure(BusinessErrorType.NotFound, `acknowledgement ${step.acknowledgementId} not found`);
      const employee = await User.findByPk(found.employeeId, { lock: transaction.LOCK.UPDATE, transaction });
      const ack = (await Acknowledgement.findByPk(step.acknowledgementId, { lock: transaction.LOCK.UPDATE, transaction }))!;
      // A row reopened under a later run is that run's business, never this one's.
      if (ack.workflowId !== step.workflowId) return false;
      if (ack.status === 'exempt') return true;
      if (!OPEN_ACKNOWLEDGEMENT_STATUSES.includes(ack.status)) return false;
      const version = (await PolicyVersion.findByPk(ack.versionId, { transaction }))!;
      if (employee && isInAudience(employee, version)) return false;
      const before = ack.toJSON();
      await ack.update({ status: 'exempt', exemptedAt: new Date() }, { transaction });
      await recordAudit(
        workflowAuditSource(),
        {
          tenantId: ack.tenantId,
          action: 'acknowledgement.exempt',
          entityType: 'acknowledgement',
          entityId: ack.id,
          before,
          after: ack,
          dedupeKey: `${step.workflowId}:exempt`,
        },
        transaction,
      );
      return true;
    });
  }

  return {
    /**
     * The first step of a run that opens itself: `retired` when the version was retired before
     * the run started, `exempt` when the employee left the audience before it started (a signal
     * sent before the start reached no run), else `open` once the notice is sent (none when the
     * employee acknowledged before the run opened).
     */
    async openAcknowledgement(step: AcknowledgementStep): Promise<AcknowledgementOpening> {
      const ack = await Acknowledgement.findByPk(step.acknowledgementId, {
        include: [{ model: PolicyVersion, as: 'version', include: [{ model: CompliancePolicy, as: 'policy' }] }],
      });
      if (!ack) throw businessFailure(BusinessErrorType.NotFound, `acknowledgement ${step.acknowledgementId} not found`);
      const version = (ack as Acknowledgement & { version: PolicyVersion & { policy: CompliancePolicy } }).version;
      if (version.status !== 'published') return 'retired';
      // Acknowledged before its run opened (a large rollout's runs open at the bulk queue's pace):
      // a notice asking for it now would only confuse, and a closed row is never exempted.
      if (!OPEN_ACKNOWLEDGEMENT_STATUSES.includes(ack.status)) return 'open';
      if (await exemptIfOutOfAudience(step)) return 'exempt';
      const employee = (await User.findByPk(ack.employeeId))!;
      await notices.sendPolicyNotice(ack, employee, { title: version.policy.title, versionNumber: version.versionNumber });
      return 'open';
    },

    /** On `audienceChanged`: true when the employee left the audience and the acknowledgement is now exempt. */
    exemptIfOutOfAudience,
  };
}
