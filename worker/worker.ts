import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities, ActivityDeps } from '../src/activities';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'src', 'workflows');
export const DEFAULT_BUNDLE_PATH = path.join(__dirname, '..', 'workflow-bundle.js');

export interface InsurflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (production); without one the workflows are bundled from source. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

export function createInsurflowWorker(options: InsurflowWorkerOptions): Promise<Worker> {
  const bundle = options.workflowBundlePath && fs.existsSync(options.workflowBundlePath) ? { codePath: options.workflowBundlePath } : undefined;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: require.resolve(WORKFLOWS_PATH) }),
    // Unset knobs must not reach the SDK as `undefined`, which would replace its defaults.
    ...Object.fromEntries(Object.entries(options.tuning ?? {}).filter(([, value]) => value !== undefined)),
  });
}
