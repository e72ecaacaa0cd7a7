/**
 * The real stack inside one test file: a fresh database, a real SMTP sink, the API app (for
 * supertest), a Temporal client on the dev server and, when asked, a worker on a task queue of
 * its own (and one on its bulk queue, as a worker process runs them) so test files never take
 * each other's tasks.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type Koa from 'koa';
import supertest from 'supertest';
import type { Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/config/logger';
import { createApp } from '../../src/api/app';
import type { ApiServices } from '../../src/api/runtime/services';
import { paymentServices } from '../../src/domain/premiums/card-payments';
import { createPaymentProvider } from '../../src/services/payment-provider';
import type { Tracing } from '../../src/observability/tracing';
import { acknowledgementLinkKeyOf } from '../../src/domain/compliance/acknowledgement-link-tokens';
import { openDocumentStore } from '../../src/services/documents';
import { followPlanChanges } from '../../src/domain/catalog/plan-cache';
import { createSmtpMailer } from '../../src/services/mailer';
import { temporalClient, temporalDataConverter } from '../../src/services/temporal';
import { closeTemporalClient } from '../../src/api/temporal/calls';
import type { ActivityDeps } from '../../src/activities';
import { bulkWorkerOptions, createProcessWorkers, type InsurflowWorkerOptions, type ProcessWorkers } from '../../worker/worker';
import { ofBlock } from './block';
import { testConfig } from './config';
import { createTestDatabase, TestDatabase } from './database';
import { requiredEnv } from './env';
import { SmtpSink, startSmtpSink } from './smtp-sink';

export interface TestStack {
  config: Config;
  db: TestDatabase;
  smtp: SmtpSink;
  temporal: Client;
  /** What the app was made with, for a test that makes another app on the same servers. */
  services: ApiServices;
  app: Koa;
  api: ReturnType<typeof supertest.agent>;
  deps: ActivityDeps;
  /** The task queue's worker and the bulk queue's, as a worker process runs them. */
  workers?: ProcessWorkers;
  close(): Promise<void>;
}

export interface TestStackOptions {
  worker?: boolean;
  env?: Record<string, string>;
  tracing?: Tracing;
  logger?: Logger;
  /** Connections the API and the worker share. */ dbPoolMax?: number;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase({ poolMax: options.dbPoolMax });
  const smtp = await startSmtpSink();
  const address = requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS');
  const config = testConfig({
    databaseUrl: db.url,
    smtpPort: smtp.port,
    temporalAddress: address,
    taskQueue: `test-${crypto.randomUUID()}`,
    env: options.env,
  });
  const logger = options.logger ?? createLogger('silent', 'test');
  const connection = await Connection.connect({ address });
  const temporal = temporalClient(connection, config.temporal, options.tracing !== undefined);
  const documents = await openDocumentStore(config.documents);
  const mailer = createSmtpMailer(config.smtp);
  const services: ApiServices = {
    config,
    sequelize: db.sequelize,
    temporal,
    logger,
    documents,
    mailer,
    payments: paymentServices(config, logger),
    tracer: options.tracing?.tracer,
  };
  const app = createApp(services);
  const server = app.listen(0, '127.0.0.1');
  // As the API process does (src/api/server.ts): what it reads of plans is kept while their notices arrive.
  const planNotices = followPlanChanges(db.url, logger);
  const deps: ActivityDeps = {
    sequelize: db.sequelize,
    mailer,
    logger,
    temporal,
    taskQueue: config.temporal.taskQueue,
    bulkTaskQueue: config.temporal.bulkTaskQueue,
    webhookTimeoutMs: 2000,
    // The local webhook receivers listen on loopback; the security suite tests the guard switched on.
    webhookGuard: { allowPrivateNetworks: true },
    apiPublicUrl: 'http://127.0.0.1',
    acknowledgementLinkKey: acknowledgementLinkKeyOf(config.jwt),
    sealing: config.jwt,
    paymentProvider: createPaymentProvider(config, logger),
    documents,
  };

  let workers: ProcessWorkers | undefined;
  let workerRun: Promise<void> | undefined;
  let workerConnection: NativeConnection | undefined;
  if (options.worker) {
    workerConnection = await NativeConnection.connect({ address });
    workers = await createProcessWorkers({
      ...stackWorkerOptions(config, deps, workerConnection),
      tracing: options.tracing,
      bulk: bulkWorkerOptions(config),
    });
    workerRun = workers.run();
  }

  return {
    config,
    db,
    smtp,
    temporal,
    services,
    app,
    api: supertest.agent(server),
    deps,
    workers,
    async close() {
      if (workers) {
        workers.shutdown();
        await workerRun;
        await workerConnection?.close();
      }
      await new Promise((resolve) => server.close(resolve));
      await planNotices.stop();
      mailer.close();
      documents.close();
      await closeTemporalClient(temporal);
      await smtp.stop();
      await db.close();
    },
  };
}

/**
 * The stack of a describe block, as the block declares it (`const stack = testStackOfBlock({ worker: true })`):
 * started before its tests and closed after them (`ofBlock`), so none of its fields may be read while the block is
 * being declared.
 */
export const testStackOfBlock = (options: TestStackOptions = {}): TestStack =>
  ofBlock(
    'test stack',
    () => startTestStack(options),
    (stack) => stack.close(),
  );

/** What a worker of the test stack runs with: its task queue, the test bundle, the stack's activity dependencies. */
export function stackWorkerOptions(config: Config, deps: ActivityDeps, connection: NativeConnection): InsurflowWorkerOptions {
  return {
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter: temporalDataConverter(config.temporal),
    workflowBundlePath: requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE'),
    deps,
  };
}

/**
 * Workers of a test file's own on the stack's queues (the task queue's and the bulk queue's, as a
 * worker process runs them), for a test that runs without them first or restarts them; answers how
 * to stop them.
 */
export async function startOwnWorkers(stack: TestStack): Promise<() => Promise<void>> {
  const connection = await NativeConnection.connect({ address: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS') });
  const workers = await createProcessWorkers({
    ...stackWorkerOptions(stack.config, stack.deps, connection),
    bulk: bulkWorkerOptions(stack.config),
  });
  const running = workers.run();
  return async () => {
    workers.shutdown();
    await running;
    await connection.close();
  };
}
