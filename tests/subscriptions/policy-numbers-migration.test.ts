/**
 * Migration 0020 on a database that already holds subscriptions (real PostgreSQL): taken back to
 * before it, given rows of two tenants over two years, then migrated again.
 */
import { QueryTypes } from 'sequelize';
import * as issuedPolicies from '../../src/models/migrations/0020-issued-policies';
import { Subscription } from '../../src/models';
import { buildCategory, buildTenant, buildUser } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';
import { utcDayLasting } from '../support/utc-days';

describe('migration 0020 (issued policies) on existing rows', () => {
  const migration = migrationOnExistingRows(issuedPolicies);

  /** A plan written by SQL, as it was before the migration (no policy_type column). */
  async function planIn(tenantId: string, categoryName: string): Promise<string> {
    const category = await buildCategory({ tenantId, name: categoryName });
    const [row] = await migration.sequelize.query<{ id: string }>(
      `INSERT INTO plans (id, tenant_id, category_id, name, coverage_level, coverage_amount, premium, duration_months, created_at, updated_at)
       VALUES (gen_random_uuid(), :tenantId, :categoryId, :name, 'basic', 1000, 10, 12, now(), now()) RETURNING id`,
      { replacements: { tenantId, categoryId: category.id, name: categoryName }, type: QueryTypes.SELECT },
    );
    return row.id;
  }

  it('numbers existing rows per tenant and year in creation order, types them from their plan, and numbers new rows after them', async () => {
    const { first, second, shop, other, holder, otherHolder, thisYear, ids } = await migration.migrate(async (sequelize) => {
      const [first, second] = [await buildTenant(), await buildTenant()];
      const home = await planIn(first.id, 'Apartment');
      const shop = await planIn(first.id, 'Small commercial');
      const other = await planIn(second.id, 'Detached house');
      const holder = await buildUser({ tenantId: first.id, role: 'policyholder' });
      const otherHolder = await buildUser({ tenantId: second.id, role: 'policyholder' });
      // The year new rows are numbered in below: still this one then, not past a New Year's midnight.
      const thisYear = Number((await utcDayLasting()).slice(0, 4));
      const rows: Array<[string, string, string, string]> = [
        // tenant, plan, holder, created at
        [first.id, home, holder.id, `${thisYear - 1}-03-01T10:00:00Z`],
        [first.id, shop, holder.id, `${thisYear - 1}-01-15T10:00:00Z`],
        [first.id, home, holder.id, `${thisYear}-01-02T10:00:00Z`],
        [second.id, other, otherHolder.id, `${thisYear}-01-03T10:00:00Z`],
        [first.id, shop, holder.id, `${thisYear}-01-01T10:00:00Z`],
      ];
      const ids: string[] = [];
      for (const [tenantId, planId, policyholderId, createdAt] of rows) {
        const [row] = await sequelize.query<{ id: string }>(
          `INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, status, coverage_amount, premium, duration_months, created_at, updated_at)
           VALUES (gen_random_uuid(), :tenantId, :planId, :policyholderId, 'active', 1000, 10, 12, :createdAt, :createdAt) RETURNING id`,
          { replacements: { tenantId, planId, policyholderId, createdAt }, type: QueryTypes.SELECT },
        );
        ids.push(row.id);
      }
      return { first, second, shop, other, holder, otherHolder, thisYear, ids };
    });
    const { sequelize } = migration;

    const migrated = await Promise.all(ids.map((id) => Subscription.findByPk(id, { rejectOnEmpty: true })));
    expect(migrated.map((s) => [s.policyNumber, s.policyType])).toEqual([
      [`POL-${thisYear - 1}-000002`, 'home'],
      [`POL-${thisYear - 1}-000001`, 'business'],
      [`POL-${thisYear}-000002`, 'home'],
      [`POL-${thisYear}-000001`, 'home'],
      [`POL-${thisYear}-000001`, 'business'],
    ]);
    // The next issue in each tenant continues after the numbers the migration gave.
    const next = await Subscription.create({
      tenantId: first.id,
      planId: shop,
      policyholderId: holder.id,
      coverageAmount: '1000.00',
      premium: '10.00',
      durationMonths: 12,
    });
    expect(next).toMatchObject({ policyNumber: `POL-${thisYear}-000003`, policyType: 'business' });
    const nextOther = await Subscription.create({
      tenantId: second.id,
      planId: other,
      policyholderId: otherHolder.id,
      coverageAmount: '1000.00',
      premium: '10.00',
      durationMonths: 12,
    });
    expect(nextOther.policyNumber).toBe(`POL-${thisYear}-000002`);
    // The same number twice in a tenant is refused by the unique index.
    await expect(
      sequelize.query(`UPDATE subscriptions SET policy_number = :taken WHERE id = :id`, {
        replacements: { taken: next.policyNumber, id: ids[0] },
      }),
    ).rejects.toMatchObject({ parent: { constraint: 'subscriptions_tenant_policy_number' } });
  });
});
