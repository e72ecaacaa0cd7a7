import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalPostgres } from '../../scripts/local/postgres';

/** Stops what either set-up started: the full suite's servers, or the unit loop's run directory alone. */
export default async function globalTeardown(): Promise<void> {
  const state = (
    globalThis as { __insurflow?: { postgres?: LocalPostgres; temporal?: TestWorkflowEnvironment; dataDir?: string; runDir: string } }
  ).__insurflow;
  if (!state) return;
  await state.temporal?.teardown();
  await state.postgres?.stop();
  if (state.dataDir) fs.rmSync(state.dataDir, { recursive: true, force: true });
  fs.rmSync(state.runDir, { recursive: true, force: true });
}
