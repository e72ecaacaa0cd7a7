/** Entry point of the worker process: workflows and activities for the Insurflow task queue. */
import { tracing } from './tracing';
import { ConfigError, loadConfig } from '../src/config';
import { createLogger } from '../src/config/logger';
import { initModels } from '../src/models';
import { createSequelize, databaseDeadlines } from '../src/models/database';
import { startWorkerMetrics } from '../src/observability/worker-metrics';
import { createSmtpMailer } from '../src/services/mailer';
import { connectTemporalClient, connectWorkerConnection } from '../src/services/temporal';
import { createInsurflowWorker, DEFAULT_BUNDLE_PATH } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const sequelize = createSequelize(config.databaseUrl, { poolMax: 20, ...databaseDeadlines(config.deadlines) });
  initModels(sequelize);
  const mailer = createSmtpMailer(config.smtp);
  // Before the first connection: it installs the Temporal runtime with its metrics exporter.
  const metrics =
    config.metrics.workerPort === undefined ? undefined : await startWorkerMetrics({ host: config.metrics.workerHost, port: config.metrics.workerPort, token: config.metrics.token });
  if (metrics) logger.info({ url: metrics.url }, 'worker metrics');
  const connection = await connectWorkerConnection(config.temporal);
  const temporal = await connectTemporalClient(config.temporal, tracing !== undefined);
  const worker = await createInsurflowWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    tuning: {
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
      shutdownGraceTime: config.worker.shutdownGraceSeconds * 1000,
    },
    workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH ?? (config.env === 'development' ? undefined : DEFAULT_BUNDLE_PATH),
    tracing,
    deps: {
      sequelize,
      mailer,
      logger,
      temporal,
      taskQueue: config.temporal.taskQueue,
      webhookTimeoutMs: config.webhookTimeoutMs,
      webhookGuard: { httpsOnly: config.env === 'production', allowPrivateNetworks: config.webhookAllowPrivateNetworks },
      apiPublicUrl: config.api.publicUrl,
    },
  });
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
  // run() resolves once SIGINT/SIGTERM has let in-flight tasks finish (the SDK's graceful shutdown);
  // activities still running after WORKER_SHUTDOWN_GRACE_SECONDS are cancelled and retried elsewhere.
  await worker.run();
  mailer.close();
  await temporal.connection.close();
  await connection.close();
  await sequelize.close();
  await metrics?.close();
  await tracing?.shutdown();
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(1);
});
