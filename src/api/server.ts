/** Entry point of the API process. */
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { initModels } from '../models';
import { createSequelize } from '../models/database';
import { installProcessGuards } from '../services/process-guard';
import { connectTemporalClient } from '../services/temporal';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const sequelize = createSequelize(config.databaseUrl);
  initModels(sequelize);
  const temporal = await connectTemporalClient(config.temporal);
  const app = createApp({ config, sequelize, temporal, logger });
  const server = app.listen(config.api.port, config.api.host, () => {
    logger.info(`API listening on http://${config.api.host}:${config.api.port}`);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(async () => {
        await temporal.connection.close();
        await sequelize.close();
        resolve();
      });
    });
  installProcessGuards(logger, stop);
  const shutdown = () => {
    logger.info('API shutting down');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(1);
});
