/**
 * Workflow histories kept as fixtures (tests/fixtures/histories/*.json) and replayed by
 * tests/replay.test.ts, so a non-deterministic change to a workflow fails the build.
 * A test records one with `RECORD_HISTORIES=1 npx jest <file>` after a deliberate change.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';

export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history));
}

/** Every payload anywhere in a history, as the SDK returns it (objects with metadata and data). */
export function payloadsIn(node: unknown, found: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return found;
  const candidate = node as Payload;
  if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) found.push(candidate);
  else for (const value of Object.values(node)) payloadsIn(value, found);
  return found;
}
