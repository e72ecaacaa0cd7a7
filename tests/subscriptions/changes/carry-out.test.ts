/**
 * Carrying out a policy change (real PostgreSQL): one transaction makes the next version, moves
 * the subscription row to the terms after the change, marks it applied and bills or credits the
 * premium delta as it was priced, with its audit event and `subscription.changed` event; run twice
 * at once and once more (a worker that died mid-change, a retried activity), nothing is billed,
 * credited or refunded twice (docs/subscriptions.md, Policy changes; docs/premiums.md).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Sequelize } from 'sequelize';
import {
  AuditEvent,
  Invoice,
  OutboxMessage,
  type Plan,
  PremiumRefund,
  type Subscription,
  SubscriptionChange,
  SubscriptionVersion,
  type User,
  WebhookEvent,
} from '../../../src/models';
import type { ChangeInstalment, RequestedChange } from '../../../src/models/subscription-change';
import { premiumRefundRun } from '../../../src/contracts/premium-refund';
import { billCurrentTerm } from '../../../src/domain/premiums/billing';
import { applyPayment } from '../../../src/domain/premiums/payments';
import { carryOutPolicyChange } from '../../../src/domain/subscriptions/changes/carry-out';
import { WEBHOOK_EVENT_TYPES } from '../../../src/domain/webhooks/events';
import { buildCategory, buildClaim, buildPlan, buildSubscription, buildUser } from '../../support/factories';
import { createTestDatabase, type TestDatabase } from '../../support/database';

describe('carrying out a policy change', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let basic: Plan;
  let plus: Plan;
  let holder: User;
  let agent: User;
  const system = { actor: { type: 'system' as const, id: null } };

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    const category = await buildCategory();
    // 120.00 and 240.00 a year, billed monthly: instalments of 10.00 (and 20.00).
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR', durationMonths: 12 };
    basic = await buildPlan({ ...terms, name: 'Hausrat Basis', premium: '120.00', coverageAmount: '50000.00' });
    plus = await buildPlan({ ...terms, name: 'Hausrat Plus', premium: '240.00', coverageAmount: '90000.00' });
    holder = await buildUser({ tenantId: category.tenantId, role: 'policyholder' });
    agent = await buildUser({ tenantId: category.tenantId, role: 'claims_agent' });
  });
  afterAll(() => db?.close());

  /** A policy on `plan` over 2026, dated as its run dates it (so the database writes version 1), its term billed. */
  async function policyOn(plan: Plan): Promise<{ subscription: Subscription; invoices: Invoice[] }> {
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id, status: 'pending' });
    await subscription.update({ status: 'active', startDate: '2026-01-01', endDate: '2027-01-01' });
    await billCurrentTerm(sequelize, subscription.id);
    const invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    return { subscription, invoices };
  }

  function quoted(
    subscription: Subscription,
    fields: {
      requested: RequestedChange;
      premiumAfter: string;
      coverageAfter?: string;
      premiumDeltaMinor: number;
      instalments: ChangeInstalment[];
      effectiveDate?: string;
    },
  ): Promise<SubscriptionChange> {
    return SubscriptionChange.create({
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      status: 'quoted',
      term: 0,
      effectiveDate: fields.effectiveDate ?? '2026-07-01',
      requested: fields.requested,
      premiumBefore: subscription.premium,
      premiumAfter: fields.premiumAfter,
      coverageAfter: fields.coverageAfter ?? null,
      premiumDeltaMinor: fields.premiumDeltaMinor,
      currency: 'EUR',
      instalments: fields.instalments,
      requestedById: holder.id,
    });
  }

  /**
   * Two plans of their own, 120.00 and 240.00 a year covering 50,000.00 and 90,000.00 (the second named `toName` where
   * given), a policy on the first and its upgrade to the second quoted from July: for the tests of a plan changed
   * between the quote and its day.
   */
  async function upgradeQuoted(toName?: string): Promise<{ subscription: Subscription; to: Plan; upgrade: SubscriptionChange }> {
    const category = await buildCategory({ tenantId: basic.tenantId });
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR', durationMonths: 12 };
    const from = await buildPlan({ ...terms, premium: '120.00', coverageAmount: '50000.00' });
    const to = await buildPlan({ ...terms, ...(toName ? { name: toName } : {}), premium: '240.00', coverageAmount: '90000.00' });
    const { subscription } = await policyOn(from);
    const upgrade = await quoted(subscription, {
      requested: { planId: to.id },
      premiumAfter: '240.00',
      coverageAfter: '90000.00',
      premiumDeltaMinor: 6050,
      instalments: [{ dueDate: '2026-07-01', amountMinor: 6050 }],
    });
    return { subscription, to, upgrade };
  }

  const carryOut = (change: SubscriptionChange) =>
    carryOutPolicyChange(sequelize, { changeId: change.id, confirmedById: agent.id, appliedAt: '2026-07-01T10:00:00.000Z' }, system);

  it('applies an upgrade once: version 2, the row, the additional premium invoiced as priced, audit and event', async () => {
    const { subscription, invoices } = await policyOn(basic);
    // 240.00 − 120.00 for 184 of 365 days: 60.4931… → 60.50, spread over the six instalments from July.
    const upgrade = await quoted(subscription, {
      requested: { planId: plus.id },
      premiumAfter: '240.00',
      premiumDeltaMinor: 6050,
      instalments: ['07', '08', '09', '10', '11', '12'].map((month, i) => ({
        dueDate: `2026-${month}-01`,
        amountMinor: i === 0 ? 1010 : 1008,
      })),
    });

    const answers = await Promise.all([carryOut(upgrade), carryOut(upgrade)]);
    const again = await carryOut(upgrade);
    for (const answer of [...answers, again]) {
      expect(answer).toEqual({
        outcome: 'applied',
        subscriptionId: subscription.id,
        versionNumber: 2,
        effectiveDate: '2026-07-01',
        planId: plus.id,
        planName: 'Hausrat Plus',
        coverageAmount: '90000.00',
        premium: '240.00',
        premiumDeltaMinor: 6050,
        currency: 'EUR',
        changedFields: ['planId', 'coverageAmount', 'premium'],
      });
    }

    await expect(subscription.reload()).resolves.toMatchObject({ planId: plus.id, coverageAmount: '90000.00', premium: '240.00' });
    await expect(upgrade.reload()).resolves.toMatchObject({ status: 'applied', confirmedById: agent.id });
    const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: subscription.id }, order: [['number', 'ASC']] });
    expect(versions.map((v) => [v.number, String(v.effectiveFrom), v.planId, v.premium, v.changeId])).toEqual([
      [1, '2026-01-01', basic.id, '120.00', null],
      [2, '2026-07-01', plus.id, '240.00', upgrade.id],
    ]);
    expect(versions[1]).toMatchObject({ premiumDeltaMinor: 6050, changedById: agent.id });
    expect(versions[1].fieldChanges.premium).toEqual({ before: '120.00', after: '240.00' });

    // The term's 12 instalments stay; six more, numbered after them, due with the instalments from July.
    const billed = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(billed).toHaveLength(18);
    expect(billed.slice(0, 12).map((i) => i.amountMinor)).toEqual(invoices.map((i) => i.amountMinor));
    expect(billed.slice(12).map((i) => [i.sequence, String(i.dueDate), i.amountMinor, i.status])).toEqual([
      [13, '2026-07-01', 1010, 'open'],
      [14, '2026-08-01', 1008, 'open'],
      [15, '2026-09-01', 1008, 'open'],
      [16, '2026-10-01', 1008, 'open'],
      [17, '2026-11-01', 1008, 'open'],
      [18, '2026-12-01', 1008, 'open'],
    ]);

    const audit = await AuditEvent.findAll({ where: { entityId: subscription.id, action: 'subscription.change' } });
    expect(audit).toHaveLength(1);
    expect(audit[0].changes).toMatchObject({
      premium: { before: '120.00', after: '240.00' },
      planId: { before: basic.id, after: plus.id },
      version: { before: 1, after: 2 },
    });
    const events = await WebhookEvent.findAll({ where: { subject: `subscriptions/${subscription.id}`, type: 'subscription.changed' } });
    expect(events).toHaveLength(1);
    // As the catalogue (and the AsyncAPI document made from it) says it is.
    const valid = addFormats(new Ajv({ strict: false })).compile(WEBHOOK_EVENT_TYPES['subscription.changed'].data);
    expect(valid(events[0].data) ? [] : valid.errors).toEqual([]);
    expect(events[0].data).toMatchObject({
      changeId: upgrade.id,
      version: 2,
      premiumDeltaMinor: 6050,
      premiumDelta: '60.50',
      changedFields: ['planId', 'coverageAmount', 'premium'],
    });
  });

  it('credits a downgrade to the unpaid instalments as priced and refunds the rest of it once, through the provider or owed', async () => {
    const { subscription, invoices } = await policyOn(plus);
    const pay = (invoice: Invoice, receivedAt: string, provider?: string) =>
      applyPayment(
        sequelize,
        {
          tenantId: subscription.tenantId,
          invoiceId: invoice.id,
          amountMinor: invoice.amountMinor,
          method: provider ? 'card' : 'bank_transfer',
          provider,
          providerPaymentId: provider && `pi_${invoice.id}`,
          receivedAt: new Date(receivedAt),
        },
        system,
      );
    // January to July paid (July by card); August paid meanwhile, after the change was priced.
    for (const invoice of invoices.slice(0, 6)) await pay(invoice, `${String(invoice.dueDate)}T08:00:00Z`);
    await pay(invoices[6], '2026-07-01T08:00:00Z', 'stripe');
    await pay(invoices[7], '2026-07-01T09:00:00Z');
    // 120.00 − 240.00 for 153 of 365 days (from 2026-08-01): −50.30, priced over the five instalments from August.
    const downgrade = await quoted(subscription, {
      effectiveDate: '2026-08-01',
      requested: { planId: basic.id },
      premiumAfter: '120.00',
      premiumDeltaMinor: -5030,
      instalments: ['08', '09', '10', '11', '12'].map((month) => ({ dueDate: `2026-${month}-01`, amountMinor: -1006 })),
    });

    await Promise.all([carryOut(downgrade), carryOut(downgrade)]);
    await carryOut(downgrade);

    // September to December: 20.00 − 10.06 each; August's share (paid) is refunded from the latest payment, August's.
    const after = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(after.map((i) => [i.amountMinor, i.status])).toEqual([
      ...Array(7).fill([2000, 'paid']),
      [2000, 'partially_refunded'],
      ...Array(4).fill([994, 'open']),
    ]);
    const refunds = await PremiumRefund.findAll({ where: { subscriptionId: subscription.id } });
    expect(refunds.map((r) => [r.invoiceId, r.amountMinor, r.status])).toEqual([[invoices[7].id, 1006, 'owed']]);
    expect(await Invoice.count({ where: { subscriptionId: subscription.id } })).toBe(12);
    await expect(subscription.reload()).resolves.toMatchObject({ planId: basic.id, premium: '120.00', coverageAmount: '50000.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: subscription.id } })).toBe(2);
    // The return premium in the event as the API writes it too: a signed decimal string.
    const [event] = await WebhookEvent.findAll({ where: { subject: `subscriptions/${subscription.id}`, type: 'subscription.changed' } });
    expect(event.data).toMatchObject({ premiumDeltaMinor: -5030, premiumDelta: '-50.30', currency: 'EUR' });
    const valid = addFormats(new Ajv({ strict: false })).compile(WEBHOOK_EVENT_TYPES['subscription.changed'].data);
    expect(valid(event.data) ? [] : valid.errors).toEqual([]);
  });

  it('refunds a return premium priced as one amount from the card payment, through the provider run', async () => {
    const { subscription, invoices } = await policyOn(plus);
    await applyPayment(
      sequelize,
      {
        tenantId: subscription.tenantId,
        invoiceId: invoices[0].id,
        amountMinor: 24000,
        method: 'card',
        provider: 'stripe',
        providerPaymentId: `pi_whole_${subscription.id}`,
        receivedAt: new Date('2026-01-01T08:00:00Z'),
      },
      system,
    );
    // The whole premium paid up front, beyond January's instalment as credit: July's instalment, still open, takes
    // its 20.00 of the return premium (void); the other 40.49 is refunded from the card payment.
    const downgrade = await quoted(subscription, {
      requested: { planId: basic.id },
      premiumAfter: '120.00',
      premiumDeltaMinor: -6049,
      instalments: [{ dueDate: '2026-07-01', amountMinor: -6049 }],
    });
    await Promise.all([carryOut(downgrade), carryOut(downgrade)]);

    const refunds = await PremiumRefund.findAll({ where: { subscriptionId: subscription.id } });
    expect(refunds.map((r) => [r.amountMinor, r.status, r.provider])).toEqual([[4049, 'pending', 'stripe']]);
    await expect(invoices[6].reload()).resolves.toMatchObject({ status: 'void', amountMinor: 2000 });
    const starts = await OutboxMessage.findAll({ where: { workflowId: premiumRefundRun.id(refunds[0].id) } });
    expect(starts).toHaveLength(1);
  });

  it('carries out one of two quotes priced from the same premium, sent at once, and refuses the other as stale', async () => {
    const { subscription } = await policyOn(basic);
    // Both priced on 120.00 (the API checked each against the row before either was written): 60.50 more from July.
    const priced = () =>
      quoted(subscription, {
        requested: { planId: plus.id },
        premiumAfter: '240.00',
        premiumDeltaMinor: 6050,
        instalments: [{ dueDate: '2026-07-01', amountMinor: 6050 }],
      });
    const [first, second] = [await priced(), await priced()];

    const answers = await Promise.all([carryOut(first), carryOut(second)]);
    expect(answers.map((answer) => answer.outcome).sort()).toEqual(['applied', 'refused']);
    expect(answers.find((answer) => answer.outcome === 'refused')).toEqual({
      outcome: 'refused',
      reason: 'the change was priced for a premium of 120.00, the policy is at 240.00',
      refusal: { why: 'premium', pricedPremium: '120.00', premium: '240.00', currency: 'EUR' },
    });
    const changes = await SubscriptionChange.findAll({ where: { subscriptionId: subscription.id } });
    expect(changes.map((change) => change.status).sort()).toEqual(['applied', 'quoted']);
    expect(await SubscriptionVersion.count({ where: { subscriptionId: subscription.id } })).toBe(2);
    // The additional premium billed once: the term's 12 instalments and one more.
    expect(await Invoice.count({ where: { subscriptionId: subscription.id } })).toBe(13);
    await expect(subscription.reload()).resolves.toMatchObject({ planId: plus.id, premium: '240.00' });
  });

  it('applies the cover the change was quoted with, though the plan was given another since', async () => {
    const { subscription, to, upgrade } = await upgradeQuoted();
    // Confirmed for its day; meanwhile the plan's cover is cut for new business.
    await to.update({ coverageAmount: '60000.00' });

    await expect(carryOut(upgrade)).resolves.toMatchObject({ outcome: 'applied', coverageAmount: '90000.00', premium: '240.00' });
    await expect(subscription.reload()).resolves.toMatchObject({ planId: to.id, coverageAmount: '90000.00' });
    const version = await SubscriptionVersion.findOne({ where: { changeId: upgrade.id }, rejectOnEmpty: true });
    expect([version.coverageAmount, version.fieldChanges.coverageAmount]).toEqual(['90000.00', { before: '50000.00', after: '90000.00' }]);
  });

  it('carries out a change scheduled to a plan that was deleted since, as agreed, and answers its retry the same', async () => {
    const { subscription, to, upgrade } = await upgradeQuoted('Hausrat Gone');
    await upgrade.update({ status: 'scheduled', confirmedById: holder.id, confirmedAt: new Date('2026-06-01T00:00:00Z') });
    // Confirmed for its day; meanwhile the plan is withdrawn from sale (DELETE /plans/:id, soft).
    await to.destroy();

    const applied = { outcome: 'applied', planId: to.id, planName: 'Hausrat Gone', coverageAmount: '90000.00', premium: '240.00' };
    await expect(carryOut(upgrade)).resolves.toMatchObject(applied);
    await expect(carryOut(upgrade)).resolves.toMatchObject(applied);
    await expect(subscription.reload()).resolves.toMatchObject({ planId: to.id, coverageAmount: '90000.00', premium: '240.00' });
  });

  it('changes only the contact at no cost, and refuses a withdrawn change or one priced for another term', async () => {
    const { subscription } = await policyOn(basic);
    const address = { line1: 'Kirchweg 4', postalCode: '50667', city: 'Köln', country: 'DE' };
    const move = await quoted(subscription, {
      requested: { propertyAddress: address, holderPhone: '+4922112345' },
      premiumAfter: '120.00',
      premiumDeltaMinor: 0,
      instalments: [],
    });
    await expect(carryOut(move)).resolves.toMatchObject({
      outcome: 'applied',
      versionNumber: 2,
      changedFields: ['propertyAddress', 'holderPhone'],
    });
    await expect(subscription.reload()).resolves.toMatchObject({ propertyAddress: address, holderPhone: '+4922112345', premium: '120.00' });
    // The audit trail names what moved but keeps no contact: an erasure never rewrites it.
    const [audited] = await AuditEvent.findAll({ where: { entityId: subscription.id, action: 'subscription.change' } });
    expect(audited.changes).toMatchObject({ contactChanged: { before: null, after: ['propertyAddress', 'holderPhone'] } });
    expect(JSON.stringify(audited.changes)).not.toMatch(/Kirchweg|4922112345/);
    expect(await Invoice.count({ where: { subscriptionId: subscription.id } })).toBe(12);

    const withdrawn = await quoted(subscription, {
      requested: { holderPhone: '+4922100000' },
      premiumAfter: '120.00',
      premiumDeltaMinor: 0,
      instalments: [],
    });
    await withdrawn.update({ status: 'withdrawn' });
    await expect(carryOut(withdrawn)).resolves.toEqual({
      outcome: 'refused',
      reason: 'the change is withdrawn',
      refusal: { why: 'change_status', status: 'withdrawn' },
    });
    const stale = await quoted(subscription, {
      requested: { holderPhone: '+4922100000' },
      premiumAfter: '120.00',
      premiumDeltaMinor: 0,
      instalments: [],
    });
    await subscription.update({ renewalCount: 1, endDate: '2028-01-01' });
    await expect(carryOut(stale)).resolves.toMatchObject({ outcome: 'refused' });
    await expect(stale.reload()).resolves.toMatchObject({ status: 'quoted' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: subscription.id } })).toBe(2);
    await expect(subscription.reload()).resolves.toMatchObject({ holderPhone: '+4922112345' });
  });

  it('ends a scheduled change that no longer fits not_applied, and answers a retry the same, so its holder is told once', async () => {
    const { subscription } = await policyOn(basic);
    const change = await quoted(subscription, {
      requested: { holderPhone: '+4922199999' },
      premiumAfter: '120.00',
      premiumDeltaMinor: 0,
      instalments: [],
    });
    await change.update({ status: 'scheduled' });
    await subscription.update({ premium: '150.00' });
    const refusal = {
      outcome: 'refused',
      reason: 'the change was priced for a premium of 120.00, the policy is at 150.00',
      refusal: { why: 'premium', pricedPremium: '120.00', premium: '150.00', currency: 'EUR' },
      notApplied: { effectiveDate: '2026-07-01' },
    };
    await expect(carryOut(change)).resolves.toEqual(refusal);
    // A retry whose first answer was lost (the worker died after the commit) finds it ended, and says so again.
    await expect(carryOut(change)).resolves.toEqual(refusal);
    await expect(change.reload()).resolves.toMatchObject({
      status: 'not_applied',
      notAppliedReason: refusal.reason,
      notAppliedRefusal: refusal.refusal,
    });
    expect(await AuditEvent.count({ where: { entityId: change.id, action: 'subscription.change_not_applied' } })).toBe(1);
  });

  it('ends a scheduled cut of the cover not_applied when an open claim made on or after its date would lose cover', async () => {
    const { subscription } = await policyOn(plus);
    const change = await quoted(subscription, {
      requested: { planId: basic.id },
      premiumAfter: '120.00',
      coverageAfter: '50000.00',
      premiumDeltaMinor: -6000,
      instalments: [],
    });
    await change.update({ status: 'scheduled' });
    // Filed after the change was confirmed, for a loss on its day, under version 1's 90,000.00.
    const claim = await buildClaim({ subscriptionId: subscription.id, incidentDate: '2026-07-01', amountClaimed: '70000.00' });
    const reason = `the change would reduce the cover of open claims on or after 2026-07-01: ${claim.claimNumber}`;
    await expect(carryOut(change)).resolves.toEqual({
      outcome: 'refused',
      reason,
      refusal: { why: 'claims', way: 'loses', effectiveDate: '2026-07-01', claimNumbers: claim.claimNumber },
      notApplied: { effectiveDate: '2026-07-01' },
    });
    await expect(change.reload()).resolves.toMatchObject({ status: 'not_applied', notAppliedReason: reason });
    await expect(subscription.reload()).resolves.toMatchObject({ planId: plus.id, coverageAmount: '90000.00' });
    expect(await SubscriptionVersion.count({ where: { subscriptionId: subscription.id } })).toBe(1);
  });
});
