/**
 * The policy and user lists' default orders read straight from an index, as the claim list's
 * does (0013). The policies' index on (tenant_id, created_at) left the tie on `id` to a sort of
 * every row sharing a creation time: a bulk import writes a tenant's rows with one `now()`, and
 * then every `GET /subscriptions` page and search walk sorted all of them (100,000 policies: a
 * search's p50 87 ms, the walk's sort nearly all of it). The user list had no index in its order.
 * The new policy index also serves the reports' ranges of `created_at`, so it replaces the old one.
 */
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query('CREATE INDEX subscriptions_tenant_created_order ON subscriptions (tenant_id, created_at DESC, id)');
  await qi.sequelize.query('DROP INDEX subscriptions_tenant_created_at');
  await qi.sequelize.query('CREATE INDEX users_tenant_created_order ON users (tenant_id, created_at, id)');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DROP INDEX users_tenant_created_order');
  await qi.sequelize.query('CREATE INDEX subscriptions_tenant_created_at ON subscriptions (tenant_id, created_at)');
  await qi.sequelize.query('DROP INDEX subscriptions_tenant_created_order');
};
