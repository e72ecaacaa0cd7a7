/**
 * A suspended tenant's runs on the time-skipping server, with their real activities (PostgreSQL
 * and a real SMTP sink): a subscription keeps its timers and expires on its end date while its
 * tenant is suspended, but the reminder and the expiry notice are recorded as suppressed and never
 * reach the policyholder.
 */
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { subscriptionRun, type SubscriptionWorkflow, subscriptionStateQuery } from '../../src/contracts/subscription';
import { Notification, Subscription, Tenant } from '../../src/models';
import { buildPlan, buildTenant, buildUser, planTerms } from '../support/factories';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf, waitUntil } from '../support/waiting';

const TASK_QUEUE = 'suspended-tenant-runs';

describe("a suspended tenant's runs (time-skipping)", () => {
  let stack: TimeSkippingStack;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    await stack.startWorker(TASK_QUEUE);
  });
  afterAll(() => stack?.close());

  it('expires a subscription on its end date while the tenant is suspended, sending the policyholder nothing', async () => {
    const tenant = await buildTenant();
    const owner = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const plan = await buildPlan({ tenantId: tenant.id, durationMonths: 12 });
    const subscriptionId = crypto.randomUUID();
    const workflowId = subscriptionRun.id(subscriptionId);
    const handle = await stack.env.client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ terms: planTerms(plan, owner.id, subscriptionId) }],
    });
    await waitUntil(async () => (await handle.query(subscriptionStateQuery)).status === 'active', `${workflowId} active`);
    const { endDate } = await handle.query(subscriptionStateQuery);
    // Sent while the tenant was active.
    await stack.smtp.waitFor((m) => m.to.includes(owner.email) && m.subject.includes('is active'));

    await Tenant.update({ status: 'suspended' }, { where: { id: tenant.id } });
    const result = await resultOf(handle);

    // The timers ran: the run expired on its end date, and so did its row.
    expect(result.status).toBe('expired');
    expect((await handle.describe()).closeTime?.toISOString().slice(0, 10)).toBe(endDate);
    expect(await Subscription.findByPk(subscriptionId)).toMatchObject({ status: 'expired' });
    // The reminder and the expiry notice were due, recorded, and not sent.
    const later = await Notification.findAll({ where: { idempotencyKey: { [Op.like]: `${workflowId}:%` }, status: { [Op.ne]: 'sent' } } });
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(later.every((n) => n.status === 'suppressed' && n.sentAt === null && n.attempts === 0)).toBe(true);
    expect(stack.smtp.messages.filter((m) => m.to.includes(owner.email)).map((m) => m.subject)).toEqual([
      expect.stringContaining('is active'),
    ]);
  });
});
