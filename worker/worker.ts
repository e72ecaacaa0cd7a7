import fs from 'node:fs';
import path from 'node:path';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, WorkerOptions, type DataConverter } from '@temporalio/worker';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { createActivities, ActivityDeps } from '../src/activities';
import { assignmentRequest } from '../src/domain/claims/rules';
import { savedReportCsv } from '../src/domain/reports/saved';
import { repairDriftedItem } from '../src/domain/operations/drift-repairs';
import { retryIncidentItem } from '../src/domain/operations/incident-retries';
import { createIncidentInterceptors } from '../src/activities/incidents';
import { startOutboxMails } from '../src/activities/outbox-mails';
import type { Tracing } from '../src/observability/tracing';
import type { Config } from '../src/config';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'src', 'workflows');
export const DEFAULT_BUNDLE_PATH = path.join(__dirname, '..', 'workflow-bundle.js');
/** The workflow half of the tracing interceptors; it runs inside the sandbox, so it is bundled with the workflows. */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** The bundle built with the tracing interceptors next to a plain one: `x.js` → `x.traced.js`. */
export function tracedBundlePath(bundlePath: string): string {
  return bundlePath.replace(/(\.js)?$/, '.traced.js');
}

export interface InsurflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** `temporalDataConverter` of src/services/temporal.ts: the clients' codec, or the worker cannot read what they write. */
  dataConverter: DataConverter;
  /** A prebuilt bundle (production); without one the workflows are bundled from source. */
  workflowBundlePath?: string;
  tuning?: Pick<
    WorkerOptions,
    'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'
  >;
  /** With tracing on, workflow tasks and activities continue the trace their run was started in. */
  tracing?: Tracing;
  /** The Worker Deployment Version the worker joins (docs/deploying.md, Worker Versioning); unset: unversioned. */
  deployment?: WorkerDeploymentVersion;
}

/**
 * A versioned worker pins every run to the version it started on: a run's history is only ever
 * replayed by the code that wrote it. Runs that last a policy term move to a newer version when they
 * continue as new (their `continueAsNew` asks for it), which starts a fresh history.
 */
function deploymentOptions(deployment: WorkerDeploymentVersion | undefined): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!deployment) return {};
  return { workerDeploymentOptions: { useWorkerVersioning: true, version: deployment, defaultVersioningBehavior: 'PINNED' } };
}

function workflowCode(options: InsurflowWorkerOptions): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundlePath =
    options.workflowBundlePath && (options.tracing ? tracedBundlePath(options.workflowBundlePath) : options.workflowBundlePath);
  if (bundlePath && fs.existsSync(bundlePath)) return { workflowBundle: { codePath: bundlePath } };
  return { workflowsPath: require.resolve(WORKFLOWS_PATH) };
}

function tracingOptions(
  tracing: Tracing,
  code: Pick<WorkerOptions, 'workflowBundle'>,
  deps: ActivityDeps,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      // A prebuilt traced bundle holds them already; from source they are bundled now.
      workflowModules: code.workflowBundle ? [] : [TRACING_WORKFLOW_INTERCEPTORS],
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        createIncidentInterceptors(deps),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}

/**
 * Every activity, with what the worker hands them besides `deps`: the saved reports' builder, the
 * checks of a reassignment, the single repair of a drifted row, the single retry of an incident.
 */
export function workerActivities(deps: ActivityDeps) {
  return createActivities({
    ...deps,
    savedReportCsv: (report, now) => savedReportCsv(deps.sequelize, report, now),
    assignmentRequest,
    repairDriftedRow: repairDriftedItem(deps),
    retryIncidentItem: retryIncidentItem(deps),
  });
}

/** The worker of one task queue. */
export function createInsurflowWorker(options: InsurflowWorkerOptions): Promise<Worker> {
  const code = workflowCode(options);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    dataConverter: options.dataConverter,
    activities: workerActivities(options.deps),
    ...code,
    ...deploymentOptions(options.deployment),
    // Every activity's attempts feed the incidents list (src/activities/incidents.ts), traced or not.
    ...(options.tracing
      ? tracingOptions(options.tracing, code, options.deps)
      : { interceptors: { activity: [createIncidentInterceptors(options.deps)] } }),
    // Unset knobs must not reach the SDK as `undefined`, which would replace its defaults.
    ...Object.fromEntries(Object.entries(options.tuning ?? {}).filter(([, value]) => value !== undefined)),
  });
}

/**
 * A bulk worker's sticky cache: its runs (acknowledgements) run one short task, then wait for
 * days, so keeping them in memory buys nothing but RSS.
 */
const BULK_MAX_CACHED_WORKFLOWS = 100;

/** The bulk task queue and its slots; the same queue as `taskQueue`: one worker serves both. */
export interface BulkWorkerOptions {
  taskQueue: string;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
}

export function bulkWorkerOptions(config: Pick<Config, 'temporal' | 'worker'>): BulkWorkerOptions {
  return {
    taskQueue: config.temporal.bulkTaskQueue,
    maxConcurrentActivityTaskExecutions: config.worker.bulkMaxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.bulkMaxConcurrentWorkflowTasks,
  };
}

export interface ProcessWorkersOptions extends InsurflowWorkerOptions {
  bulk: BulkWorkerOptions;
}

/**
 * What a worker process runs: its task queue's worker and the bulk queue's beside it, started and
 * stopped together, and the sending of the outbox's mails while they run.
 */
export interface ProcessWorkers {
  workers: Worker[];
  /** Resolves once every worker has drained; rejects as soon as one fails. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Both workers of a process on one connection. The bulk queue's worker has few slots, so a
 * rollout's backlog drains there at a bounded pace while the interactive queue, which has no
 * backlog, is served at once by its own slots (docs/scaling.md, Bulk work).
 */
export async function createProcessWorkers(options: ProcessWorkersOptions): Promise<ProcessWorkers> {
  const { bulk, ...interactive } = options;
  const workers = [await createInsurflowWorker(interactive)];
  if (bulk.taskQueue !== options.taskQueue) {
    workers.push(
      await createInsurflowWorker({
        ...interactive,
        taskQueue: bulk.taskQueue,
        tuning: {
          maxCachedWorkflows: BULK_MAX_CACHED_WORKFLOWS,
          maxConcurrentActivityTaskExecutions: bulk.maxConcurrentActivityTaskExecutions,
          maxConcurrentWorkflowTaskExecutions: bulk.maxConcurrentWorkflowTaskExecutions,
          shutdownGraceTime: options.tuning?.shutdownGraceTime,
        },
      }),
    );
  }
  return {
    workers,
    run() {
      // The outbox's mails are sent while the workers run, and no longer once they have drained.
      const mails = startOutboxMails(options.deps);
      return Promise.all(workers.map((worker) => worker.run()))
        .then(() => undefined)
        .finally(() => mails.stop());
    },
    shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}
