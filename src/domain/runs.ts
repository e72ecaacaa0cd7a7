/**
 * How a command reaches the run that carries its rows: starting it with the rows that need it,
 * and sending it a person's decision.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import type { Model, Transaction } from 'sequelize';
import type { StartWorkflowPayload } from '../models/outbox-message';
import type { ApiError } from '../shared/errors';
import type { CommandDeps } from './command';

/** A row whose run is started by the outbox: it names the run's workflow ID and records its first run ID. */
interface RunRow extends Model {
  workflowId: string;
  runId: string | null;
}

/**
 * Writes the rows and the start of their run in one transaction (outbox): no run without its
 * rows, no rows that never get their run. `write` answers what it wrote, the run's workflow ID and
 * the start's payload, typed by the contract's workflow signature `W`. After the commit the start
 * is delivered at once; the answer carries the run ID, or null when the run was started before or
 * Temporal did not take it now (the outbox relay delivers it then).
 */
export async function writeWithStart<W extends Workflow = never, T = never>(
  deps: Pick<CommandDeps, 'sequelize' | 'outbox'>,
  write: (transaction: Transaction) => Promise<{ written: T; workflowId: string; start: StartWorkflowPayload<W> }>,
): Promise<{ written: T; runId: string | null }> {
  const [written, message] = await deps.sequelize.transaction(async (transaction) => {
    const { written: rows, workflowId, start } = await write(transaction);
    return [rows, await deps.outbox.enqueueStart<W>(workflowId, start, transaction)] as const;
  });
  return { written, runId: (await deps.outbox.deliver(message)) ?? null };
}

/**
 * `writeWithStart` for a row that names its run and records its first run ID: `create` writes the
 * rows and answers that one with the start's payload.
 */
export async function createWithRun<W extends Workflow = never, R extends RunRow = never>(
  deps: Pick<CommandDeps, 'sequelize' | 'outbox'>,
  create: (transaction: Transaction) => Promise<{ row: R; start: StartWorkflowPayload<W> }>,
): Promise<R> {
  const { written: row, runId } = await writeWithStart<W, R>(deps, async (transaction) => {
    const { row: created, start } = await create(transaction);
    return { written: created, workflowId: created.workflowId, start };
  });
  if (runId) await row.update({ runId });
  return row;
}

/**
 * The one way a command sends a person's decision on `row` to its run: as an Update whose ID
 * follows from the caller and the idempotency key (TemporalAccess.decide). Answers the run's result
 * and the row as recorded once the run accepted it. The outcomes are the same for every process:
 * the run's validator refuses a decision it does not allow (403, 409 or 422 by the business
 * failure's type, src/api/http/middleware/error-handler.ts), Temporal or the worker out of reach is
 * 503 (504 when the outcome is unknown), and a run that cannot answer because it has ended (it
 * expired, lapsed or was decided) is the refusal `closed` builds from the row, reloaded, which says
 * why (409). The decision is asked of the run even when the row says it is closed: a repeat of the
 * request that closed it (same Idempotency-Key) gets that request's answer instead of the refusal.
 */
export async function decideOnRun<R extends Model, Result, Request>(
  deps: Pick<CommandDeps, 'temporal'>,
  row: R,
  workflowId: string,
  update: UpdateDefinition<Result, [Request]>,
  request: Request,
  closed: (row: R) => ApiError,
): Promise<{ row: R; result: Result }> {
  let result: Result;
  try {
    result = await deps.temporal.decide((temporal) => temporal.workflow.getHandle(workflowId), update, request);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw closed(await row.reload());
  }
  return { row: await row.reload(), result };
}
