/**
 * A row whose run is gone, as the reconciler marks it, and its repair through the API (docs/operating.md, Repairing a
 * row): for the tests that end a run by hand and restore it without waiting for a reconciler run.
 */
import { QueryTypes } from 'sequelize';
import type { User } from '../../src/models';
import { bearer } from './factories';
import type { TestStack } from './stack';

/** The tables whose rows have a run the reconciler watches. */
export type DriftTable = 'claims' | 'subscriptions';

/** Marks the row as the reconciler marks one whose run was terminated: what a restore takes. */
export async function markRunTerminated(stack: TestStack, table: DriftTable, id: string): Promise<void> {
  await stack.db.sequelize.query(`UPDATE ${table} SET run_state = 'terminated', run_state_at = now() WHERE id = :id`, {
    replacements: { id },
  });
}

/** The row's run state as the reconciler left it (null: its run is live). */
export async function runStateOf(stack: TestStack, table: DriftTable, id: string): Promise<string | null> {
  const [row] = await stack.db.sequelize.query<{ run_state: string | null }>(`SELECT run_state FROM ${table} WHERE id = :id`, {
    replacements: { id },
    type: QueryTypes.SELECT,
  });
  return row.run_state;
}

/** POST /operations/drift/`table`/:id/restore as `user`, giving `reason`. */
export function restoreRun(stack: TestStack, user: User, table: DriftTable, id: string, reason = 'Terminated by mistake') {
  return stack.api
    .post(`/api/v1/operations/drift/${table}/${id}/restore`)
    .set('Authorization', bearer(stack.config, user))
    .send({ reason });
}
