import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { resolveTestServer } from '../../scripts/local/tools';

/**
 * What every test run prepares for its workflow tests, whatever servers it starts: the workflow
 * bundle, built once (INSURFLOW_TEST_WORKFLOW_BUNDLE, written into `runDir`), and the cached
 * time-skipping test server binary (TEMPORAL_TEST_SERVER_PATH, which each file launches itself).
 */
export async function prepareWorkflowTests(runDir: string): Promise<void> {
  const testServerPath = resolveTestServer();
  if (testServerPath) process.env.TEMPORAL_TEST_SERVER_PATH = testServerPath;
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  process.env.INSURFLOW_TEST_WORKFLOW_BUNDLE = bundlePath;
}
