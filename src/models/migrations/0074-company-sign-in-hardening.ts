/**
 * Company sign-in hardening (docs/accounts.md, Company sign-in; docs/security.md, Company sign-in):
 *
 * - `tenant_sso.client_secret` (clear) becomes `client_secret_sealed`: AES-256-GCM under a key
 *   derived from JWT_SECRET, bound to the tenant, as webhook secrets are. The clear column is emptied
 *   now but dropped only by a later release (expand, then contract: docs/deploying.md): the previous
 *   release's processes still select it while a deploy replaces them, and a missing column would
 *   fail every query of theirs on `tenant_sso`, not just a sign-in. The sealed column stays
 *   nullable in the table (a NOT NULL would scan it under an exclusive lock); the model requires it. The models layer cannot
 *   seal: the runner hands in its sealer (scripts/migrate.ts and scripts/admin.ts, from
 *   JWT_SECRET). A database holding secrets to seal, migrated without JWT_SECRET, is refused with
 *   nothing changed rather than left in clear. The rollback opens them again (same condition).
 * - `tenant_sso.link_existing_accounts`: whether a first sign-in may take over an existing account
 *   with the same (verified) address; false for every tenant, as for new ones, until its admin
 *   turns it on.
 * - `tenant_sso.mfa_acr_values`: the provider's `acr` values the tenant counts as a second factor.
 * - `sso_identities.role_from_groups`: whether the account's role follows the provider's groups.
 *   An existing link whose account was created more than a minute before it (a password account
 *   taken over, not one the sign-in created in the same transaction) keeps its role from now on.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { CLIENT_SECRET_PURPOSE } from '../tenant-sso';
import type { MigrationContext, MigrationFn, SecretSealer } from './helpers';

/** The rows' secrets to rewrite, and the sealer to do it with (refused without one when there are any). */
async function secretsToRewrite(
  qi: Parameters<MigrationFn>[0],
  column: 'client_secret' | 'client_secret_sealed',
  context: MigrationContext | undefined,
  transaction: Transaction,
): Promise<{ rows: Array<{ tenantId: string; value: string }>; sealer: SecretSealer }> {
  const rows = await qi.sequelize.query<{ tenantId: string; value: string }>(
    `SELECT tenant_id AS "tenantId", ${column} AS value FROM tenant_sso FOR UPDATE`,
    { type: QueryTypes.SELECT, transaction },
  );
  const sealer = context?.sealer;
  if (rows.length > 0 && !sealer)
    throw new Error(
      `migration 0074 rewrites the OpenID client secrets of ${rows.length} tenant(s) and needs the API's JWT_SECRET: run it with JWT_SECRET set`,
    );
  return { rows, sealer: sealer as SecretSealer };
}

export const up: MigrationFn = async (qi, context) => {
  await qi.sequelize.transaction(async (transaction) => {
    const sql = (statement: string, bind: unknown[] = []) => qi.sequelize.query(statement, { bind, transaction });
    const { rows, sealer } = await secretsToRewrite(qi, 'client_secret', context, transaction);
    await sql('ALTER TABLE tenant_sso ADD COLUMN client_secret_sealed text');
    for (const { tenantId, value } of rows) {
      await sql('UPDATE tenant_sso SET client_secret_sealed = $1 WHERE tenant_id = $2', [
        sealer.seal(CLIENT_SECRET_PURPOSE, tenantId, value),
        tenantId,
      ]);
    }
    await sql('ALTER TABLE tenant_sso ALTER COLUMN client_secret DROP NOT NULL');
    await sql('UPDATE tenant_sso SET client_secret = NULL');
    await sql(
      `ALTER TABLE tenant_sso ADD COLUMN link_existing_accounts boolean NOT NULL DEFAULT false,
         ADD COLUMN mfa_acr_values jsonb NOT NULL DEFAULT '[]'::jsonb`,
    );
    await sql('ALTER TABLE sso_identities ADD COLUMN role_from_groups boolean NOT NULL DEFAULT true');
    await sql(
      `UPDATE sso_identities SET role_from_groups = false FROM users
        WHERE users.id = sso_identities.user_id AND users.created_at < sso_identities.created_at - interval '1 minute'`,
    );
  });
};

export const down: MigrationFn = async (qi, context) => {
  await qi.sequelize.transaction(async (transaction) => {
    const sql = (statement: string, bind: unknown[] = []) => qi.sequelize.query(statement, { bind, transaction });
    const { rows, sealer } = await secretsToRewrite(qi, 'client_secret_sealed', context, transaction);
    for (const { tenantId, value } of rows) {
      const secret = sealer.open(CLIENT_SECRET_PURPOSE, tenantId, value);
      if (secret === null) throw new Error(`the OpenID client secret of tenant ${tenantId} does not open with this JWT_SECRET`);
      await sql('UPDATE tenant_sso SET client_secret = $1 WHERE tenant_id = $2', [secret, tenantId]);
    }
    await sql(
      `ALTER TABLE tenant_sso ALTER COLUMN client_secret SET NOT NULL, DROP COLUMN client_secret_sealed,
         DROP COLUMN link_existing_accounts, DROP COLUMN mfa_acr_values`,
    );
    await sql('ALTER TABLE sso_identities DROP COLUMN role_from_groups');
  });
};
