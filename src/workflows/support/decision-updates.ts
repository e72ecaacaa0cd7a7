/**
 * The approve and reject Updates of a run that waits for one person's decision (a tenant
 * registration, a policy version's review). Each is validated before anything is recorded; the
 * handler hands the decision to the run and answers once the run has recorded it.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { condition, setHandler } from '@temporalio/workflow';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';

export type Decision<By> = { outcome: 'approved'; by: By } | { outcome: 'rejected'; by: By; reason: string };

export interface DecisionUpdates<State, Rejection extends { reason: string }> {
  approve: UpdateDefinition<State, [Omit<Rejection, 'reason'>]>;
  reject: UpdateDefinition<State, [Rejection]>;
  /** Refuses a decider who may not decide now (403, 409); a rejection also needs a reason (422). */
  assertCanDecide: (by: Omit<Rejection, 'reason'>) => void;
  /** Hands the decision to the run, which records it. */
  decide: (decision: Decision<Omit<Rejection, 'reason'>>) => void;
  /** Whether the run has recorded the decision: the Update answers then. */
  recorded: () => boolean;
  state: () => State;
}

export function setDecisionHandlers<State, Rejection extends { reason: string }>(updates: DecisionUpdates<State, Rejection>): void {
  setHandler(
    updates.approve,
    async (by) => {
      updates.decide({ outcome: 'approved', by });
      await condition(updates.recorded);
      return updates.state();
    },
    { validator: updates.assertCanDecide },
  );
  setHandler(
    updates.reject,
    async ({ reason, ...by }) => {
      updates.decide({ outcome: 'rejected', by, reason });
      await condition(updates.recorded);
      return updates.state();
    },
    {
      validator: ({ reason, ...by }) => {
        updates.assertCanDecide(by);
        if (!reason?.trim()) throw businessFailure(BusinessErrorType.Validation, 'A rejection needs a reason', { field: 'reason' });
      },
    },
  );
}
