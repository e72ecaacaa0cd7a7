/**
 * Migration 0119 on a database that already holds quotes (real PostgreSQL): taken back to before it, given quotes
 * written without their holder, as a release before 0117 wrote them, then migrated again. A quote a policyholder
 * asked for records them (more than one batch of them), staff's and a visitor's none, and a holder already recorded
 * stays.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import * as quoteHolders from '../../src/models/migrations/0119-quote-holders';
import { Quote } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0119 (the holder of quotes recorded without one) on existing rows', () => {
  const migration = migrationOnExistingRows(quoteHolders);

  /** `count` quotes on `planId` asked for by `requestedById` (null: a visitor), recording `policyholderId` (null: none), as raw rows. */
  async function quotes(
    sequelize: Sequelize,
    row: { tenantId: string; planId: string; requestedById: string | null; policyholderId?: string | null },
    count = 1,
  ): Promise<string[]> {
    const written = await sequelize.query<{ id: string }>(
      `INSERT INTO quotes (id, tenant_id, plan_id, requested_by_id, policyholder_id, status, risk, currency, premium_minor,
                           valid_until, created_at, updated_at)
       SELECT gen_random_uuid(), :tenantId, :planId, CAST(:requestedById AS uuid), CAST(:policyholderId AS uuid), 'quoted', '{}',
              'EUR', 47520, now() + interval '30 days', now(), now()
         FROM generate_series(1, :count)
       RETURNING id`,
      { type: QueryTypes.SELECT, replacements: { policyholderId: null, ...row, count } },
    );
    return written.map(({ id }) => id);
  }

  /** The holder each quote records, in the order of `ids`. */
  async function holdersOf(ids: string[]): Promise<Array<string | null>> {
    const rows = await Quote.findAll({ where: { id: ids }, attributes: ['id', 'policyholderId'] });
    const byId = new Map(rows.map((row) => [row.id, row.policyholderId]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  it("records a policyholder's quotes as theirs, in batches, and staff's and visitors' as no one's", async () => {
    const tenant = await buildTenant();
    const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    const [holder, neighbour, agent] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
    ]);
    const on = { tenantId: tenant.id, planId: plan.id };

    const before = await migration.migrate(async (sequelize) => ({
      // More than a batch of 1,000, so the fill goes on past its first.
      holders: await quotes(sequelize, { ...on, requestedById: holder.id }, 1200),
      staffs: await quotes(sequelize, { ...on, requestedById: agent.id }),
      visitors: await quotes(sequelize, { ...on, requestedById: null }),
      // Recorded by the release of 0117, for the holder staff priced it for (as a moved risk's quote records it).
      recorded: await quotes(sequelize, { ...on, requestedById: agent.id, policyholderId: neighbour.id }),
    }));

    expect(new Set(await holdersOf(before.holders))).toEqual(new Set([holder.id]));
    expect(await holdersOf([...before.staffs, ...before.visitors, ...before.recorded])).toEqual([null, null, neighbour.id]);
  });
});
