/**
 * The test factories against a real database: what a test does not say is built for it, in one
 * tenant, with numbered defaults; what it says is kept.
 */
import { Category, ClaimHistory, CompliancePolicy, Plan, Subscription, Tenant, User } from '../../src/models';
import { verifyPassword } from '../../src/services/passwords';
import { testDatabaseOfBlock } from '../support/database';
import {
  buildAcknowledgement,
  buildClaim,
  buildPlan,
  buildPolicyVersion,
  buildSubscription,
  buildTenant,
  buildUser,
  buildUsers,
  TEST_PASSWORD,
} from '../support/factories';

const DAY_MS = 86_400_000;

describe('test factories', () => {
  // The factories write through the models, which the block's database is bound to.
  testDatabaseOfBlock();

  it('builds a reported claim from nothing: tenant, category, plan, policyholder and active subscription, all in one tenant', async () => {
    const claim = await buildClaim();
    const subscription = await Subscription.findByPk(claim.subscriptionId, { rejectOnEmpty: true });
    const plan = await Plan.findByPk(subscription.planId, { rejectOnEmpty: true });
    const category = await Category.findByPk(plan.categoryId, { rejectOnEmpty: true });
    const holder = await User.findByPk(subscription.policyholderId, { rejectOnEmpty: true });
    const tenant = await Tenant.findByPk(claim.tenantId, { rejectOnEmpty: true });

    expect([subscription.tenantId, plan.tenantId, category.tenantId, holder.tenantId]).toEqual(Array(4).fill(tenant.id));
    expect(holder.role).toBe('policyholder');
    const today = new Date().toISOString().slice(0, 10);
    expect(subscription).toMatchObject({ status: 'active', coverageAmount: plan.coverageAmount, premium: plan.premium });
    expect(subscription.startDate! <= today && today < subscription.endDate!).toBe(true);
    expect(claim).toMatchObject({ status: 'reported', claimantId: holder.id, filedById: holder.id, incidentDate: subscription.startDate });
    expect(claim.claimNumber).toMatch(/^CLM-\d{4}-000001$/);
    expect(claim.workflowId).toBe(`claim-${tenant.slug}-${claim.claimNumber}`);
    expect(await ClaimHistory.findAll({ where: { claimId: claim.id }, raw: true })).toEqual([
      expect.objectContaining({ sequence: 0, fromStatus: null, toStatus: 'reported', actorId: holder.id }),
    ]);
  });

  it('puts what it builds for a given parent in that parent’s tenant, and keeps what the test says', async () => {
    const holder = await buildUser({ fullName: 'Zoë Müller' });
    const subscription = await buildSubscription({ policyholderId: holder.id, status: 'cancelled' });
    expect(subscription).toMatchObject({ tenantId: holder.tenantId, policyholderId: holder.id, status: 'cancelled' });

    const plan = await buildPlan({ tenantId: holder.tenantId!, premium: '12.50', durationMonths: 6 });
    expect(await Category.findByPk(plan.categoryId, { rejectOnEmpty: true })).toMatchObject({ tenantId: holder.tenantId });
    const pending = await buildSubscription({ planId: plan.id, status: 'pending' });
    expect(pending).toMatchObject({ tenantId: holder.tenantId, premium: '12.50', durationMonths: 6, startDate: null, endDate: null });
    expect(await User.findByPk(pending.policyholderId, { rejectOnEmpty: true })).toMatchObject({
      tenantId: holder.tenantId,
      role: 'policyholder',
    });
  });

  it('numbers its defaults, gives platform admins no tenant, and users log in with TEST_PASSWORD', async () => {
    const [first, second] = [await buildTenant(), await buildTenant()];
    expect(Number(second.name.split(' ')[1])).toBe(Number(first.name.split(' ')[1]) + 1);
    expect(first.slug).not.toBe(second.slug);

    const tenantsBefore = await Tenant.count();
    const admin = await buildUser({ role: 'platform_admin' });
    expect(admin.tenantId).toBeNull();
    expect(await Tenant.count()).toBe(tenantsBefore);
    expect(admin.email).toMatch(/^platform_admin-\d+@example\.test$/);
    expect(await verifyPassword(TEST_PASSWORD, admin.passwordHash)).toBe(true);

    const staff = await buildUsers(3, first.id, (i) => ({ role: i === 0 ? 'claims_manager' : 'adjuster' }));
    expect(staff.map((u) => [u.tenantId, u.role])).toEqual([
      [first.id, 'claims_manager'],
      [first.id, 'adjuster'],
      [first.id, 'adjuster'],
    ]);
    expect(new Set(staff.map((u) => u.email)).size).toBe(3);
  });

  it('builds compliance rows: a published version with its author, due date and rollout run, the next version numbered, an acknowledgement due with it', async () => {
    const version = await buildPolicyVersion({ status: 'published' });
    const policy = await CompliancePolicy.findByPk(version.policyId, { rejectOnEmpty: true });
    const author = await User.findByPk(version.createdById, { rejectOnEmpty: true });
    expect(author).toMatchObject({ tenantId: version.tenantId, role: 'compliance_officer' });
    expect(policy).toMatchObject({ tenantId: version.tenantId, createdById: author.id });
    expect(version).toMatchObject({
      versionNumber: 1,
      status: 'published',
      publishedById: author.id,
      workflowId: `policy-rollout-${version.id}`,
    });
    expect(Math.abs(version.dueAt!.getTime() - (Date.now() + 14 * DAY_MS))).toBeLessThan(60_000);

    const draft = await buildPolicyVersion({ policyId: policy.id });
    expect(draft).toMatchObject({ versionNumber: 2, status: 'draft', publishedAt: null, dueAt: null, workflowId: null });

    const ack = await buildAcknowledgement({ versionId: version.id });
    const employee = await User.findByPk(ack.employeeId, { rejectOnEmpty: true });
    expect(employee).toMatchObject({ tenantId: version.tenantId, role: 'claims_agent' });
    expect(ack).toMatchObject({ tenantId: version.tenantId, status: 'pending', dueAt: version.dueAt, workflowId: `ack-${ack.id}` });
  });
});
