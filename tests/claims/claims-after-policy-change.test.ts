/**
 * A claim dated before a policy change is judged by the policy as it stood then (docs/claims.md,
 * Cover by policy version), on the time-skipping server with the real subscription run carrying the
 * change out: a holder's cover is cut from 90,000.00 to 50,000.00 two months into the term (quoted
 * and confirmed through the domain commands the API runs, applied by the run on its date); a claim
 * of 70,000.00 for an incident before that date, filed after it, is accepted under version 1,
 * while the same claim for an incident after it is refused naming version 2. A raise of cover counts
 * from when it was agreed: scheduled before the incident, it covers it; agreed on the incident's day
 * (its incident taken at 00:00), it does not (the version the policy had judges the claim). A raise is
 * never backdated (quote-api.test.ts). The commands are called directly: the API's date checks ("not in
 * the future", "a raise no earlier than today") read the wall clock, which the skipped server clock has left behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandDepsOf } from '../../src/api/http/command-deps';
import type { ApiServices } from '../../src/api/runtime/services';
import { createSubscriptionChangeActivities } from '../../src/activities/subscription-changes';
import { fileClaim } from '../../src/domain/claims/commands';
import { applyPolicyChange } from '../../src/domain/subscriptions/changes/confirm';
import { quoteChange } from '../../src/domain/subscriptions/changes/quote';
import { Claim, type Plan, type Subscription, SubscriptionVersion, type User } from '../../src/models';
import { localDocumentStore } from '../../src/services/documents/local-store';
import { createLogger } from '../../src/config/logger';
import { ApiError } from '../../src/shared/errors';
import { addMonths } from '../../src/shared/instalments';
import { testConfig } from '../support/config';
import { buildCategory, buildPlan, buildTenant, buildUser, callerOf } from '../support/factories';
import { startActivePolicy } from '../support/policy-runs';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { waitUntil } from '../support/waiting';

const TASK_QUEUE = 'claims-after-policy-change';

const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('a claim dated before a policy change is judged by the old version (time-skipping, real run)', () => {
  let stack: TimeSkippingStack;
  let services: ApiServices;
  let documentsDir: string;
  let holder: User;
  let plus: Plan;
  let basic: Plan;
  let premier: Plan;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claims-after-policy-change-'));
    const documents = localDocumentStore(documentsDir);
    await stack.startWorker(TASK_QUEUE, createSubscriptionChangeActivities({ ...stack.deps, documents }));
    // The commands' services, on the time-skipping server: the claim runs they start go to the worker above.
    services = {
      config: testConfig({ databaseUrl: stack.db.url, smtpPort: stack.smtp.port, taskQueue: TASK_QUEUE }),
      sequelize: stack.db.sequelize,
      temporal: stack.env.client,
      logger: createLogger('silent', 'test'),
      documents,
      mailer: stack.deps.mailer,
    };
    const tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const category = await buildCategory({ tenantId: tenant.id, name: 'Buildings' });
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR', durationMonths: 12 };
    plus = await buildPlan({ ...terms, name: 'Buildings Plus', premium: '240.00', coverageAmount: '90000.00' });
    basic = await buildPlan({ ...terms, name: 'Buildings Basic', premium: '120.00', coverageAmount: '50000.00' });
    premier = await buildPlan({ ...terms, name: 'Buildings Premier', premium: '360.00', coverageAmount: '150000.00' });
  });

  afterAll(async () => {
    await stack?.close();
    if (documentsDir) fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  const depsOf = (user: User) => commandDepsOf(services, { caller: callerOf(user), requestId: crypto.randomUUID() });
  const file = (subscription: Subscription, incidentDate: string, amountClaimed: number) =>
    fileClaim(
      callerOf(holder),
      {
        subscriptionId: subscription.id,
        incidentDate: new Date(`${incidentDate}T00:00:00Z`),
        amountClaimed,
        description: 'Storm damage to the roof',
      },
      depsOf(holder),
    );

  it('accepts a claim dated before the cut under version 1 and refuses one dated after it under version 2', async () => {
    const { handle: run, row: subscription } = await startActivePolicy(stack.env.client, TASK_QUEUE, plus, holder);
    const subscriptionId = subscription.id;
    const start = subscription.startDate!;
    const effectiveDate = addMonths(start, 2);

    // The holder cuts the cover from the third month: quoted and confirmed as the API does, held by the run until its date.
    const quoted = await quoteChange(callerOf(holder), { id: subscriptionId, effectiveDate, planId: basic.id }, depsOf(holder));
    const confirmed = await applyPolicyChange(callerOf(holder), { id: subscriptionId, changeId: quoted.id }, depsOf(holder));
    expect(confirmed.status).toBe('scheduled');
    await stack.skip('70 days', run);
    await waitUntil(async () => (await confirmed.reload()).status === 'applied', 'the change applied on its date');
    await expect(subscription.reload()).resolves.toMatchObject({ planId: basic.id, coverageAmount: '50000.00' });
    const [issued, cut] = await SubscriptionVersion.findAll({ where: { subscriptionId }, order: [['number', 'ASC']] });
    expect([issued.coverageAmount, cut.coverageAmount, cut.effectiveFrom]).toEqual(['90000.00', '50000.00', effectiveDate]);

    // Filed now, for a storm a month into the term: judged by version 1, which covered it.
    const before = await file(subscription, dayAfter(start, 30), 70_000);
    expect(before).toMatchObject({ amountClaimed: '70000.00', subscriptionVersionId: issued.id, status: 'reported' });

    // The same claim for a storm after the cut: version 2 covers 50,000.00, and nothing is filed.
    const claimsBefore = await Claim.count({ where: { subscriptionId } });
    const refused = await file(subscription, dayAfter(effectiveDate, 3), 70_000).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({
      status: 422,
      details: [
        {
          field: 'amountClaimed',
          message: `must not exceed 50000.00, the cover of policy version 2 in force on ${dayAfter(effectiveDate, 3)}`,
        },
      ],
    });
    expect(await Claim.count({ where: { subscriptionId } })).toBe(claimsBefore);
    const within = await file(subscription, dayAfter(effectiveDate, 3), 50_000);
    expect(within.subscriptionVersionId).toBe(cut.id);
    await stack.terminate(run);
  });

  it("a raise scheduled before the incident covers it; one agreed on the incident's day does not", async () => {
    const { handle: run, row: subscription } = await startActivePolicy(stack.env.client, TASK_QUEUE, basic, holder);
    const subscriptionId = subscription.id;
    const start = subscription.startDate!;
    const versions = () => SubscriptionVersion.findAll({ where: { subscriptionId }, order: [['number', 'ASC']] });
    const change = async (effectiveDate: string, plan: Plan) => {
      const quoted = await quoteChange(callerOf(holder), { id: subscriptionId, effectiveDate, planId: plan.id }, depsOf(holder));
      return applyPolicyChange(callerOf(holder), { id: subscriptionId, changeId: quoted.id }, depsOf(holder));
    };

    // Raised from 50,000.00 to 90,000.00 from day 10, agreed on day 0: the run writes version 2 on its day.
    const scheduled = await change(dayAfter(start, 10), plus);
    expect(scheduled.status).toBe('scheduled');
    await stack.skip('20 days', run);
    await waitUntil(async () => (await scheduled.reload()).status === 'applied', 'the raise applied on its date');
    const [, raised] = await versions();
    const underRaise = await file(subscription, dayAfter(start, 12), 90_000);
    expect(underRaise).toMatchObject({ amountClaimed: '90000.00', subscriptionVersionId: raised.id });

    // On day 20 the holder raises the cover to 150,000.00 from that day, applied at once, after a loss of that day: it keeps 90,000.00.
    const sameDay = await change(dayAfter(start, 20), premier);
    expect(sameDay.status).toBe('applied');
    const refused = await file(subscription, dayAfter(start, 20), 150_000).catch((err: unknown) => err);
    expect(refused).toMatchObject({
      status: 422,
      details: [
        { field: 'amountClaimed', message: `must not exceed 90000.00, the cover of policy version 2 in force on ${dayAfter(start, 20)}` },
      ],
    });
    const beforeRaise = await file(subscription, dayAfter(start, 20), 90_000);
    expect(beforeRaise.subscriptionVersionId).toBe(raised.id);

    // A loss after the raise was agreed has its cover.
    await stack.skip('2 days', run);
    const [, , premierVersion] = await versions();
    const afterRaise = await file(subscription, dayAfter(start, 21), 150_000);
    expect(afterRaise.subscriptionVersionId).toBe(premierVersion.id);
    await stack.terminate(run);
  });
});
