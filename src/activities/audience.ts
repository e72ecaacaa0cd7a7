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
import { isInAudience } from '../domain/compliance/audience-rule';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { recordAudit } from '../domain/audit/record';
import { workflowAuditSource } from './audit-source';
import type { AcknowledgementStep } from './compliance';
import type { ActivityDeps } from './deps';
import { createPolicyNotices } from './policy-notice';

export function createAudienceActivities(deps: ActivityDeps) {
  const notices = createPolicyNotices(deps);

  /**
   * Under the employee's lock, then the row's: `exempt` once the acknowledgement is recorded as
   * exempt (the employee left the audience); the employee, as locked, while the row is open under
   * this run and they are in the audience; null when the row is no longer this run's to act on
   * (acknowledged or otherwise closed, or reopened under a later run).
   */
  async function checkAudience(step: AcknowledgementStep, employeeId?: string): Promise<'exempt' | User | null> {
    return deps.sequelize.transaction(async (transaction) => {
      const owner =
        employeeId ?? (await Acknowledgement.findByPk(step.acknowledgementId, { attributes: ['employeeId'], transaction }))?.employeeId;
      if (!owner) throw businessFailure(BusinessErrorType.NotFound, `acknowledgement ${step.acknowledgementId} not found`);
      const employee = await User.findByPk(owner, { lock: transaction.LOCK.UPDATE, transaction });
      const ack = await Acknowledgement.findByPk(step.acknowledgementId, { lock: transaction.LOCK.UPDATE, transaction });
      if (!ack) throw businessFailure(BusinessErrorType.NotFound, `acknowledgement ${step.acknowledgementId} not found`);
      // A row reopened under a later run is that run's business, never this one's.
      if (ack.workflowId !== step.workflowId) return null;
      if (ack.status === 'exempt') return 'exempt';
      if (!OPEN_ACKNOWLEDGEMENT_STATUSES.includes(ack.status)) return null;
      const version = (await PolicyVersion.findByPk(ack.versionId, { transaction }))!;
      if (employee && isInAudience(employee, version)) return employee;
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
      return 'exempt';
    });
  }

  return {
    /**
     * The first step of a run that opens itself: `retired` when the version was retired before
     * the run started, `exempt` when the employee left the audience before it started (a signal
     * sent before the start reached no run), else `open`, once the notice is sent to an employee
     * in the audience (none when the row was acknowledged before the run opened).
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
      const checked = await checkAudience(step, ack.employeeId);
      if (checked === 'exempt') return 'exempt';
      if (checked) await notices.sendPolicyNotice(ack, checked, { title: version.policy.title, versionNumber: version.versionNumber });
      return 'open';
    },

    /** On `audienceChanged`: true when the employee left the audience and the acknowledgement is now exempt. */
    async exemptIfOutOfAudience(step: AcknowledgementStep): Promise<boolean> {
      return (await checkAudience(step)) === 'exempt';
    },
  };
}
