/**
 * The claim list's default order (newest first, then id) read straight from an index: without it
 * every `GET /claims` page sorted all of the tenant's claims (10,000 rows per request in the list
 * benchmark) to return twenty.
 */
import { MigrationFn } from './helpers';

const INDEX = 'claims_tenant_created_order';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(`CREATE INDEX ${INDEX} ON claims (tenant_id, created_at DESC, id)`);
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query(`DROP INDEX ${INDEX}`);
};
