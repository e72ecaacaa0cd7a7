/**
 * GET /me/tasks on the dev server with a real worker: each role sees its own work, ordered by due
 * date with counts per kind, inside the access policy; acting through the API (a reassignment, a
 * review decision) takes the task out of the inbox.
 */
import crypto from 'node:crypto';
import { ClaimHistory, Invoice, Registration, Subscription, SubscriptionChange, User } from '../../../src/models';
import { billCurrentTerm } from '../../../src/domain/premiums/billing';
import type { ClaimStage } from '../../../src/contracts/claim';
import { DEFAULT_TENANT_SETTINGS } from '../../../src/shared/tenant-settings';
import { ClaimsTeam, createClaimsTeam } from '../../claims/fixtures';
import {
  bearer,
  buildAcknowledgement,
  buildClaim,
  buildPlan,
  buildPolicyVersion,
  buildSubscription,
  buildTenant,
  buildUser,
  TEST_PASSWORD_HASH,
} from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface TaskBody {
  kind: string;
  id: string;
  title: string;
  dueAt: string | null;
  links: { rel: string; method: string; href: string }[];
}

describe('GET /me/tasks', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;
  let subscription: Subscription;
  let reviewer: User;
  let author: User;
  let platformAdmin: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const inbox = async (user: User, query = '') => {
    const res = await stack.api.get(`/api/v1/me/tasks${query}`).set(as(user));
    expect(res.status).toBe(200);
    return res.body as { items: TaskBody[]; counts: Record<string, number>; limit: number };
  };

  /** A claim assigned to `assigneeId` that entered `stage` at `enteredAt` (a row as its run leaves it; no run). */
  async function claimIn(stage: ClaimStage, enteredAt: Date, assigneeId: string, tenantId = team.tenant.id) {
    const claim = await buildClaim({
      subscriptionId: tenantId === team.tenant.id ? subscription.id : undefined,
      tenantId,
      filedAt: new Date(enteredAt.getTime() - HOUR_MS),
    });
    await claim.update({ status: stage, assigneeId });
    await ClaimHistory.create({
      tenantId,
      claimId: claim.id,
      sequence: 1,
      actorId: assigneeId,
      fromStatus: 'reported',
      toStatus: stage,
      occurredAt: enteredAt,
    });
    return claim;
  }

  beforeAll(async () => {
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
    reviewer = await buildUser({ tenantId: team.tenant.id, role: 'compliance_officer' });
    author = await buildUser({ tenantId: team.tenant.id, role: 'compliance_officer' });
    platformAdmin = await buildUser({ role: 'platform_admin' });
  });

  it("orders an adjuster's claims and acknowledgements by due date, nulls last, with counts, inside their tenant", async () => {
    const now = Date.now();
    const underReview = await claimIn('under_review', new Date(now - DAY_MS), team.adjuster.id);
    // Waiting for approval for 40 h of the default 48: escalates in 8 h.
    const approval = await claimIn('waiting_approval', new Date(now - 40 * HOUR_MS), team.adjuster.id);
    // Documents asked for a day ago: escalates after claimDocumentsEscalationDays.
    const documents = await claimIn('documents_requested', new Date(now - DAY_MS), team.adjuster.id);
    const closed = await claimIn('denied', new Date(now - DAY_MS), team.adjuster.id);
    const colleagues = await claimIn('waiting_approval', new Date(now - 47 * HOUR_MS), team.otherAdjuster.id);
    // A row of another tenant naming this adjuster is not theirs to see.
    const elsewhere = await claimIn('waiting_approval', new Date(now - 47 * HOUR_MS), team.adjuster.id, (await buildTenant()).id);

    const version = await buildPolicyVersion({ tenantId: team.tenant.id, status: 'published', dueAt: new Date(now + 3 * DAY_MS) });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: team.adjuster.id });
    await buildAcknowledgement({
      versionId: (await buildPolicyVersion({ tenantId: team.tenant.id, status: 'published' })).id,
      employeeId: team.adjuster.id,
      status: 'acknowledged',
      acknowledgedAt: new Date(),
    });
    await buildAcknowledgement({ versionId: version.id, employeeId: team.otherAdjuster.id });

    const body = await inbox(team.adjuster);
    expect(body.items.map((t) => t.id)).toEqual([approval.id, ack.id, documents.id, underReview.id]);
    expect(body.counts).toEqual({
      claim: 3,
      policy_review: 0,
      acknowledgement: 1,
      registration: 0,
      overdue_invoice: 0,
      policy_change: 0,
      quote_referral: 0,
    });
    const ids = body.items.map((t) => t.id);
    for (const absent of [closed.id, colleagues.id, elsewhere.id]) expect(ids).not.toContain(absent);

    const [first, second, third, fourth] = body.items;
    expect(first).toMatchObject({ kind: 'claim', title: `Claim ${approval.claimNumber} (waiting_approval)` });
    expect(new Date(first.dueAt!).getTime()).toBe(
      now - 40 * HOUR_MS + DEFAULT_TENANT_SETTINGS.claimWaitingApprovalEscalationHours * HOUR_MS,
    );
    expect(first.links).toContainEqual({ rel: 'transition', method: 'POST', href: `/api/v1/claims/${approval.id}/transitions` });
    expect(second).toMatchObject({ kind: 'acknowledgement', dueAt: version.dueAt!.toISOString() });
    expect(second.title).toMatch(/^Acknowledge Policy \d+ v1$/);
    expect(second.links).toEqual([{ rel: 'acknowledge', method: 'POST', href: `/api/v1/acknowledgements/${ack.id}/acknowledge` }]);
    expect(new Date(third.dueAt!).getTime()).toBe(now - DAY_MS + DEFAULT_TENANT_SETTINGS.claimDocumentsEscalationDays * DAY_MS);
    expect(fourth).toMatchObject({ kind: 'claim', dueAt: null });

    // Bounded: the limit cuts the list, the counts still say what waits.
    const limited = await inbox(team.adjuster, '?limit=2');
    expect(limited.items.map((t) => t.id)).toEqual([approval.id, ack.id]);
    expect(limited.counts.claim).toBe(3);
  });

  it('refuses a limit out of bounds or malformed with 400', async () => {
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?other=1']) {
      const res = await stack.api.get(`/api/v1/me/tasks${query}`).set(as(team.adjuster));
      expect(res.status).toBe(400);
    }
    expect((await stack.api.get('/api/v1/me/tasks')).status).toBe(401);
  });

  it('a reassignment through the API moves the claim from one inbox to the other', async () => {
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 800, description: 'Broken window' })
      .expect(201);
    const assign = (assigneeId: string) =>
      stack.api.post(`/api/v1/claims/${filed.body.id}/assign`).set(as(team.manager)).send({ assigneeId }).expect(200);
    await assign(team.adjuster.id);
    expect((await inbox(team.adjuster)).items.map((t) => t.id)).toContain(filed.body.id);

    await assign(team.otherAdjuster.id);
    expect((await inbox(team.adjuster)).items.map((t) => t.id)).not.toContain(filed.body.id);
    expect((await inbox(team.otherAdjuster)).items.map((t) => t.id)).toContain(filed.body.id);
  });

  it("a version in review is the reviewer's task, not its author's, until the reviewer decides", async () => {
    const policy = await stack.api.post('/api/v1/compliance/policies').set(as(author)).send({ title: 'Gifts' }).expect(201);
    const version = await stack.api
      .post(`/api/v1/compliance/policies/${policy.body.id}/versions`)
      .set(as(author))
      .send({ content: 'Declare every gift.' })
      .expect(201);
    const submitted = await stack.api.post(`/api/v1/compliance/versions/${version.body.id}/submit`).set(as(author)).expect(202);

    const task = (await inbox(reviewer)).items.find((t) => t.id === version.body.id);
    expect(task).toMatchObject({ kind: 'policy_review', title: 'Review Gifts v1', dueAt: submitted.body.version.reviewDueAt });
    expect(task!.links.map((l) => l.rel)).toEqual(['approve', 'reject']);
    expect((await inbox(author)).counts.policy_review).toBe(0);
    expect((await inbox(team.adjuster)).counts.policy_review).toBe(0);

    await stack.api.post(`/api/v1/compliance/versions/${version.body.id}/approve`).set(as(reviewer)).expect(200);
    expect((await inbox(reviewer)).items.map((t) => t.id)).not.toContain(version.body.id);
  });

  it('a version in review is no task of its makers under any account on their mailbox: who rewrote it, its author, its submitter', async () => {
    const tenant = await buildTenant();
    const [officer, rewriter, submitter, other] = await Promise.all(
      (['compliance_officer', 'tenant_admin', 'tenant_admin', 'compliance_officer'] as const).map((role) =>
        buildUser({ tenantId: tenant.id, role }),
      ),
    );
    const onMailboxOf = (user: User, tag: string) =>
      buildUser({ tenantId: tenant.id, role: 'compliance_officer', email: user.email.replace('@', `+${tag}@`) });
    const [officerAgain, submitterAgain] = [await onMailboxOf(officer, 'two'), await onMailboxOf(submitter, 'review')];
    const policy = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Hospitality' }).expect(201);
    const version = await stack.api
      .post(`/api/v1/compliance/policies/${policy.body.id}/versions`)
      .set(as(officer))
      .send({ content: 'Declare every invitation.' })
      .expect(201);
    const id = version.body.id as string;
    await stack.api
      .patch(`/api/v1/compliance/versions/${id}`)
      .set(as(rewriter))
      .send({ content: 'Declare invitations over 50 EUR.' })
      .expect(200);
    await stack.api.post(`/api/v1/compliance/versions/${id}/submit`).set(as(submitter)).expect(202);

    // Each maker would follow the task's link to a 403 same_person: the inbox offers them none.
    for (const maker of [officer, officerAgain, rewriter, submitter, submitterAgain]) {
      const { items, counts } = await inbox(maker);
      expect({ email: maker.email, ids: items.map((t) => t.id), count: counts.policy_review }).toEqual({
        email: maker.email,
        ids: [],
        count: 0,
      });
    }
    const refused = await stack.api.post(`/api/v1/compliance/versions/${id}/approve`).set(as(submitterAgain)).expect(403);
    expect(refused.body.error.code).toBe('same_person');

    // Who may review it still has the task, and may decide it.
    const { items, counts } = await inbox(other);
    expect(items.map((t) => [t.kind, t.id])).toEqual([['policy_review', id]]);
    expect(counts.policy_review).toBe(1);
    await stack.api.post(`/api/v1/compliance/versions/${id}/approve`).set(as(other)).expect(200);
  });

  it("registrations waiting for a decision are the platform admins' tasks alone", async () => {
    const id = crypto.randomUUID();
    const created = await Registration.create({
      id,
      companyName: 'Eastwind Mutual',
      businessType: 'property insurer',
      phone: '+44 20 7946 0000',
      contactEmail: 'hello@eastwind.test',
      address: '10 Lime Street, London',
      requestedSlug: 'eastwind',
      adminEmail: 'admin@eastwind.test',
      adminFullName: 'Alex Admin',
      adminPasswordHash: TEST_PASSWORD_HASH,
      workflowId: `onboarding-${id}`,
    });
    const body = await inbox(platformAdmin);
    expect(body.counts).toEqual({
      claim: 0,
      policy_review: 0,
      acknowledgement: 0,
      registration: 1,
      overdue_invoice: 0,
      policy_change: 0,
      quote_referral: 0,
    });
    expect(body.items).toEqual([
      expect.objectContaining({
        kind: 'registration',
        id,
        title: 'Registration of Eastwind Mutual',
        dueAt: new Date(created.createdAt.getTime() + 7 * DAY_MS).toISOString(),
      }),
    ]);
    const tenantAdmin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    expect((await inbox(tenantAdmin)).counts.registration).toBe(0);
  });

  it("unpaid invoices past their due date are the claims staff's shared queue, due when the policy would lapse, until paid", async () => {
    const tenant = await buildTenant();
    const [agent, manager, admin] = await Promise.all(
      (['claims_agent', 'claims_manager', 'tenant_admin'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'annual', premium: '365.00', currency: 'EUR' });
    const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const today = Date.parse(isoDay(Date.now()));
    /** A policy that began `daysAgo` days ago (negative: begins later), its one annual invoice due that day. */
    async function invoiceDue(daysAgo: number, planId = plan.id) {
      const start = today - daysAgo * DAY_MS;
      const policy = await buildSubscription({ planId, startDate: isoDay(start), endDate: isoDay(start + 365 * DAY_MS) });
      await billCurrentTerm(stack.db.sequelize, policy.id);
      return Invoice.findOne({ where: { subscriptionId: policy.id }, rejectOnEmpty: true });
    }
    const longOverdue = await invoiceDue(40);
    const justOverdue = await invoiceDue(5);
    await invoiceDue(-10);
    const paid = await invoiceDue(20);
    await paid.update({ status: 'paid' });
    const otherTenantPlan = await buildPlan({ tenantId: (await buildTenant()).id, billingFrequency: 'annual', premium: '10.00' });
    await invoiceDue(30, otherTenantPlan.id);

    const body = await inbox(agent);
    expect(body.counts.overdue_invoice).toBe(2);
    expect(body.items.map((task) => task.id)).toEqual([longOverdue.id, justOverdue.id]);
    const graceMs = DEFAULT_TENANT_SETTINGS.premiumGraceDays * DAY_MS;
    expect(body.items[0]).toMatchObject({
      kind: 'overdue_invoice',
      title: `Invoice ${longOverdue.number} overdue: 365.00 EUR due ${longOverdue.dueDate}`,
      dueAt: new Date(today - 40 * DAY_MS + graceMs).toISOString(),
      // Claims staff chase the premium; recording it is a tenant admin's alone (`recordPremiumPayment`, docs/premiums.md, Payments).
      links: [{ rel: 'self', method: 'GET', href: `/api/v1/invoices/${longOverdue.id}` }],
    });
    const managers = await inbox(manager);
    expect(managers.counts.overdue_invoice).toBe(2);
    // A claims manager approves claims: no link to mark the premium paid, which would make the policy cover.
    expect(managers.items.find((task) => task.id === longOverdue.id)?.links).toEqual([
      { rel: 'self', method: 'GET', href: `/api/v1/invoices/${longOverdue.id}` },
    ]);
    expect((await inbox(admin)).counts.overdue_invoice).toBe(0);

    // Recorded by a tenant admin: gone from the next answer.
    await stack.api
      .post(`/api/v1/invoices/${longOverdue.id}/payments`)
      .set(as(admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: '365.00', method: 'bank_transfer', reference: 'SEPA 0042' })
      .expect(201);
    expect((await inbox(agent)).items.map((task) => task.id)).toEqual([justOverdue.id]);
  });

  it('a policy change scheduled for a later day is the policy staff’s until it is carried out or withdrawn, due on its day', async () => {
    const tenant = await buildTenant();
    const [agent, admin, manager, adjuster] = await Promise.all(
      (['claims_agent', 'tenant_admin', 'claims_manager', 'adjuster'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    const policy = await buildSubscription({ tenantId: tenant.id });
    const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const changeOf = (subscription: Subscription, status: SubscriptionChange['status'], days: number) =>
      SubscriptionChange.create({
        tenantId: subscription.tenantId,
        subscriptionId: subscription.id,
        status,
        term: 0,
        effectiveDate: isoDay(Date.now() + days * DAY_MS),
        requested: { planId: crypto.randomUUID(), holderPhone: '+4930123456' },
        premiumBefore: '450.00',
        premiumAfter: '600.00',
        premiumDeltaMinor: 12_34,
        currency: 'EUR',
        requestedById: agent.id,
      });
    const later = await changeOf(policy, 'scheduled', 20);
    const sooner = await changeOf(policy, 'scheduled', 5);
    await Promise.all([changeOf(policy, 'quoted', 3), changeOf(policy, 'applied', -3), changeOf(policy, 'withdrawn', 4)]);
    await changeOf(await buildSubscription(), 'scheduled', 2); // another tenant's

    const body = await inbox(agent);
    expect(body.counts.policy_change).toBe(2);
    expect(body.items.map((task) => task.id)).toEqual([sooner.id, later.id]);
    const path = `/api/v1/subscriptions/${policy.id}/changes/${sooner.id}`;
    expect(body.items[0]).toEqual({
      kind: 'policy_change',
      id: sooner.id,
      title: `Policy change (plan, phone) effective ${sooner.effectiveDate}: +12.34 EUR`,
      dueAt: `${sooner.effectiveDate}T00:00:00.000Z`,
      dueAtLocal: expect.any(String),
      createdAt: sooner.createdAt.toISOString(),
      links: [
        { rel: 'self', method: 'GET', href: path },
        { rel: 'withdraw', method: 'POST', href: `${path}/withdraw` },
      ],
    });
    // The self link leads to the change.
    const followed = await stack.api.get(body.items[0].links[0].href).set(as(agent)).expect(200);
    expect(followed.body).toMatchObject({ id: sooner.id, status: 'scheduled' });
    expect((await inbox(admin)).counts.policy_change).toBe(2);
    // Who may not change another's policy has nothing to do with it.
    for (const user of [manager, adjuster]) expect((await inbox(user)).counts.policy_change).toBe(0);
    expect((await inbox(await User.findByPk(policy.policyholderId, { rejectOnEmpty: true }))).counts.policy_change).toBe(0);

    await sooner.update({ status: 'applied', appliedAt: new Date() });
    expect((await inbox(agent)).items.map((task) => task.id)).toEqual([later.id]);
  });
});
