/**
 * GraphQL's claims, notes, plans and subscriptions beside the REST routes they mirror, on the real
 * API and PostgreSQL: a claim's history in REST's order, withdrawn notes hidden unless a tenant
 * admin asks for them (and then marked), and one plan or subscription by id under REST's access
 * policy (null where REST answers 404).
 */
import crypto from 'node:crypto';
import { ClaimNote, ClaimRecovery, type Claim, type Plan, type Subscription, type User } from '../../src/models';
import { buildClaim, buildClaimMoves, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { testStackOfBlock } from '../support/stack';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

describe('GraphQL beside REST: claims, notes, plans and subscriptions (real API and PostgreSQL)', () => {
  const stack = testStackOfBlock();
  let team: ClaimsTeam;
  let other: ClaimsTeam;
  let admin: User;
  let claim: Claim;
  let subscription: Subscription;

  const { graphql, data, rest } = apiClient(() => stack);

  beforeAll(async () => {
    [team, other] = await Promise.all([createClaimsTeam(), createClaimsTeam()]);
    admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    // Expired and closed: GET /subscriptions/:id and GET /claims/:id ask no run for a live state.
    subscription = await buildSubscription({ policyholderId: team.claimant.id, status: 'expired' });
    claim = await buildClaim({ subscriptionId: subscription.id, status: 'closed', assigneeId: team.adjuster.id });
  });

  describe("a claim's history", () => {
    const HISTORY = 'query($id: ID!, $last: Int) { claim(id: $id) { history(last: $last) { sequence toStatus } } }';

    it('comes oldest first, as GET /claims/:id lists it; `last: n` is the last n entries in that order', async () => {
      await buildClaimMoves(claim, ['assigned', 'under_review', 'approved', 'closed'], team.adjuster.id);
      const restHistory = (await rest(`/claims/${claim.id}`, team.manager)).history as { sequence: number; toStatus: string }[];
      expect(restHistory.map((entry) => entry.sequence)).toEqual([0, 1, 2, 3, 4]);

      const all = await data<{ claim: { history: { sequence: number; toStatus: string }[] } }>(HISTORY, { id: claim.id }, team.manager);
      expect(all.claim.history).toEqual(restHistory.map(({ sequence, toStatus }) => ({ sequence, toStatus })));
      const lastTwo = await data<{ claim: { history: { sequence: number }[] } }>(HISTORY, { id: claim.id, last: 2 }, team.manager);
      expect(lastTwo.claim.history.map((entry) => entry.sequence)).toEqual([3, 4]);
    });
  });

  describe("a claim's figures", () => {
    it('answer recoveredBeyondPaid as GET /claims/:id does, where the recoveries exceed what the claim paid', async () => {
      // 60.00 of salvage recovered, and the one payment returned: nothing paid, 60.00 beyond it.
      const returned = await buildClaim({ subscriptionId: subscription.id, status: 'closed', assigneeId: team.adjuster.id });
      await ClaimRecovery.create({
        id: crypto.randomUUID(),
        tenantId: returned.tenantId,
        claimId: returned.id,
        kind: 'salvage',
        amount: '60.00',
        receivedOn: '2026-11-02',
        recordedById: team.manager.id,
      });
      const restFigures = (await rest(`/claims/${returned.id}`, team.manager)).financials as Record<string, string>;
      expect(restFigures).toMatchObject({ paid: '0.00', recovered: '60.00', recoveredBeyondPaid: '60.00' });

      const answer = await data<{ claim: { financials: Record<string, string> } }>(
        'query($id: ID!) { claim(id: $id) { financials { currency outstanding paid recovered incurred recoveredBeyondPaid } } }',
        { id: returned.id },
        team.manager,
      );
      expect(answer.claim.financials).toEqual(restFigures);
    });
  });

  describe('notes', () => {
    const NOTES = `query($id: ID!, $includeWithdrawn: Boolean) { claim(id: $id) {
      notes(includeWithdrawn: $includeWithdrawn) { id body withdrawn withdrawnAt withdrawalReason withdrawnBy { id } } } }`;
    type NoteAnswer = { id: string; body: string; withdrawn: boolean; withdrawnAt: string | null; withdrawalReason: string | null };
    let kept: ClaimNote;
    let withdrawn: ClaimNote;

    beforeAll(async () => {
      const note = { tenantId: claim.tenantId, claimId: claim.id, authorId: team.adjuster.id };
      kept = await ClaimNote.create({ ...note, body: 'Spoke to the plumber' });
      withdrawn = await ClaimNote.create({
        ...note,
        body: 'Wrong claim, sorry',
        withdrawnAt: new Date(),
        withdrawnById: team.manager.id,
        withdrawalReason: 'Written on the wrong claim',
      });
    });

    const idsOf = (items: { id: string }[]) => items.map((item) => item.id);

    it('hides withdrawn notes from a tenant admin who does not ask for them, as GET /claims/:id/notes', async () => {
      const listed = await rest(`/claims/${claim.id}/notes`, admin);
      const answer = await data<{ claim: { notes: NoteAnswer[] } }>(NOTES, { id: claim.id }, admin);
      expect(idsOf(answer.claim.notes)).toEqual(idsOf(listed.items));
      expect(answer.claim.notes).toEqual([
        { id: kept.id, body: kept.body, withdrawn: false, withdrawnAt: null, withdrawalReason: null, withdrawnBy: null },
      ]);
    });

    it('shows them, marked, to a tenant admin who asks (includeWithdrawn), as REST does', async () => {
      const listed = await rest(`/claims/${claim.id}/notes?includeWithdrawn=true`, admin);
      const answer = await data<{ claim: { notes: NoteAnswer[] } }>(NOTES, { id: claim.id, includeWithdrawn: true }, admin);
      expect(idsOf(answer.claim.notes)).toEqual(idsOf(listed.items));
      expect(answer.claim.notes).toContainEqual({
        id: withdrawn.id,
        body: withdrawn.body,
        withdrawn: true,
        withdrawnAt: withdrawn.withdrawnAt!.toISOString(),
        withdrawalReason: 'Written on the wrong claim',
        withdrawnBy: { id: team.manager.id },
      });
    });

    it('refuses includeWithdrawn to anyone else (FORBIDDEN where REST answers 403), and hides withdrawn notes from them', async () => {
      await rest(`/claims/${claim.id}/notes?includeWithdrawn=true`, team.manager, 403);
      const refused = await graphql(NOTES, { id: claim.id, includeWithdrawn: true }, team.manager);
      expect(refused.data).toEqual({ claim: { notes: null } });
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

      const listed = await rest(`/claims/${claim.id}/notes`, team.manager);
      const answer = await data<{ claim: { notes: NoteAnswer[] } }>(NOTES, { id: claim.id }, team.manager);
      expect(idsOf(answer.claim.notes)).toEqual(idsOf(listed.items));
      expect(idsOf(answer.claim.notes)).toEqual([kept.id]);
    });
  });

  describe('one plan or subscription by id', () => {
    const PLAN = 'query($id: ID!) { plan(id: $id) { id name premium coverageAmount isActive category { id } } }';
    const SUBSCRIPTION = 'query($id: ID!) { subscription(id: $id) { id status premium plan { id } policyholder { id } } }';
    let active: Plan;
    let retired: Plan;
    let otherPlan: Plan;
    let neighbours: Subscription;
    let otherSubscription: Subscription;

    beforeAll(async () => {
      active = await buildPlan({ tenantId: team.tenant.id });
      retired = await buildPlan({ tenantId: team.tenant.id, isActive: false });
      otherPlan = await buildPlan({ tenantId: other.tenant.id });
      // Another policyholder of the same tenant, and another tenant's.
      neighbours = await buildSubscription({ tenantId: team.tenant.id, status: 'expired' });
      otherSubscription = await buildSubscription({ policyholderId: other.claimant.id, status: 'expired' });
    });

    it('answers a plan as GET /plans/:id does, and null where REST answers 404 (withdrawn, another tenant)', async () => {
      const shown = await rest(`/plans/${active.id}`, team.claimant);
      const { plan } = await data<{ plan: Record<string, unknown> }>(PLAN, { id: active.id }, team.claimant);
      expect(plan).toEqual({
        id: shown.id,
        name: shown.name,
        premium: shown.premium,
        coverageAmount: shown.coverageAmount,
        isActive: true,
        category: { id: shown.categoryId },
      });

      for (const [id, user] of [
        [retired.id, team.claimant],
        [otherPlan.id, admin],
      ] as const) {
        await rest(`/plans/${id}`, user, 404);
        expect(await graphql(PLAN, { id }, user)).toEqual({ data: { plan: null } });
      }
      // A tenant admin keeps seeing a withdrawn plan, as on REST.
      await rest(`/plans/${retired.id}`, admin);
      expect((await data<{ plan: { id: string; isActive: boolean } }>(PLAN, { id: retired.id }, admin)).plan).toMatchObject({
        id: retired.id,
        isActive: false,
      });
    });

    it('answers a subscription as GET /subscriptions/:id does: the policyholder their own, the staff the tenant’s, null where REST answers 404', async () => {
      const shown = await rest(`/subscriptions/${subscription.id}`, team.claimant);
      const mine = await data<{ subscription: Record<string, unknown> }>(SUBSCRIPTION, { id: subscription.id }, team.claimant);
      expect(mine.subscription).toEqual({
        id: shown.id,
        status: shown.status,
        premium: shown.premium,
        plan: { id: shown.planId },
        policyholder: { id: team.claimant.id },
      });

      await rest(`/subscriptions/${neighbours.id}`, team.adjuster);
      const staff = await data<{ subscription: { id: string } }>(SUBSCRIPTION, { id: neighbours.id }, team.adjuster);
      expect(staff.subscription).toMatchObject({ id: neighbours.id });

      for (const [id, user] of [
        [neighbours.id, team.claimant],
        [otherSubscription.id, team.manager],
      ] as const) {
        await rest(`/subscriptions/${id}`, user, 404);
        expect(await graphql(SUBSCRIPTION, { id }, user)).toEqual({ data: { subscription: null } });
      }
    });

    it('refuses a malformed id (BAD_USER_INPUT) as REST answers 400', async () => {
      await rest('/plans/not-a-uuid', team.claimant, 400);
      for (const query of [PLAN, SUBSCRIPTION]) {
        const answer = await graphql(query, { id: 'not-a-uuid' }, team.claimant);
        expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      }
    });
  });
});
