/** Entry point of the API process. */
import { tracing } from './runtime/tracing';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { paymentServices } from '../domain/premiums/card-payments';
import { initModels } from '../models';
import { apiDatabaseDeadlines, createSequelize } from '../models/database';
import { flushAuthFailures } from '../domain/identity/auth-events';
import { followPlanChanges } from '../domain/catalog/plan-cache';
import { setLedgerPosting } from '../domain/ledger/post';
import { openDocumentStore } from '../services/documents';
import { createSmtpMailer } from '../services/mailer';
import { installProcessGuards } from '../services/process-guard';
import { lazyTemporalClient } from '../services/temporal';
import { createApp } from './app';
import { createHttpServer } from './runtime/http-server';
import { closeTemporalClient } from './temporal/calls';
import { startOutboxRelay } from './temporal/outbox';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const sequelize = createSequelize(config.databaseUrl, apiDatabaseDeadlines(config.deadlines));
  initModels(sequelize);
  setLedgerPosting(config.ledgerPosting);
  const temporal = lazyTemporalClient(config.temporal, tracing !== undefined);
  // A bucket that cannot be reached or created stops the start here, with the store's own error.
  const documents = await openDocumentStore(config.documents);
  const drain = { draining: false };
  const mailer = createSmtpMailer(config.smtp);
  const payments = paymentServices(config, logger);
  const services = { config, sequelize, temporal, logger, documents, mailer, payments, tracer: tracing?.tracer, drain };
  const app = createApp(services);
  const relay = startOutboxRelay(services);
  const planNotices = followPlanChanges(config.databaseUrl, logger);
  const server = createHttpServer(app.callback()).listen(config.api.port, config.api.host, () => {
    logger.info(`API listening on http://${config.api.host}:${config.api.port}`);
  });
  // Readiness goes off first and stays off for the drain, so a load balancer stops sending here;
  // then the server stops accepting, finishes the requests in flight and closes its connections.
  const stop = async () => {
    drain.draining = true;
    logger.info({ drainSeconds: config.api.drainSeconds }, 'API draining: not ready, then finishing requests');
    await new Promise((resolve) => setTimeout(resolve, config.api.drainSeconds * 1000));
    await new Promise((resolve) => server.close(resolve));
    await relay.stop();
    await planNotices.stop();
    await closeTemporalClient(temporal);
    // The failed sign-ins counted in the last second (src/domain/identity/auth-events.ts).
    await flushAuthFailures();
    await sequelize.close();
    documents.close();
    await tracing?.shutdown();
  };
  installProcessGuards(logger, stop);
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(1);
});
