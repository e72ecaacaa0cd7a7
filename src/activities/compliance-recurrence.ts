/**
 * Activities of `compliance-recurrence-<policyId>` (docs/compliance.md, Recurring attestation):
 * what the run does next as its policy now stands, and the start of a version's next attestation
 * cycle. The start is guarded by the version's cycle number, so a retried or late start changes
 * nothing twice, and it starts the cycle's rollout under a business-key ID a retry reaches again.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { CycleStart, RecurrencePlan } from '../contracts/compliance-recurrence';
import { policyRolloutRun, PolicyRolloutWorkflow } from '../contracts/policy-rollout';
import { CompliancePolicy, PolicyVersion } from '../models';
import { recordAudit } from '../domain/audit/record';
import { workflowStartOptions } from '../services/workflow-start';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';

export function createComplianceRecurrenceActivities(deps: ActivityDeps) {
  return {
    async planComplianceRecurrence({ policyId }: { policyId: string }): Promise<RecurrencePlan> {
      const policy = await CompliancePolicy.findByPk(policyId);
      if (!policy || policy.retiredAt) return { kind: 'retired' };
      const version = await PolicyVersion.findOne({ where: { policyId, status: 'published' } });
      if (!policy.recurrenceDays || !version?.publishedAt) return { kind: 'idle' };
      return {
        kind: 'recurring',
        versionId: version.id,
        versionNumber: version.versionNumber,
        cycle: version.cycle,
        publishedAt: version.publishedAt.toISOString(),
        recurrenceDays: policy.recurrenceDays,
      };
    },

    /**
     * Moves the version to the new cycle (recorded as `policy_version.cycle_start`) unless its policy
     * stopped recurring, the version is no longer published or the cycle already began; then starts
     * the cycle's rollout. Answers whether the cycle is under way.
     */
    async startComplianceCycle(start: CycleStart): Promise<boolean> {
      const version = await deps.sequelize.transaction(async (transaction) => {
        // The policy locked: a publication or a change of its recurrence waits for this, or this for it.
        const policy = await CompliancePolicy.findByPk(start.policyId, { lock: transaction.LOCK.UPDATE, transaction });
        const found = await PolicyVersion.findByPk(start.versionId, { lock: transaction.LOCK.UPDATE, transaction });
        if (!policy || policy.retiredAt || !policy.recurrenceDays || found?.status !== 'published') return null;
        if (found.cycle === start.cycle) return found; // begun by an earlier attempt: start its rollout again
        if (found.cycle !== start.cycle - 1) return null;
        const before = found.toJSON();
        await found.update({ cycle: start.cycle, cycleStartedAt: new Date(start.startsAt) }, { transaction });
        await recordAudit(
          workflowAuditSource(),
          {
            tenantId: found.tenantId,
            action: 'policy_version.cycle_start',
            entityType: 'policy_version',
            entityId: found.id,
            before,
            after: found,
            dedupeKey: `${found.id}:cycle-${start.cycle}`,
          },
          transaction,
        );
        return found;
      });
      if (!version) return false;
      try {
        await deps.temporal.workflow.start<PolicyRolloutWorkflow>(policyRolloutRun.type, {
          ...workflowStartOptions(deps.taskQueue, {
            workflowId: policyRolloutRun.id(version.id, start.cycle),
            tenantId: version.tenantId,
            status: 'rolling_out',
            summary: `Attestation cycle ${start.cycle} of policy version ${version.versionNumber} (policy ${version.policyId})`,
          }),
          args: [{ tenantId: version.tenantId, versionId: version.id, retiredVersionIds: [], cycle: start.cycle }],
        });
      } catch (err) {
        // Started by an earlier attempt, and already over: the cycle is rolled out.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return true;
    },
  };
}
