/**
 * A policy change's invoice numbers (real PostgreSQL): numbering an additional premium's invoices
 * holds the tenant's invoice counter row until the change commits, so carrying out the change takes
 * its numbers last, after the change's other work, and every other billing of the tenant goes on while
 * that work is slow; rolled back after numbering, the change gives its numbers back
 * (docs/premiums.md, Invoices).
 */
import type { Sequelize, Transaction } from 'sequelize';
import { Invoice, type Plan, type Subscription, SubscriptionChange, type User } from '../../../src/models';
import { recordAudit } from '../../../src/domain/audit/record';
import { billCurrentTerm } from '../../../src/domain/premiums/billing';
import { carryOutPolicyChange } from '../../../src/domain/subscriptions/changes/carry-out';
import { buildCategory, buildPlan, buildSubscription, buildUser } from '../../support/factories';
import { createTestDatabase, lockWaits, untilOneWaitsForLock, type TestDatabase } from '../../support/database';
import { within } from '../../support/waiting';
import { utcDayLasting } from '../../support/utc-days';

describe("a policy change's invoice numbers", () => {
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
    // 120.00 and 240.00 a year, billed monthly: twelve instalments of 10.00 each.
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR', durationMonths: 12 };
    basic = await buildPlan({ ...terms, premium: '120.00', coverageAmount: '50000.00' });
    plus = await buildPlan({ ...terms, premium: '240.00', coverageAmount: '90000.00' });
    holder = await buildUser({ tenantId: category.tenantId, role: 'policyholder' });
    agent = await buildUser({ tenantId: category.tenantId, role: 'claims_agent' });
  });
  afterAll(() => db?.close());
  // Numbers are counted per UTC year: no test straddles a New Year's midnight.
  beforeEach(() => utcDayLasting());

  /** An active policy on the basic plan over 2026 (the database writes its version 1), not billed yet. */
  async function unbilledPolicy(): Promise<Subscription> {
    const subscription = await buildSubscription({ planId: basic.id, policyholderId: holder.id, status: 'pending' });
    return subscription.update({ status: 'active', startDate: '2026-01-01', endDate: '2027-01-01' });
  }

  /** A billed policy and its upgrade to the plus plan quoted from July, its 60.50 additional premium in two instalments. */
  async function upgradeQuoted(): Promise<{ subscription: Subscription; upgrade: SubscriptionChange }> {
    const subscription = await unbilledPolicy();
    await billCurrentTerm(sequelize, subscription.id);
    const upgrade = await SubscriptionChange.create({
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      status: 'quoted',
      term: 0,
      effectiveDate: '2026-07-01',
      requested: { planId: plus.id },
      premiumBefore: subscription.premium,
      premiumAfter: '240.00',
      coverageAfter: '90000.00',
      premiumDeltaMinor: 6050,
      currency: 'EUR',
      instalments: [
        { dueDate: '2026-07-01', amountMinor: 3025 },
        { dueDate: '2026-08-01', amountMinor: 3025 },
      ],
      requestedById: holder.id,
    });
    return { subscription, upgrade };
  }

  const carryOut = (change: SubscriptionChange) =>
    carryOutPolicyChange(sequelize, { changeId: change.id, confirmedById: agent.id, appliedAt: '2026-07-01T10:00:00.000Z' }, system);

  /** The running number of an invoice number (`INV-<year>-<n>`). */
  const running = (number: string) => Number(number.split('-')[2]);

  /** The running numbers of the tenant's invoices, in order. */
  async function tenantNumbers(): Promise<number[]> {
    const invoices = await Invoice.findAll({ where: { tenantId: basic.tenantId }, attributes: ['number'] });
    return invoices.map(({ number }) => running(number)).sort((a, b) => a - b);
  }

  const oneToN = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

  /** The running numbers of a change's invoices: the term's invoices after its twelve instalments. */
  async function changeNumbers(subscription: Subscription): Promise<number[]> {
    const invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    return invoices.filter(({ sequence }) => sequence > 12).map(({ number }) => running(number));
  }

  it("bills another policy of the tenant while a change's other work waits, numbering both without gaps", async () => {
    const before = (await tenantNumbers()).length;
    const { subscription, upgrade } = await upgradeQuoted();
    const other = await unbilledPolicy();
    // Another session is recording the change's `subscription.changed` event: the change's own insert of it waits.
    const blocker: Transaction = await sequelize.transaction();
    let released = false;
    const release = async () => {
      if (!released) await blocker.rollback();
      released = true;
    };
    // What runs in the background, settled before the test ends whatever it found (the next test counts numbers).
    const inFlight: Promise<unknown>[] = [];
    try {
      await sequelize.query(
        `INSERT INTO webhook_events (id, tenant_id, type, subject, data, time, dedupe_key, created_at)
         VALUES (gen_random_uuid(), :tenantId, 'subscription.changed', :subject, '{}', now(), :dedupeKey, now())`,
        {
          transaction: blocker,
          replacements: {
            tenantId: subscription.tenantId,
            subject: `subscriptions/${subscription.id}`,
            dedupeKey: `subscription:${subscription.id}:change:${upgrade.id}`,
          },
        },
      );
      const applying = carryOut(upgrade);
      inFlight.push(applying);
      await untilOneWaitsForLock(sequelize, '%INSERT INTO webhook_events%', "the change held on its event's insert");

      // Billing another policy of the tenant does not queue behind the change, which is still open: it is done well
      // before the statement timeout (DB_STATEMENT_TIMEOUT_MS, 10 s) would end the change's wait.
      const billing = billCurrentTerm(sequelize, other.id);
      inFlight.push(billing);
      const billed = await within(
        billing,
        async () => `another policy billed while the change waits; ${await lockWaits(sequelize)}`,
        5_000,
      );
      expect(billed.map(({ number }) => running(number))).toEqual(oneToN(12).map((n) => before + 12 + n));

      await release();
      expect(await applying).toMatchObject({ outcome: 'applied', premiumDeltaMinor: 6050 });
    } finally {
      await release();
      await Promise.allSettled(inFlight);
    }
    // The change numbered its two invoices last: after the other policy's twelve.
    expect(await changeNumbers(subscription)).toEqual([before + 25, before + 26]);
    expect(await tenantNumbers()).toEqual(oneToN(before + 26));
  });

  it('gives back the numbers of a change rolled back after numbering them: the next billing and the change again take them', async () => {
    const before = (await tenantNumbers()).length;
    const { subscription, upgrade } = await upgradeQuoted();
    const other = await unbilledPolicy();
    // Another session holds the change's audit event (its dedupe key): the change waits there, its invoices numbered.
    const blocker: Transaction = await sequelize.transaction();
    try {
      await recordAudit(
        system,
        {
          tenantId: subscription.tenantId,
          action: 'subscription.change',
          entityType: 'subscription',
          entityId: subscription.id,
          dedupeKey: `${upgrade.id}:applied`,
        },
        blocker,
      );
      const applying = carryOut(upgrade);
      applying.catch(() => undefined);
      const auditInsert = '%INSERT INTO "audit_events"%';
      await untilOneWaitsForLock(sequelize, auditInsert, "the change held on its audit event's insert");
      // The change fails there (a worker cut off mid-change): its transaction rolls back.
      await sequelize.query(
        `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE :auditInsert`,
        { replacements: { auditInsert } },
      );
      await expect(applying).rejects.toThrow(/cancel/i);
    } finally {
      await blocker.rollback();
    }
    expect(await Invoice.count({ where: { subscriptionId: subscription.id } })).toBe(12);
    expect(await SubscriptionChange.findByPk(upgrade.id, { rejectOnEmpty: true })).toMatchObject({ status: 'quoted' });

    // The numbers the change took and gave back are the next billing's, then the change's carried out again.
    const billed = await billCurrentTerm(sequelize, other.id);
    expect(billed.map(({ number }) => running(number))).toEqual(oneToN(12).map((n) => before + 12 + n));
    expect(await carryOut(upgrade)).toMatchObject({ outcome: 'applied' });
    expect(await changeNumbers(subscription)).toEqual([before + 25, before + 26]);
    expect(await tenantNumbers()).toEqual(oneToN(before + 26));
  });
});
