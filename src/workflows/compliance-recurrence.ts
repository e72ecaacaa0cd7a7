/**
 * Recurring attestation of one compliance policy: `compliance-recurrence-<policyId>`.
 *
 * A durable timer per policy, not a Temporal Schedule (docs/compliance.md, Recurring attestation,
 * says why): the run reads its policy, waits until the next anniversary of its current version's
 * publication (every `recurrenceDays` after it), then starts that version's next cycle, whose
 * rollout `policy-rollout-<versionId>-cycle-<n>` creates the cycle's acknowledgements. The
 * `recurrenceChanged` signal (a publication, recurrenceDays set or cleared, the policy retired)
 * wakes it to read its policy again. Each wake continues as new, so a run's history is a handful of
 * events whatever the policy's age; it ends only when the policy is retired.
 */
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ComplianceRecurrenceInput, RecurrencePlan, recurrenceChangedSignal } from '../contracts/compliance-recurrence';
import { DAY_MS } from '../shared/time';
import { publishStatus } from './support/business-status';
import { continueAsNewOnCurrentVersion } from './support/continue-on-current-version';

const { planComplianceRecurrence, startComplianceCycle } = proxyActivities<Activities>({
  // Both are short reads or writes and idempotent (the cycle start is guarded by the version's cycle).
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The next anniversary of the publication that starts a new cycle: the one after the current
 * cycle's, or the first still to come when the period was shortened past some (they are not caught
 * up one by one: one new cycle, at once).
 */
function nextCycleStart(plan: Extract<RecurrencePlan, { kind: 'recurring' }>, now: number): number {
  const publishedAt = new Date(plan.publishedAt).getTime();
  const periodMs = plan.recurrenceDays * DAY_MS;
  const anniversary = Math.max(plan.cycle, Math.ceil((now - publishedAt) / periodMs));
  return publishedAt + anniversary * periodMs;
}

export async function complianceRecurrenceWorkflow(input: ComplianceRecurrenceInput): Promise<'retired'> {
  let changed = false;
  setHandler(recurrenceChangedSignal, () => {
    changed = true;
  });

  const plan = await planComplianceRecurrence({ policyId: input.policyId });
  if (plan.kind === 'retired') {
    publishStatus({ status: 'retired', dueAt: null, details: 'The policy was retired: no more attestation cycles' });
    return 'retired';
  }
  if (plan.kind === 'idle') {
    publishStatus({ status: 'idle', dueAt: null, details: 'No recurrence set, or no published version' });
    await condition(() => changed);
  } else {
    const startsAt = nextCycleStart(plan, Date.now());
    const cycle = plan.cycle + 1;
    publishStatus({
      status: 'scheduled',
      dueAt: new Date(startsAt),
      details: `Cycle ${cycle} of version ${plan.versionNumber} starts ${new Date(startsAt).toISOString()} (every ${plan.recurrenceDays} days)`,
    });
    const waitMs = startsAt - Date.now();
    const interrupted = waitMs > 0 && (await condition(() => changed, waitMs, { summary: `Attestation cycle ${cycle}` }));
    if (!interrupted) {
      await startComplianceCycle({
        tenantId: input.tenantId,
        policyId: input.policyId,
        versionId: plan.versionId,
        cycle,
        startsAt: new Date(startsAt).toISOString(),
      });
    }
  }
  // Whatever woke the run, the next one reads the policy afresh with an empty history, on the current release.
  return continueAsNewOnCurrentVersion<typeof complianceRecurrenceWorkflow>(input);
}
