/**
 * How a command starts the run that carries its rows, with the rows that need it (a person's
 * decision reaches the run through `decideOnRun`, src/services/run-decisions.ts).
 */
import type { Workflow } from '@temporalio/common';
import type { Model, Transaction } from 'sequelize';
import type { StartWorkflowPayload } from '../models/outbox-message';
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
