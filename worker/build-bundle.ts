/**
 * Builds the production workflow bundles so workers start without bundling: dist/workflow-bundle.js
 * and, for workers with tracing on, the same workflows with the tracing interceptors.
 */
import fs from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { DEFAULT_BUNDLE_PATH, tracedBundlePath, TRACING_WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from './worker';

async function writeBundle(bundlePath: string, workflowInterceptorModules: string[]): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(WORKFLOWS_PATH),
    workflowInterceptorModules,
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(bundlePath, code);
  process.stdout.write(`workflow bundle written to ${bundlePath} (${Math.round(code.length / 1024)} KiB)\n`);
}

async function main(): Promise<void> {
  await writeBundle(DEFAULT_BUNDLE_PATH, []);
  await writeBundle(tracedBundlePath(DEFAULT_BUNDLE_PATH), [TRACING_WORKFLOW_INTERCEPTORS]);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
