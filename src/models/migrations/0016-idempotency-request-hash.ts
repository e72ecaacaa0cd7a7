/**
 * An Idempotency-Key stays bound to the request it was first used for, whatever became of that
 * request (src/api/middleware/idempotency.ts): a failed attempt now keeps its row, marked
 * `failed_at`, instead of freeing the key for any other request. Request hashes are now taken over
 * the canonical JSON of the body (keys sorted); rows written before keep version 1, the hash of the
 * body as it arrived, and are still compared that way.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('idempotency_records', 'failed_at', { type: DataTypes.DATE });
  // The default stays 1 so a process still running the previous code writes rows marked as it hashes them.
  await qi.addColumn('idempotency_records', 'request_hash_version', { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('idempotency_records', 'request_hash_version');
  await qi.removeColumn('idempotency_records', 'failed_at');
};
