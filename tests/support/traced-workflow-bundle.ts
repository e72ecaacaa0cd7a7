/**
 * The workflows bundled with the tracing interceptors, as a worker with tracing on runs them, kept
 * beside the run's plain bundle where such a worker looks for it (`workflow-bundle.traced.js`,
 * worker/worker.ts): the first file of a test run that needs it builds it, the later ones reuse it.
 */
import fs from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { tracedBundlePath, TRACING_WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from '../../worker/worker';
import { requiredEnv } from './env';

/** Answers the traced bundle's path, once it is there. */
export async function tracedWorkflowBundle(): Promise<string> {
  const bundlePath = tracedBundlePath(requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE'));
  if (fs.existsSync(bundlePath)) return bundlePath;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(WORKFLOWS_PATH),
    workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS],
    logger: new DefaultLogger('WARN'),
  });
  // Written whole under another name, then renamed: a file building it at the same moment, or
  // reading it, never sees half a bundle.
  const partial = `${bundlePath}.${process.pid}`;
  fs.writeFileSync(partial, code);
  fs.renameSync(partial, bundlePath);
  return bundlePath;
}
