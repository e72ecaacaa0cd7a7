/**
 * Starts the real servers once per test run: embedded PostgreSQL (throwaway data directory, a
 * migrated template database every test file copies), the Temporal CLI dev server (in memory,
 * search attributes registered), the workflow bundle and the time-skipping test server binary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { initModels } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { migrateUp } from '../../src/models/migrator';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { freePort } from '../../scripts/local/ports';
import { startEmbeddedPostgres, throwawayDataDir } from '../../scripts/local/postgres';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { devServerDynamicConfig } from '../../scripts/local/temporal-dev-server';
import { TEMPLATE_DATABASE } from './env';
import { prepareWorkflowTests } from './workflow-bundle';

/**
 * Fair dispatch takes turns within each partition of a task queue, and a test's few dozen tasks
 * spread over the default four at random: the order they run in is then partly chance. With one
 * partition it is the order the dispatch rule alone decides (tests/compliance/bulk-queue.test.ts).
 */
const ONE_PARTITION_PER_QUEUE = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-test-'));

  const cliPath = resolveTemporalCli();

  const dataDir = throwawayDataDir();
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  await postgres.createDatabase(TEMPLATE_DATABASE);
  const sequelize = createSequelize(postgres.url(TEMPLATE_DATABASE));
  initModels(sequelize);
  await migrateUp(sequelize);
  await sequelize.close();
  process.env.INSURFLOW_TEST_PG_URL = postgres.url(TEMPLATE_DATABASE);

  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cliPath && { executable: { type: 'existing-path', path: cliPath } }),
      ip: '127.0.0.1',
      // Below the ephemeral range, where the tests' own outgoing connections take their ports.
      port: await freePort(),
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error', ...devServerDynamicConfig(), ...ONE_PARTITION_PER_QUEUE],
    },
  });
  process.env.INSURFLOW_TEST_TEMPORAL_ADDRESS = temporal.address;

  await prepareWorkflowTests(runDir);

  Object.assign(globalThis, { __insurflow: { postgres, temporal, dataDir, runDir } });
  process.stderr.write(`\n[tests] servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
