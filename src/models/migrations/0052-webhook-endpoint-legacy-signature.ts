/**
 * The compliance escalation webhook moved onto a webhook endpoint keeps its old HMAC secret, sealed,
 * for the deprecated `X-Insurflow-Signature` header it still carries for one release
 * (docs/webhooks.md, The compliance webhook). The move itself runs at worker start: sealing needs
 * the key derived from JWT_SECRET, which a migration does not have.
 */
import { DataTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('webhook_endpoints', 'legacy_secret_sealed', { type: DataTypes.TEXT });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('webhook_endpoints', 'legacy_secret_sealed');
};
