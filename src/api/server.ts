/** Entry point of the API process. */
import { tracing } from './tracing';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { initModels } from '../models';
import { createSequelize, databaseDeadlines } from '../models/database';
import { installProcessGuards } from '../services/process-guard';
import { lazyTemporalClient } from '../services/temporal';
import { createApp } from './app';
import { startOutboxRelay } from './outbox';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const sequelize = createSequelize(config.databaseUrl, databaseDeadlines(config.deadlines));
  initModels(sequelize);
  const temporal = lazyTemporalClient(config.temporal, tracing !== undefined);
  const services = { config, sequelize, temporal, logger, tracer: tracing?.tracer };
  const app = createApp(services);
  const relay = startOutboxRelay(services);
  const server = app.listen(config.api.port, config.api.host, () => {
    logger.info(`API listening on http://${config.api.host}:${config.api.port}`);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(async () => {
        await relay.stop();
        await temporal.connection.close();
        await sequelize.close();
        await tracing?.shutdown();
        resolve();
      });
    });
  installProcessGuards(logger, stop);
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(1);
});
