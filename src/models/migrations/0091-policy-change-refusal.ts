/**
 * `not_applied_refusal`: why a policy change was not applied, as facts (ChangeRefusal,
 * src/contracts/subscription.ts) beside the English `not_applied_reason`, so that the holder's mail
 * words it in their language, also when a retry finds the change ended (docs/subscriptions.md,
 * Policy changes). Null for changes ended before: their mail gives the English reason.
 */
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE subscription_changes ADD COLUMN not_applied_refusal jsonb');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE subscription_changes DROP COLUMN not_applied_refusal');
};
