/**
 * Recurring attestation (docs/compliance.md): the commands that change a policy's recurrence
 * (`recurrenceDays` set or cleared, the policy retired; publishing a version re-bases it) tell its
 * run `compliance-recurrence-<policyId>`, through the outbox in the transaction of the change:
 * the run is started if the policy recurs and it is not running yet, then signalled to read its
 * policy again. Both are delivered after the commit, at once or by the relay; in either order the
 * run ends up reading the committed policy (a run started later reads it as it starts).
 */
import type { Transaction } from 'sequelize';
import { complianceRecurrenceRun, type ComplianceRecurrenceWorkflow, recurrenceChangedSignal } from '../../contracts/compliance-recurrence';
import type { CompliancePolicy, OutboxMessage } from '../../models';
import type { CommandDeps } from '../command';

export async function enqueueRecurrenceChange(
  policy: CompliancePolicy,
  transaction: Transaction,
  deps: Pick<CommandDeps, 'outbox'>,
): Promise<OutboxMessage[]> {
  const workflowId = complianceRecurrenceRun.id(policy.id);
  const messages: OutboxMessage[] = [];
  if (policy.recurrenceDays && !policy.retiredAt) {
    messages.push(
      await deps.outbox.enqueueStart<ComplianceRecurrenceWorkflow>(
        workflowId,
        {
          workflowType: complianceRecurrenceRun.type,
          args: [{ tenantId: policy.tenantId, policyId: policy.id }],
          tenantId: policy.tenantId,
          status: 'idle',
          summary: `Recurring attestation of "${policy.title}" every ${policy.recurrenceDays} days`,
        },
        transaction,
      ),
    );
  }
  // A run not (or no longer) running has nothing to re-read: the outbox drops the signal then.
  messages.push(await deps.outbox.enqueueSignal(workflowId, { signalName: recurrenceChangedSignal.name, args: [] }, transaction));
  return messages;
}

/** Delivers the messages one after the other (the start before its signal); never throws, the relay retries. */
export async function deliverInOrder(messages: OutboxMessage[], deps: Pick<CommandDeps, 'outbox'>): Promise<void> {
  for (const message of messages) await deps.outbox.deliver(message);
}
