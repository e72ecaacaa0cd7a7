/** Entry point of the worker process: workflows and activities for the Insurflow task queue and its bulk queue. */
import { tracing } from './tracing';
import { ConfigError, loadConfig } from '../src/config';
import { createLogger } from '../src/config/logger';
import { reconcilerScheduleId } from '../src/contracts/reconciler';
import { auditCheckpointScheduleId } from '../src/contracts/audit-checkpoint';
import { keptRecordsScheduleId, retentionScheduleId } from '../src/contracts/retention';
import { initModels } from '../src/models';
import { createSequelize, databaseDeadlines } from '../src/models/database';
import { startWorkerMetrics } from '../src/observability/worker-metrics';
import { createSmtpMailer } from '../src/services/mailer';
import { openDocumentStore } from '../src/services/documents';
import { acknowledgementLinkKeyOf } from '../src/domain/compliance/acknowledgement-link-tokens';
import { setLedgerPosting } from '../src/domain/ledger/post';
import { installProcessGuards } from '../src/services/process-guard';
import { ensureReconcilerSchedule } from '../src/services/reconciler-schedule';
import { ensureLedgerReconciliationSchedule } from '../src/services/ledger-reconciliation-schedule';
import { ledgerReconciliationScheduleId } from '../src/contracts/ledger-reconciliation';
import { moveComplianceWebhooks } from '../src/domain/webhooks/compliance-webhook-move';
import { createPaymentProvider } from '../src/services/payment-provider';
import { ensureAuditCheckpointSchedule } from '../src/services/audit-checkpoint-schedule';
import { ensureKeptRecordsSchedule, ensureRetentionSchedule } from '../src/services/retention-schedule';
import { rewrapPersonDataKeys } from '../src/services/person-data-keys';
import { connectTemporalClient, connectWorkerConnection, temporalDataConverter } from '../src/services/temporal';
import { webhookDeliveryGuardOf } from '../src/services/webhook';
import { assertCacheFitsHeap } from './heap-budget';
import { bulkWorkerOptions, createProcessWorkers, DEFAULT_BUNDLE_PATH } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  assertCacheFitsHeap(config.worker.maxCachedWorkflows);
  const logger = createLogger(config.logLevel, 'worker');
  const sequelize = createSequelize(config.databaseUrl, { poolMax: 20, ...databaseDeadlines(config.deadlines) });
  initModels(sequelize);
  setLedgerPosting(config.ledgerPosting);
  const mailer = createSmtpMailer(config.smtp);
  const documents = await openDocumentStore(config.documents);
  // Before the first connection: it installs the Temporal runtime with its metrics exporter.
  const metrics =
    config.metrics.workerPort === undefined
      ? undefined
      : await startWorkerMetrics({ host: config.metrics.workerHost, port: config.metrics.workerPort, token: config.metrics.token });
  if (metrics) logger.info({ url: metrics.url }, 'worker metrics');
  const connection = await connectWorkerConnection(config.temporal);
  const temporal = await connectTemporalClient(config.temporal, tracing !== undefined);
  const workers = await createProcessWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter: temporalDataConverter(config.temporal),
    tuning: {
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
      // On SIGTERM running activities get this long to finish before they are cancelled.
      shutdownGraceTime: config.worker.shutdownGraceSeconds * 1000,
    },
    bulk: bulkWorkerOptions(config),
    deployment: config.worker.deployment,
    workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH ?? (config.env === 'development' ? undefined : DEFAULT_BUNDLE_PATH),
    tracing,
    deps: {
      sequelize,
      mailer,
      logger,
      temporal,
      taskQueue: config.temporal.taskQueue,
      bulkTaskQueue: config.temporal.bulkTaskQueue,
      webhookTimeoutMs: config.webhookTimeoutMs,
      webhookGuard: webhookDeliveryGuardOf(config),
      sealing: config.jwt,
      apiPublicUrl: config.api.publicUrl,
      acknowledgementLinkKey: acknowledgementLinkKeyOf(config.jwt),
      paymentProvider: createPaymentProvider(config, logger),
      documents,
    },
  });
  // The compliance webhooks still set as tenant settings become webhook endpoints (docs/webhooks.md); a failure is tried again at the next start.
  await moveComplianceWebhooks(sequelize, config.jwt).then(
    (moved) => moved > 0 && logger.info({ moved }, 'compliance webhooks moved onto webhook endpoints'),
    (err: unknown) => logger.error({ err }, 'compliance webhooks could not be moved; the next worker start tries again'),
  );
  // Person data keys move onto the active payload key (docs/privacy.md, Keys); a failure is tried again at the next start.
  const payloadKeys = config.temporal.payloadCodec;
  if (payloadKeys)
    await rewrapPersonDataKeys(payloadKeys).then(
      (counts) => (counts.rewrapped || counts.unreadable) && logger.info(counts, 'person data keys wrapped with the active payload key'),
      (err: unknown) => logger.error({ err }, 'person data keys could not be rewrapped; the next worker start tries again'),
    );
  // Housekeeping must not keep the worker from its real work: without the schedule it still runs workflows.
  await ensureRetentionSchedule(temporal, config.temporal.taskQueue, config.retention).then(
    (outcome) => logger.info({ scheduleId: retentionScheduleId(config.temporal.taskQueue), outcome }, 'retention schedule in place'),
    (err: unknown) => logger.error({ err }, 'retention schedule could not be created or updated; the next worker start tries again'),
  );
  await ensureKeptRecordsSchedule(temporal, config.temporal.taskQueue).then(
    (outcome) => logger.info({ scheduleId: keptRecordsScheduleId(config.temporal.taskQueue), outcome }, 'kept records schedule in place'),
    (err: unknown) => logger.error({ err }, 'kept records schedule could not be created or updated; the next worker start tries again'),
  );
  await ensureAuditCheckpointSchedule(temporal, config.temporal.taskQueue).then(
    (outcome) =>
      logger.info({ scheduleId: auditCheckpointScheduleId(config.temporal.taskQueue), outcome }, 'audit checkpoint schedule in place'),
    (err: unknown) => logger.error({ err }, 'audit checkpoint schedule could not be created or updated; the next worker start tries again'),
  );
  await ensureReconcilerSchedule(temporal, config.temporal.taskQueue, config.reconciler).then(
    (outcome) => logger.info({ scheduleId: reconcilerScheduleId(config.temporal.taskQueue), outcome }, 'reconciler schedule in place'),
    (err: unknown) => logger.error({ err }, 'reconciler schedule could not be created or updated; the next worker start tries again'),
  );
  await ensureLedgerReconciliationSchedule(temporal, config.temporal.taskQueue).then(
    (outcome) =>
      logger.info(
        { scheduleId: ledgerReconciliationScheduleId(config.temporal.taskQueue), outcome },
        'ledger reconciliation schedule in place',
      ),
    (err: unknown) =>
      logger.error({ err }, 'ledger reconciliation schedule could not be created or updated; the next worker start tries again'),
  );
  // run() resolves once the worker has drained: in-flight tasks finished or, after the grace time, cancelled.
  const running = workers.run().finally(async () => {
    mailer.close();
    documents.close();
    await temporal.connection.close();
    await connection.close();
    await sequelize.close();
    await metrics?.close();
    await tracing?.shutdown();
  });
  installProcessGuards(logger, async () => {
    // The SDK also reacts to the signal; whichever comes first starts the shutdown.
    workers.shutdown();
    await running;
  });
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      bulkTaskQueue: config.temporal.bulkTaskQueue,
      address: config.temporal.address,
      deployment: config.worker.deployment ?? 'unversioned',
    },
    'worker started',
  );
  await running;
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(1);
});
