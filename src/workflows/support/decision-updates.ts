/**
 * The approve and reject Updates of a run that waits for one person's decision (a tenant
 * registration, a policy version's review). Each is validated before anything is recorded; the
 * handler hands the decision to the run and answers once the run has recorded it.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { condition, setHandler } from '@temporalio/workflow';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';

/** An approval may carry more than who decided (a quote's loading): `Approval` is then the approve Update's whole input. */
export type Decision<By, Approval extends By = By> =
  { outcome: 'approved'; by: Approval } | { outcome: 'rejected'; by: By; reason: string };

export interface DecisionUpdates<
  State,
  Rejection extends { reason: string },
  Approval extends Omit<Rejection, 'reason'> = Omit<Rejection, 'reason'>,
> {
  approve: UpdateDefinition<State, [Approval]>;
  reject: UpdateDefinition<State, [Rejection]>;
  /** Refuses a decider who may not decide now (403, 409); a rejection also needs a reason (422). */
  assertCanDecide: (by: Omit<Rejection, 'reason'>) => void;
  /** Refuses what the approval carries beyond its decider (422), after `assertCanDecide`. */
  assertApproval?: (approval: Approval) => void;
  /** Hands the decision to the run, which records it. */
  decide: (decision: Decision<Omit<Rejection, 'reason'>, Approval>) => void;
  /** Whether the run has recorded the decision: the Update answers then. */
  recorded: () => boolean;
  state: () => State;
}

export function setDecisionHandlers<
  State,
  Rejection extends { reason: string },
  Approval extends Omit<Rejection, 'reason'> = Omit<Rejection, 'reason'>,
>(updates: DecisionUpdates<State, Rejection, Approval>): void {
  setHandler(
    updates.approve,
    async (by) => {
      updates.decide({ outcome: 'approved', by });
      await condition(updates.recorded);
      return updates.state();
    },
    {
      validator: (approval) => {
        updates.assertCanDecide(approval);
        updates.assertApproval?.(approval);
      },
    },
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
