/**
 * Migration 0074 on a database that already holds company sign-in settings (real PostgreSQL): the
 * clear OpenID client secrets are sealed (and nothing changes without the key to seal them), the
 * links of accounts taken over keep their role from then on, and the rollback opens the secrets
 * again.
 */
import { QueryTypes } from 'sequelize';
import { down, up } from '../../src/models/migrations/0074-company-sign-in-hardening';
import { TenantSso, type User } from '../../src/models';
import { CLIENT_SECRET_PURPOSE } from '../../src/models/tenant-sso';
import { openSecret, secretSealer } from '../../src/services/sealed-secret';
import { TEST_JWT_SECRET } from '../support/config';
import { testDatabaseOfBlock } from '../support/database';
import { buildTenant, buildUser } from '../support/factories';

const SECRET = 'a-clear-client-secret-0123456789';
const KEY = { secret: TEST_JWT_SECRET };

describe('migration 0074 (company sign-in hardening) on existing rows', () => {
  const db = testDatabaseOfBlock();

  const select = <T extends object>(sql: string, bind: unknown[]) => db.sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });
  const rowText = async (tenantId: string) =>
    (await select<{ text: string }>('SELECT row_to_json(t)::text AS text FROM tenant_sso t WHERE tenant_id = $1', [tenantId]))[0].text;
  const link = (user: User, subject: string) =>
    db.sequelize.query(
      `INSERT INTO sso_identities (issuer, subject, user_id, created_at) VALUES ('https://idp.example.test', $1, $2, now())`,
      {
        bind: [subject, user.id],
      },
    );
  const roleFromGroups = async (user: User) =>
    (await select<{ role_from_groups: boolean }>('SELECT role_from_groups FROM sso_identities WHERE user_id = $1', [user.id]))[0]
      .role_from_groups;

  it('seals the clear secrets, refuses to run without the key, keeps taken-over accounts’ roles, and rolls back', async () => {
    const qi = db.sequelize.getQueryInterface();
    const sealer = secretSealer(KEY);
    await down(qi, { sealer });
    const tenant = await buildTenant();
    await db.sequelize.query(
      `INSERT INTO tenant_sso (tenant_id, issuer, client_id, client_secret, allowed_domains, group_roles, enabled, required_for_staff, created_at, updated_at)
       VALUES ($1, 'https://idp.example.test', 'insurflow', $2, '["acme.test"]', '{}', true, false, now(), now())`,
      { bind: [tenant.id, SECRET] },
    );
    // A password account linked at a sign-in a month after it was made, and one a sign-in created.
    const takenOver = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    await db.sequelize.query(`UPDATE users SET created_at = now() - interval '30 days' WHERE id = $1`, { bind: [takenOver.id] });
    const created = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    await link(takenOver, 'subject-of-the-admin');
    await link(created, 'subject-of-the-adjuster');

    await expect(up(qi, {})).rejects.toThrow(/JWT_SECRET/);
    expect(await rowText(tenant.id)).toContain(`"client_secret":"${SECRET}"`);

    await up(qi, { sealer });
    expect(await rowText(tenant.id)).not.toContain(SECRET);
    const row = await TenantSso.findByPk(tenant.id, { rejectOnEmpty: true });
    expect(openSecret(KEY, CLIENT_SECRET_PURPOSE, tenant.id, row.clientSecretSealed)).toBe(SECRET);
    // Bound to its tenant: copied onto another tenant's row it opens to nothing.
    expect(openSecret(KEY, CLIENT_SECRET_PURPOSE, takenOver.id, row.clientSecretSealed)).toBeNull();
    expect(row).toMatchObject({ linkExistingAccounts: false, mfaAcrValues: [] });
    expect(await roleFromGroups(takenOver)).toBe(false);
    expect(await roleFromGroups(created)).toBe(true);

    await down(qi, { sealer });
    expect(await rowText(tenant.id)).toContain(`"client_secret":"${SECRET}"`);
    await up(qi, { sealer });
  });
});
