/**
 * GET /claims filtered by tenant and stage alone counts its total from the kept counts per stage
 * (src/domain/claims/kept-count.ts, migration 0068) in the page's statement, on the real API and
 * PostgreSQL: the total is what counting the claims gives as claims are filed, move stage and are
 * deleted, capped as a counted total is; any other filter is counted on the claims.
 */
import type { Attributes, WhereOptions } from 'sequelize';
import { paginatePlain } from '../../../src/api/lists/pagination';
import { keptClaimCount } from '../../../src/domain/claims/kept-count';
import { Claim, type User } from '../../../src/models';
import { createClaimsTeam, type ClaimsTeam } from '../../claims/fixtures';
import { bearer, buildClaim, buildSubscription } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';
import { sentToPostgres } from '../../support/statements';

describe('the claim list’s total from the kept counts', () => {
  const stack = testStackOfBlock();
  let team: ClaimsTeam;

  beforeAll(async () => {
    team = await createClaimsTeam();
  }, 300_000);

  /** The list's total and the statements that read claims for it. */
  async function listed(user: User, query: string) {
    const { result, statements } = await sentToPostgres(() =>
      stack.api
        .get(`/api/v1/claims${query}`)
        .set({ Authorization: bearer(stack.config, user) })
        .expect(200),
    );
    return { pagination: result.body.pagination, statements: statements.filter((sql) => /\bclaims\b/.test(sql)) };
  }

  it('answers the total counting the claims gives, as claims are filed, move stage and are deleted; other filters count the claims', async () => {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, tenantId: team.tenant.id });
    const claims = [];
    for (let i = 0; i < 5; i++) claims.push(await buildClaim({ subscriptionId: subscription.id }));
    await claims[0].update({ status: 'under_review', assigneeId: team.adjuster.id });
    await claims[1].update({ status: 'under_review' });
    await claims[2].destroy();

    const expectations: [User, string, WhereOptions<Attributes<Claim>>][] = [
      [team.manager, '', { tenantId: team.tenant.id }],
      [team.manager, '?status=under_review', { tenantId: team.tenant.id, status: 'under_review' }],
      [team.manager, '?status=closed', { tenantId: team.tenant.id, status: 'closed' }],
      [team.manager, `?assigneeId=${team.adjuster.id}`, { tenantId: team.tenant.id, assigneeId: team.adjuster.id }],
      [team.claimant, '', { tenantId: team.tenant.id, claimantId: team.claimant.id }],
    ];
    for (const [user, query, where] of expectations) {
      const { pagination, statements } = await listed(user, `${query}${query ? '&' : '?'}pageSize=2`);
      const counted = await Claim.count({ where });
      expect([query, user.role, pagination.total, pagination.totalIsExact]).toEqual([query, user.role, counted, true]);
      expect(pagination.hasMore).toBe(counted > 2);
      // One statement: the page with its total, counted from the kept counts where they cover the filters.
      const kept = !query.includes('assigneeId') && user.role !== 'policyholder';
      expect([query, user.role, statements.length, statements[0].includes('claim_stage_counts')]).toEqual([query, user.role, 1, kept]);
    }
    expect((await listed(team.manager, '')).pagination.total).toBe(4);
    expect((await listed(team.manager, '?status=under_review')).pagination.total).toBe(2);
  });

  it('caps a kept total as a counted one, and counts a page past the last on its own', async () => {
    const { tenant } = await createClaimsTeam();
    const subscription = await buildSubscription({ tenantId: tenant.id });
    for (let i = 0; i < 5; i++) await buildClaim({ subscriptionId: subscription.id });
    const read = (page: number, totalCap: number) =>
      paginatePlain(Claim, { page, pageSize: 2 }, { tenantId: tenant.id }, { totalCap, keptCount: keptClaimCount });
    expect((await read(1, 3)).pagination).toEqual({ page: 1, pageSize: 2, total: 3, totalIsExact: false, hasMore: true, totalPages: 2 });
    expect((await read(1, 5)).pagination).toEqual({ page: 1, pageSize: 2, total: 5, totalIsExact: true, hasMore: true, totalPages: 3 });
    const past = await read(9, 5);
    expect([past.items, past.pagination.total, past.pagination.hasMore]).toEqual([[], 5, false]);
  });
});
