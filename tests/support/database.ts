import crypto from 'node:crypto';
import { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { initModels } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { requiredEnv, TEMPLATE_DATABASE } from './env';

export interface TestDatabase {
  url: string;
  /** The database's name, to find its sessions in pg_stat_activity. */
  name: string;
  sequelize: Sequelize;
  close(): Promise<void>;
}

/** A fresh database per test file, copied from the migrated template (fast, isolated). */
export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const templateUrl = requiredEnv('INSURFLOW_TEST_PG_URL');
  const name = `test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: templateUrl.replace(`/${TEMPLATE_DATABASE}`, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`);
  await admin.end();
  const url = templateUrl.replace(`/${TEMPLATE_DATABASE}`, `/${name}`);
  const sequelize = createSequelize(url, { poolMax: options.poolMax });
  initModels(sequelize);
  return { url, name, sequelize, close: () => sequelize.close() };
}
