/** Builds the production workflow bundle (dist/workflow-bundle.js) so workers start without bundling. */
import fs from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { DEFAULT_BUNDLE_PATH, WORKFLOWS_PATH } from './worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve(WORKFLOWS_PATH), logger: new DefaultLogger('WARN') });
  fs.writeFileSync(DEFAULT_BUNDLE_PATH, code);
  process.stdout.write(`workflow bundle written to ${DEFAULT_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
