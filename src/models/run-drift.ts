import { modelOf, required, optional, uuidKey } from './columns';
import type { RunDriftState, RunOwnerEntity } from '../contracts/reconciler';

const runDriftColumns = () => ({
  id: uuidKey(),
  entity: required.string<RunOwnerEntity>(20),
  /** Null for registrations, which belong to the platform. */
  tenantId: optional.uuid(),
  workflowId: required.string(200),
  rowStatus: required.string(30),
  runState: required.string<RunDriftState>(20),
  runStateAt: required.date(),
});

/**
 * A row whose run the reconciler found closed, missing or restarted: the `run_drifts` view over
 * the four run-owning tables (migration 0028), read-only. Its `id` is the row's own.
 */
export class RunDrift extends modelOf('run_drifts', runDriftColumns, { timestamps: false }) {}
