/**
 * Workflow histories kept as fixtures (tests/fixtures/histories/*.json) and replayed by
 * tests/replay.test.ts, so a non-deterministic change to a workflow fails the build.
 * A test records one with `RECORD_HISTORIES=1 npx jest <file>` after a deliberate change.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';

export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history));
}
