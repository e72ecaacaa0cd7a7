/**
 * The kept claim counts per stage (migration 0068) on real PostgreSQL: after filings, stage changes
 * in both directions, writes that leave the stage as it was, deletions (as an erasure or an
 * offboarding deletes claims) and a burst of concurrent writes, each tenant's kept counts are
 * exactly what counting its claims says, and the claims report's figures read them. The migration
 * fills the counts of claims written before it.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { CLAIM_STAGES, type ClaimStage } from '../../src/contracts/claim';
import { claimsByCurrentStage } from '../../src/domain/reports/claims-queries';
import { Claim, Tenant } from '../../src/models';
import { down, up } from '../../src/models/migrations/0068-claim-stage-counts';
import { buildClaim, buildSubscription, buildTenant } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';

const BURST = 40;

describe('claim counts per stage, kept by a trigger', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 20 });
    sequelize = db.sequelize;
    [tenant, other] = [await buildTenant(), await buildTenant()];
  });
  afterAll(() => db?.close());

  const kept = async (tenantId: string) =>
    Object.fromEntries(
      (
        await sequelize.query<{ stage: string; count: number }>('SELECT stage, count FROM claim_stage_counts WHERE tenant_id = :tenantId', {
          replacements: { tenantId },
          type: QueryTypes.SELECT,
        })
      )
        .filter((row) => row.count !== 0)
        .map((row) => [row.stage, row.count]),
    );
  const counted = async (tenantId: string) =>
    Object.fromEntries(
      (
        await sequelize.query<{ status: string; count: number }>(
          'SELECT status, count(*)::int AS count FROM claims WHERE tenant_id = :tenantId GROUP BY status',
          { replacements: { tenantId }, type: QueryTypes.SELECT },
        )
      ).map((row) => [row.status, row.count]),
    );
  const report = (counts: Partial<Record<ClaimStage, number>>) => ({
    ...Object.fromEntries(CLAIM_STAGES.map((stage) => [stage, 0])),
    ...counts,
  });
  const move = (claim: Claim, status: ClaimStage) => Claim.update({ status }, { where: { id: claim.id } });

  it('counts filings, stage changes both ways and deletions exactly, per tenant', async () => {
    expect(await claimsByCurrentStage(sequelize, tenant.id)).toEqual(report({}));

    const claims = [];
    for (let i = 0; i < 5; i++) claims.push(await buildClaim({ tenantId: tenant.id }));
    const theirs = await buildClaim({ tenantId: other.id });
    expect(await kept(tenant.id)).toEqual({ reported: 5 });
    expect(await kept(other.id)).toEqual({ reported: 1 });

    await move(claims[0], 'assigned');
    await move(claims[1], 'assigned');
    await move(claims[1], 'under_review');
    await move(claims[2], 'assigned');
    await move(claims[2], 'reported'); // back, in the other direction of the stage-name order
    await move(claims[3], 'reported'); // the same stage: no change
    await Claim.update({ description: 'Burst pipe' }, { where: { id: claims[4].id } }); // not the status
    expect(await kept(tenant.id)).toEqual({ reported: 3, assigned: 1, under_review: 1 });
    expect(await claimsByCurrentStage(sequelize, tenant.id)).toEqual(report({ reported: 3, assigned: 1, under_review: 1 }));

    // Deleted as an erasure deletes a person's closed claims, one statement for several.
    await move(claims[0], 'closed');
    await move(claims[1], 'closed');
    await sequelize.query('DELETE FROM claims WHERE id IN (:ids)', { replacements: { ids: [claims[0].id, claims[1].id] } });
    expect(await kept(tenant.id)).toEqual({ reported: 3 });
    expect(await kept(tenant.id)).toEqual(await counted(tenant.id));

    // An offboarding may delete the counts before the claims: deleting the claims then creates none.
    await sequelize.query('DELETE FROM claim_stage_counts WHERE tenant_id = :tenantId', { replacements: { tenantId: other.id } });
    await sequelize.query('DELETE FROM claims WHERE id = :id', { replacements: { id: theirs.id } });
    expect(await kept(other.id)).toEqual({});
    expect(await claimsByCurrentStage(sequelize, other.id)).toEqual(report({}));
  });

  it('stays exact through a burst of concurrent filings and stage changes in both directions', async () => {
    const burst = await buildTenant();
    const subscription = await buildSubscription({ tenantId: burst.id });
    const movers: Claim[] = [];
    for (let i = 0; i < BURST; i++) movers.push(await buildClaim({ tenantId: burst.id, subscriptionId: subscription.id }));
    for (const claim of movers.slice(0, BURST / 2)) await move(claim, 'assigned');

    // Each write in its own transaction, all at once: filings, reported -> assigned and assigned -> reported.
    const numbers = Array.from({ length: BURST }, (_, i) => `CLM-BURST-${i}`);
    await Promise.all([
      ...numbers.map((claimNumber) =>
        sequelize.transaction((transaction) =>
          sequelize.query(
            `INSERT INTO claims (id, tenant_id, claim_number, subscription_id, claimant_id, filed_by_id, incident_date, description,
                                 amount_claimed, status, workflow_id, created_at, updated_at)
             SELECT gen_random_uuid(), tenant_id, :claimNumber, id, policyholder_id, policyholder_id, start_date, 'Burst',
                    100, 'reported', :claimNumber, now(), now()
               FROM subscriptions WHERE id = :subscriptionId`,
            { replacements: { claimNumber, subscriptionId: subscription.id }, transaction },
          ),
        ),
      ),
      ...movers.map((claim, i) =>
        sequelize.transaction((transaction) =>
          Claim.update({ status: i < BURST / 2 ? 'reported' : 'assigned' }, { where: { id: claim.id }, transaction }),
        ),
      ),
    ]);

    expect(await kept(burst.id)).toEqual({ reported: BURST + BURST / 2, assigned: BURST / 2 });
    expect(await kept(burst.id)).toEqual(await counted(burst.id));
  });

  it('is filled by the migration from the claims written before it', async () => {
    const before = await buildTenant();
    const queryInterface = sequelize.getQueryInterface();
    await down(queryInterface);
    const claims = [];
    for (let i = 0; i < 3; i++) claims.push(await buildClaim({ tenantId: before.id }));
    await move(claims[0], 'approved');

    await up(queryInterface);

    expect(await kept(before.id)).toEqual({ reported: 2, approved: 1 });
    expect(await kept(tenant.id)).toEqual(await counted(tenant.id));
    await move(claims[1], 'approved');
    expect(await kept(before.id)).toEqual({ reported: 1, approved: 2 });
  });
});
