/**
 * The commands of src/domain called as a second transport will call them: no HTTP, no Koa
 * context, only a caller, an input and the deps any transport builds (commandDepsOf). Real
 * PostgreSQL, Temporal dev server and worker. Refusals are read through the API's error mapping,
 * so they are shown to be the very answers REST gives.
 */
import crypto from 'node:crypto';
import { subscriptionRun } from '../../src/contracts/subscription';
import { createCategory, createPlan, deletePlan, updatePlan } from '../../src/domain/catalog/commands';
import {
  approveVersion,
  createCompliancePolicy,
  createPolicyVersion,
  publishVersion,
  submitVersionForReview,
} from '../../src/domain/compliance/commands';
import { cancelSubscription, subscribe } from '../../src/domain/subscriptions/commands';
import { commandDepsOf } from '../../src/api/http/command-deps';
import { refusal } from '../support/refusals';
import { AuditEvent, OutboxMessage, Plan, PolicyVersion, Subscription, Tenant, User } from '../../src/models';
import type { AuthUser } from '../../src/shared/caller';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { eventually, resultOf } from '../support/waiting';

describe('commands called directly, without HTTP', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let callers: Record<'owner' | 'neighbour' | 'agent' | 'admin' | 'foreignAdmin' | 'author' | 'reviewer', AuthUser>;

  const asCaller = (user: User): AuthUser => ({ id: user.id, tenantId: user.tenantId, role: user.role });
  /** A fresh request as any transport would describe it. */
  const deps = (caller: AuthUser, idempotencyKey?: string) => {
    const requestId = crypto.randomUUID();
    return { requestId, deps: commandDepsOf(stack.services, { caller, requestId, idempotencyKey }) };
  };

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    const [owner, neighbour, agent, admin, foreignAdmin, author, reviewer] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: other.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
    ]);
    const all = { owner, neighbour, agent, admin, foreignAdmin, author, reviewer };
    callers = Object.fromEntries(Object.entries(all).map(([name, user]) => [name, asCaller(user)])) as typeof callers;
  });

  async function activePlan(): Promise<Plan> {
    const category = await createCategory(callers.admin, { name: `Houses ${crypto.randomUUID().slice(0, 8)}` }, deps(callers.admin).deps);
    return createPlan(
      callers.admin,
      {
        categoryId: category.id,
        name: 'House Standard',
        coverageLevel: 'standard',
        coverageAmount: 100000,
        premium: 300,
        durationMonths: 12,
      },
      deps(callers.admin).deps,
    );
  }

  it('subscribe, refused cancels, cancel, and a repeated cancel: rows, run, audit events and refusals as REST has them', async () => {
    const plan = await activePlan();
    const request = deps(callers.owner, 'command-subscribe-1');
    const { subscription, runId } = await subscribe(callers.owner, { planId: plan.id }, request.deps);
    expect(subscription).toMatchObject({
      policyholderId: callers.owner.id,
      planId: plan.id,
      coverageAmount: '100000.00',
      workflowId: subscriptionRun.id(subscription.id),
    });
    expect(runId).toEqual(expect.any(String));
    // The audit event names the caller and the request the transport described.
    await expect(AuditEvent.findOne({ where: { entityId: subscription.id, action: 'subscription.create' } })).resolves.toMatchObject({
      actorType: 'user',
      actorId: callers.owner.id,
      requestId: request.requestId,
    });
    // The same key reaches the same subscription and run: the ID follows from it.
    const repeated = await subscribe(callers.owner, { planId: plan.id }, deps(callers.owner, 'command-subscribe-1').deps);
    expect(repeated.subscription.id).toBe(subscription.id);
    await eventually(
      () => Subscription.findByPk(subscription.id),
      (row) => row?.status === 'active',
      'subscription active',
    );

    // Another policyholder's subscription is a missing one (404), a claims agent may not cancel (403, the run's validator).
    await expect(
      refusal(cancelSubscription(callers.neighbour, { id: subscription.id }, deps(callers.neighbour).deps)),
    ).resolves.toMatchObject({ status: 404, code: 'not_found' });
    await expect(refusal(cancelSubscription(callers.agent, { id: subscription.id }, deps(callers.agent).deps))).resolves.toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({ status: 'active', cancelledAt: null });

    const cancelled = await cancelSubscription(
      callers.owner,
      { id: subscription.id, reason: 'Moved abroad' },
      deps(callers.owner, 'command-cancel-1').deps,
    );
    expect(cancelled.subscription).toMatchObject({
      status: 'cancelled',
      cancelledById: callers.owner.id,
      cancellationReason: 'Moved abroad',
    });
    expect(cancelled.state).toMatchObject({ subscriptionId: subscription.id, status: 'cancelled' });
    await resultOf(stack.temporal.workflow.getHandle(subscriptionRun.id(subscription.id)));

    // After the run has closed: the same key answers the decision it made, a new key a 409.
    const replayed = await cancelSubscription(
      callers.owner,
      { id: subscription.id, reason: 'Moved abroad' },
      deps(callers.owner, 'command-cancel-1').deps,
    );
    expect(replayed.state).toMatchObject({ status: 'cancelled' });
    await expect(
      refusal(cancelSubscription(callers.owner, { id: subscription.id }, deps(callers.owner, 'command-cancel-2').deps)),
    ).resolves.toMatchObject({
      status: 409,
      code: 'conflict',
      message: expect.stringContaining('cancelled'),
    });
  });

  it('refuses to issue a policy on a plan kept from before whose instalments no card could pay (422), issuing nothing', async () => {
    const tiny = await buildPlan({ tenantId: callers.owner.tenantId!, premium: '0.01', currency: 'USD' });
    await expect(refusal(subscribe(callers.owner, { planId: tiny.id }, deps(callers.owner).deps))).resolves.toMatchObject({
      status: 422,
      message:
        'The premium could not be paid by card: each instalment must be at least 0.50 USD, the smallest card payment: 0.01 USD billed annual has an instalment of 0.01 USD',
    });
    expect(await Subscription.count({ where: { planId: tiny.id } })).toBe(0);
  });

  it('catalog commands: one audited write each, and another tenant’s plan is a missing one', async () => {
    const plan = await activePlan();
    const request = deps(callers.admin);
    const changed = await updatePlan(callers.admin, { id: plan.id, fields: { premium: 320.5 } }, request.deps);
    expect(changed.premium).toBe('320.50');
    const events = await AuditEvent.findAll({ where: { entityId: plan.id }, order: [['id', 'ASC']] });
    expect(events.map((e) => e.action)).toEqual(['plan.create', 'plan.update']);
    expect(events[1]).toMatchObject({
      actorId: callers.admin.id,
      requestId: request.requestId,
      changes: { premium: { before: '300.00', after: '320.50' } },
    });

    await expect(refusal(deletePlan(callers.foreignAdmin, { id: plan.id }, deps(callers.foreignAdmin).deps))).resolves.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    await expect(Plan.findByPk(plan.id)).resolves.toMatchObject({ premium: '320.50' });
    expect(await AuditEvent.count({ where: { entityId: plan.id } })).toBe(2);
  });

  it('compliance commands: draft, submit, the author refused, approved by a second officer, published through the outbox', async () => {
    const policy = await createCompliancePolicy(callers.author, { title: 'Clean desk' }, deps(callers.author).deps);
    const draft = await createPolicyVersion(
      callers.author,
      { policyId: policy.id, fields: { content: 'Lock your screen.' } },
      deps(callers.author).deps,
    );
    expect(draft).toMatchObject({ versionNumber: 1, status: 'draft', createdById: callers.author.id });

    const submitted = await submitVersionForReview(callers.author, { id: draft.id }, deps(callers.author).deps);
    expect(submitted).toMatchObject({
      workflowId: `policy-approval-${draft.id}`,
      runId: expect.any(String),
      version: { status: 'in_review' },
    });
    // The author is refused (403 same_person, src/domain/compliance/four-eyes.ts) before anything is recorded.
    await expect(refusal(approveVersion(callers.author, { id: draft.id }, deps(callers.author).deps))).resolves.toMatchObject({
      status: 403,
      code: 'same_person',
    });
    await expect(PolicyVersion.findByPk(draft.id)).resolves.toMatchObject({ status: 'in_review' });

    await expect(approveVersion(callers.reviewer, { id: draft.id }, deps(callers.reviewer).deps)).resolves.toMatchObject({
      status: 'approved',
      reviewedById: callers.reviewer.id,
    });
    const published = await publishVersion(callers.author, { id: draft.id }, deps(callers.author).deps);
    expect(published).toMatchObject({
      workflowId: `policy-rollout-${draft.id}`,
      runId: expect.any(String),
      retiredVersionIds: [],
      version: { status: 'published' },
    });
    // Delivered at once by the command, so the relay has nothing left to do.
    await expect(OutboxMessage.findOne({ where: { workflowId: published.workflowId } })).resolves.toMatchObject({
      deliveredAt: expect.any(Date),
      runId: published.runId,
    });
    await expect(refusal(publishVersion(callers.author, { id: draft.id }, deps(callers.author).deps))).resolves.toMatchObject({
      status: 409,
      code: 'conflict',
    });
  });
});
