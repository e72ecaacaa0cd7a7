/**
 * The one way a person's decision reaches a row's run (docs/architecture.md, Commands): the
 * commands (src/domain) send their callers' decisions through `decideOnRun`, and so does the bulk
 * reassignment's activity for each claim, so a decision reaches a run the same way whoever asks.
 * tests/structure/decision-sender.test.ts fails for a decision sent to Temporal from any other
 * module.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Model } from 'sequelize';
import type { ApiError } from '../shared/errors';

/**
 * Temporal as the sender of a decision reaches it, and the update ID of the decision. The API runs
 * each call under the deadline of its kind (src/api/temporal/calls.ts); an activity calls its
 * client as it is, under the activity's timeout.
 */
export interface DecisionChannel {
  call<T>(kind: 'update' | 'rpc', call: (temporal: Client) => Promise<T>): Promise<T>;
  /**
   * Temporal applies an update ID once per run, so a repeat with the same ID reaches the same
   * decision instead of deciding twice. Without one every send is a new decision.
   */
  updateId?: string;
}

/**
 * Sends the decision as an Update and waits for its result. If the run has ended, a repeat of the
 * decision that ended it (same update ID) answers with that decision's result.
 */
async function sendDecision<Result, Request>(
  channel: DecisionChannel,
  workflowId: string,
  update: UpdateDefinition<Result, [Request]>,
  request: Request,
): Promise<Result> {
  const { updateId } = channel;
  try {
    return await channel.call('update', (temporal) =>
      temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [request], updateId }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError) || !updateId) throw err;
    const earlier = await channel
      .call('rpc', (temporal) => temporal.workflow.getHandle(workflowId).getUpdateHandle<Result>(updateId).result())
      .catch(() => undefined);
    if (earlier === undefined) throw err;
    return earlier;
  }
}

/**
 * Sends a person's decision on `row` to its run and answers the run's result. The outcomes are the
 * same for every process: the run's validator refuses a decision it does not allow (a
 * `WorkflowUpdateFailedError`, 403, 409 or 422 in the API by the business failure's type,
 * src/api/http/middleware/error-handler.ts), Temporal or the worker out of reach is the channel's
 * error (503 in the API, 504 when the outcome is unknown), and a run that cannot answer because it
 * has ended (it expired, lapsed or was decided) is the refusal `closed` builds from the row,
 * reloaded, which says why (409). The decision is asked of the run even when the row says it is
 * closed: a repeat of the request that closed it (same update ID) gets that request's answer
 * instead of the refusal.
 */
export async function decideOnRunForResult<R extends Model, Result, Request>(
  deps: { temporal: DecisionChannel },
  row: R,
  workflowId: string,
  update: UpdateDefinition<Result, [Request]>,
  request: Request,
  closed: (row: R) => ApiError,
): Promise<Result> {
  try {
    return await sendDecision(deps.temporal, workflowId, update, request);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw closed(await row.reload());
  }
}

/** As `decideOnRunForResult`, and the row as recorded once the run accepted the decision. */
export async function decideOnRun<R extends Model, Result, Request>(
  ...decision: Parameters<typeof decideOnRunForResult<R, Result, Request>>
): Promise<{ row: R; result: Result }> {
  const result = await decideOnRunForResult(...decision);
  const [, row] = decision;
  return { row: await row.reload(), result };
}
