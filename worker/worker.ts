import fs from 'node:fs';
import path from 'node:path';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, WorkerOptions, type DataConverter } from '@temporalio/worker';
import { createActivities, ActivityDeps } from '../src/activities';
import { savedReportCsv } from '../src/domain/reports/saved';
import { createIncidentInterceptors } from '../src/activities/incidents';
import type { Tracing } from '../src/observability/tracing';

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

/** Every activity, with what the worker hands them besides `deps`: the saved reports' builder. */
export function workerActivities(deps: ActivityDeps) {
  return createActivities({ ...deps, savedReportCsv: (report, now) => savedReportCsv(deps.sequelize, report, now) });
}

export function createInsurflowWorker(options: InsurflowWorkerOptions): Promise<Worker> {
  const code = workflowCode(options);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    dataConverter: options.dataConverter,
    activities: workerActivities(options.deps),
    ...code,
    // Every activity's attempts feed the incidents list (src/activities/incidents.ts), traced or not.
    ...(options.tracing
      ? tracingOptions(options.tracing, code, options.deps)
      : { interceptors: { activity: [createIncidentInterceptors(options.deps)] } }),
    // Unset knobs must not reach the SDK as `undefined`, which would replace its defaults.
    ...Object.fromEntries(Object.entries(options.tuning ?? {}).filter(([, value]) => value !== undefined)),
  });
}
