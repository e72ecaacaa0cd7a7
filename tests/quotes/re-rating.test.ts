/**
 * A policy bound from a quote priced again (docs/quotes.md, Binding), on the real PostgreSQL: its
 * renewal with the rating version in force on the renewal's first day (the run's renewal activity,
 * which also bills the term), a change of plan during the term with the new plan's version in force
 * on the day the policy was bound, whatever came into force since. A policy of fixed terms keeps
 * the plan's.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSubscriptionActivities, type SubscriptionChange as RowChange } from '../../src/activities/subscriptions';
import { commandDepsOf } from '../../src/api/http/command-deps';
import { priceRisk } from '../../src/domain/quotes/rating/price';
import { sameAmount } from '../../src/domain/quotes/re-rating';
import { carryOutPolicyChange } from '../../src/domain/subscriptions/changes/carry-out';
import { quoteChange } from '../../src/domain/subscriptions/changes/quote';
import { ensureScheduleDocuments } from '../../src/domain/subscriptions/schedule-document';
import { policyAsOf } from '../../src/domain/subscriptions/versions';
import { Invoice, Plan, Subscription, SubscriptionChange, SubscriptionVersion, Tenant, User } from '../../src/models';
import { addMonths } from '../../src/shared/instalments';
import { formatMinorUnits } from '../../src/shared/money';
import { DAY_MS } from '../../src/shared/time';
import { buildPlan, buildSubscription, buildTenant, buildUser, callerOf } from '../support/factories';
import { buildQuote, buildRatingVersion, RISK, tablesTimes } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The premium the tables price RISK at on `onDate`, as the policy's row writes it. */
const priced = (factor: number, onDate: string) =>
  formatMinorUnits(priceRisk(tablesTimes(factor), RISK, { currency: 'EUR', onDate }).premiumMinor, 'EUR');

describe('a bound policy priced again', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;
  let holder: User;
  let plan: Plan;

  beforeAll(async () => {
    tenant = await buildTenant();
    [admin, holder] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
    ]);
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
  });

  /** An active policy of `on` bound from a quote of RISK at 475.20 (or of the plan's fixed terms with `fixed`). */
  async function boundPolicy(on: Plan, options: { fixed?: boolean } = {}): Promise<Subscription> {
    if (options.fixed) return buildSubscription({ planId: on.id, policyholderId: holder.id });
    const quoted = { premium: '475.20', coverageAmount: RISK.sumInsured };
    const subscription = await buildSubscription({ planId: on.id, policyholderId: holder.id, ...quoted });
    const quote = await buildQuote(on, { requestedById: holder.id, status: 'bound', subscriptionId: subscription.id });
    return subscription.update({ quoteId: quote.id });
  }

  /** The renewal as the run writes it: the period's change, then the settings the next period runs on. */
  function renew(subscription: Subscription) {
    const change: RowChange = {
      subscriptionId: subscription.id,
      expected: { status: 'active', renewalCount: 0 },
      changes: { endDate: addMonths(subscription.endDate!, 12), renewalCount: 1 },
    };
    const activities = createSubscriptionActivities({ sequelize: stack.services.sequelize });
    return new MockActivityEnvironment().run(activities.renewSubscriptionPeriod, { change, tenantId: tenant.id });
  }

  it("renews a rated policy at its risk's price under the version in force on the renewal's first day, and bills the term at it", async () => {
    const rated = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    const subscription = await boundPolicy(rated);
    const firstDay = subscription.endDate!;
    await buildRatingVersion(rated, admin.id, { effectiveFrom: dayOf(Date.now() - 400 * DAY_MS), tables: tablesTimes(1) });
    await buildRatingVersion(rated, admin.id, { effectiveFrom: firstDay, tables: tablesTimes(2) });
    // In force only from the day after: not the renewal's.
    await buildRatingVersion(rated, admin.id, { effectiveFrom: dayOf(Date.parse(firstDay) + DAY_MS), tables: tablesTimes(3) });

    await renew(subscription);
    const expected = priced(2, firstDay);
    expect(expected).not.toBe('475.20');
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({ renewalCount: 1, premium: expected });
    const billed = await Invoice.sum('amountMinor', { where: { subscriptionId: subscription.id, term: 1 } });
    expect(formatMinorUnits(Number(billed), 'EUR')).toBe(expected);
    // The renewed term's terms are a version from its first day: the policy as of the day before is still the quoted one.
    const renewed = await Subscription.findByPk(subscription.id, { rejectOnEmpty: true });
    await expect(policyAsOf(renewed, firstDay)).resolves.toMatchObject({ terms: { premium: expected }, version: { number: 2 } });
    const dayBefore = dayOf(Date.parse(firstDay) - DAY_MS);
    await expect(policyAsOf(renewed, dayBefore)).resolves.toMatchObject({ terms: { premium: '475.20' }, version: { number: 1 } });
    const schedules = await ensureScheduleDocuments(stack.services.sequelize, stack.services.documents, subscription.id);
    expect(schedules).toHaveLength(2);

    // The activity retried once its change is made: nothing moves again.
    await renew(subscription);
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({ renewalCount: 1, premium: expected });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: subscription.id } })).toBe(2);
  });

  it("keeps the premium of a policy of the plan's fixed terms, and of a rated one whose plan has no tables in force", async () => {
    const fixed = await boundPolicy(plan, { fixed: true });
    await renew(fixed);
    await expect(Subscription.findByPk(fixed.id)).resolves.toMatchObject({ renewalCount: 1, premium: plan.premium });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: fixed.id } })).toBe(1);

    const untabled = await boundPolicy(await buildPlan({ tenantId: tenant.id, currency: 'EUR' }));
    await renew(untabled);
    await expect(Subscription.findByPk(untabled.id)).resolves.toMatchObject({ renewalCount: 1, premium: '475.20' });
  });

  it('renews a policy in yen at the same price without a version: the price priced again is the premium however written', async () => {
    const rated = await buildPlan({ tenantId: tenant.id, currency: 'JPY', premium: '30000.00', coverageAmount: RISK.sumInsured });
    // RISK on TABLES in yen: 475.2 rounded to 475 yen, as the policy was bound at.
    const premiumMinor = priceRisk(tablesTimes(1), RISK, { currency: 'JPY', onDate: dayOf(Date.now()) }).premiumMinor;
    expect(premiumMinor).toBe(475);
    const subscription = await buildSubscription({
      planId: rated.id,
      policyholderId: holder.id,
      premium: '475',
      coverageAmount: RISK.sumInsured,
    });
    const quote = await buildQuote(rated, { requestedById: holder.id, status: 'bound', subscriptionId: subscription.id, premiumMinor });
    await subscription.update({ quoteId: quote.id });
    await buildRatingVersion(rated, admin.id, { effectiveFrom: dayOf(Date.now() - 400 * DAY_MS), tables: tablesTimes(1) });

    await renew(subscription);
    // The premium as the bind wrote it: its columns keep an amount as written since migration 0099.
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({ renewalCount: 1, premium: '475' });
    const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: subscription.id } });
    expect(versions.map((version) => [version.number, version.premium, version.fieldChanges])).toEqual([[1, '475', {}]]);
  });

  it('prices a change of plan with the new plan’s version in force on the day the policy was bound, and keeps the sum insured', async () => {
    const subscription = await boundPolicy(plan);
    // Bound ten days ago; the new plan's dearer version came into force five days ago.
    await Subscription.update({ createdAt: new Date(Date.now() - 10 * DAY_MS) }, { where: { id: subscription.id }, silent: true });
    await subscription.reload();
    const target = await buildPlan({ tenantId: tenant.id, categoryId: plan.categoryId, currency: 'EUR', coverageAmount: '50000.00' });
    const boundOn = dayOf(Date.now() - 10 * DAY_MS);
    await buildRatingVersion(target, admin.id, { effectiveFrom: dayOf(Date.now() - 60 * DAY_MS), tables: tablesTimes(1.5) });
    await buildRatingVersion(target, admin.id, { effectiveFrom: dayOf(Date.now() - 5 * DAY_MS), tables: tablesTimes(3) });

    const caller = callerOf(holder);
    const deps = commandDepsOf(stack.services, { caller, requestId: crypto.randomUUID() });
    const today = dayOf(Date.now());
    const change = await quoteChange(caller, { id: subscription.id, effectiveDate: today, planId: target.id }, deps);
    expect(change).toMatchObject({ premiumBefore: '475.20', premiumAfter: priced(1.5, boundOn) });
    expect(change.premiumAfter).not.toBe(priced(3, boundOn));

    const applied = await carryOutPolicyChange(
      stack.services.sequelize,
      { changeId: change.id, confirmedById: holder.id, appliedAt: new Date().toISOString() },
      { actor: { type: 'user', id: holder.id }, workflowId: null, runId: null },
    );
    expect(applied).toMatchObject({ outcome: 'applied', planId: target.id, coverageAmount: '300000.00', premium: change.premiumAfter });
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({
      planId: target.id,
      coverageAmount: '300000.00',
      premium: change.premiumAfter,
    });
  });

  it('refuses a change of plan to a plan without tables whose fixed premium buys less cover than the risk’s sum insured, as a quote is refused, and takes one whose cover holds it', async () => {
    const subscription = await boundPolicy(plan);
    const caller = callerOf(holder);
    const deps = commandDepsOf(stack.services, { caller, requestId: crypto.randomUUID() });
    const today = dayOf(Date.now());
    // 50.00 prices 50,000.00 of cover: the policy would keep its 300,000.00 for 50.00, and 425.20 would be given back.
    const small = await buildPlan({
      tenantId: tenant.id,
      categoryId: plan.categoryId,
      currency: 'EUR',
      premium: '50.00',
      coverageAmount: '50000.00',
    });
    await expect(quoteChange(caller, { id: subscription.id, effectiveDate: today, planId: small.id }, deps)).rejects.toMatchObject({
      status: 422,
      message: "The plan's fixed premium does not cover this policy's risk: 300000.00 is above the plan's cover of 50000.00",
      details: [{ field: 'planId', message: "300000.00 is above the plan's cover of 50000.00" }],
    });
    expect(await SubscriptionChange.count({ where: { subscriptionId: subscription.id } })).toBe(0);

    const ample = await buildPlan({
      tenantId: tenant.id,
      categoryId: plan.categoryId,
      currency: 'EUR',
      premium: '900.00',
      coverageAmount: '300000.00',
    });
    const change = await quoteChange(caller, { id: subscription.id, effectiveDate: today, planId: ample.id }, deps);
    expect(change).toMatchObject({ premiumBefore: '475.20', premiumAfter: '900.00', coverageAfter: '300000.00' });
  });
});

describe('sameAmount: premiums and covers compared as amounts, however written', () => {
  it('reads one amount in every writing of it, and two amounts that differ by a minor unit as two', () => {
    expect(['12.5', '12.50', '12.500'].map((written) => sameAmount(written, '12.500', 'KWD'))).toEqual([true, true, true]);
    expect([sameAmount('12.501', '12.50', 'KWD'), sameAmount('30000', '30000.00', 'JPY'), sameAmount('30001', '30000.00', 'JPY')]).toEqual([
      false,
      true,
      false,
    ]);
    expect([sameAmount('12.5', '12.50', 'EUR'), sameAmount('12.51', '12.5', 'EUR')]).toEqual([true, false]);
  });

  it('never reads an amount it cannot read as the same as another: more decimals than the currency has, or no amount', () => {
    expect([sameAmount('12.5001', '12.5001', 'KWD'), sameAmount('', '', 'EUR'), sameAmount('12.505', '12.50', 'EUR')]).toEqual([
      false,
      false,
      false,
    ]);
  });
});
