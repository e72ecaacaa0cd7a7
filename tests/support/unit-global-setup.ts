/**
 * The unit loop's set-up (jest.unit.config.js): only what its files need, the workflow bundle and
 * the time-skipping test server binary. No PostgreSQL, no Temporal dev server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareWorkflowTests } from './workflow-bundle';

export default async function unitGlobalSetup(): Promise<void> {
  const started = Date.now();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-unit-'));
  await prepareWorkflowTests(runDir);
  Object.assign(globalThis, { __insurflow: { runDir } });
  process.stderr.write(`\n[tests] workflow bundle ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
