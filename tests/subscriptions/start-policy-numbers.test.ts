/**
 * A start's policy number (real PostgreSQL): the pending row's insert numbers it under the tenant's
 * yearly `policy_number_counters` row, which stays locked until the inserting transaction commits,
 * so every start of the tenant waits for that transaction. The run's first activity therefore
 * inserts the row as late as the API's statement allows, after claiming the quote: a claim held up
 * holds up this start only, and the tenant's numbers stay gapless (docs/subscriptions.md, Policy
 * numbers).
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Sequelize, Transaction } from 'sequelize';
import { createSubscriptionActivities } from '../../src/activities/subscriptions';
import type { SubscriptionTerms } from '../../src/contracts/subscription';
import { auditEventValues } from '../../src/domain/audit/record';
import { Quote, Subscription, type Plan, type User } from '../../src/models';
import { subscriptionCreatedEvent } from '../../src/models/subscription';
import { buildCategory, buildPlan, buildUser } from '../support/factories';
import { createTestDatabase, lockWaits, untilOneWaitsForLock, type TestDatabase } from '../support/database';
import { buildQuote } from '../support/quote-rows';
import { within } from '../support/waiting';
import { utcDayLasting } from '../support/utc-days';

describe("a start's policy number", () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let plan: Plan;
  let holder: User;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    const category = await buildCategory();
    plan = await buildPlan({ categoryId: category.id, currency: 'EUR' });
    holder = await buildUser({ tenantId: category.tenantId, role: 'policyholder' });
  });
  afterAll(() => db?.close());
  // Numbers are counted per UTC year: no test straddles a New Year's midnight.
  beforeEach(() => utcDayLasting());

  /** The terms a run is started with, as POST /subscriptions makes them, bound from the quote when one is named. */
  const termsOf = (quote?: Quote): SubscriptionTerms => ({
    subscriptionId: crypto.randomUUID(),
    tenantId: plan.tenantId,
    planId: plan.id,
    planName: plan.name,
    policyholderId: holder.id,
    coverageAmount: plan.coverageAmount,
    premium: plan.premium,
    currency: plan.currency,
    durationMonths: plan.durationMonths,
    ...(quote && { quoteId: quote.id }),
  });

  /** The run's first activity: the pending row, the quote's claim and the row's audit event. */
  const recordPendingByRun = (terms: SubscriptionTerms) =>
    new MockActivityEnvironment().run(createSubscriptionActivities({ sequelize }).recordPendingSubscription, terms);

  /** POST /subscriptions' own insert of the pending row with its audit event, one statement. */
  const recordPendingByApi = (terms: SubscriptionTerms) =>
    Subscription.recordPendingWithEvent(
      terms,
      auditEventValues({ actor: { type: 'user', id: holder.id } }, subscriptionCreatedEvent(terms)),
    );

  /** The running numbers of the tenant's policies (`POL-<year>-<n>`), in order. */
  async function tenantNumbers(): Promise<number[]> {
    const rows = await Subscription.findAll({ where: { tenantId: plan.tenantId }, attributes: ['policyNumber'] });
    return rows.map(({ policyNumber }) => Number(policyNumber.split('-')[2])).sort((a, b) => a - b);
  }

  it("records another start of the tenant while a run's claim of its quote waits, numbering both without gaps", async () => {
    const before = (await tenantNumbers()).length;
    const bound = termsOf();
    // As the API leaves it before starting the run: the quote claimed for the subscription.
    const quote = await buildQuote(plan, { requestedById: holder.id, status: 'bound', subscriptionId: bound.subscriptionId });
    bound.quoteId = quote.id;
    const other = termsOf();
    // Another session holds the quote's row (a release or a second claim under way): the run's claim waits there.
    const blocker: Transaction = await sequelize.transaction();
    let released = false;
    const release = async () => {
      if (!released) await blocker.rollback();
      released = true;
    };
    // What runs in the background, settled before the test ends whatever it found (the next test counts numbers).
    const inFlight: Promise<unknown>[] = [];
    try {
      await sequelize.query('SELECT id FROM quotes WHERE id = :id FOR NO KEY UPDATE', {
        transaction: blocker,
        replacements: { id: quote.id },
      });
      const recording = recordPendingByRun(bound);
      inFlight.push(recording);
      await untilOneWaitsForLock(sequelize, '%UPDATE quotes%', "the run's first activity held on its quote's claim");

      // Another start of the tenant does not queue behind that transaction, which is still open: it is done well
      // before the statement timeout (DB_STATEMENT_TIMEOUT_MS, 10 s) would end the claim's wait.
      const starting = recordPendingByApi(other);
      inFlight.push(starting);
      const started = await within(
        starting,
        async () => `another start recorded while the claim waits; ${await lockWaits(sequelize)}`,
        5_000,
      );
      expect(started).toMatchObject({ id: other.subscriptionId, status: 'pending' });

      await release();
      await recording;
    } finally {
      await release();
      await Promise.allSettled(inFlight);
    }
    const [first, second] = await Promise.all(
      [bound, other].map(({ subscriptionId }) => Subscription.findByPk(subscriptionId, { rejectOnEmpty: true })),
    );
    // The held start took its number last: after the other start's.
    expect([second.policyNumber, first.policyNumber].map((number) => Number(number.split('-')[2]))).toEqual([before + 1, before + 2]);
    expect(await tenantNumbers()).toEqual(Array.from({ length: before + 2 }, (_, index) => index + 1));
    expect(await Quote.findByPk(quote.id, { rejectOnEmpty: true })).toMatchObject({
      status: 'bound',
      subscriptionId: bound.subscriptionId,
    });
  });

  it("records the run's pending row the API has already recorded without waiting for the counter another start holds", async () => {
    const terms = termsOf();
    const recorded = await recordPendingByApi(terms);
    const numbers = await tenantNumbers();
    // Another start of the tenant has taken its number and is still open: it holds the counter row.
    const blocker: Transaction = await sequelize.transaction();
    try {
      await sequelize.query('SELECT last_value FROM policy_number_counters WHERE tenant_id = :tenantId FOR UPDATE', {
        transaction: blocker,
        replacements: { tenantId: plan.tenantId },
      });
      const recording = recordPendingByRun(terms);
      recording.catch(() => undefined);
      await within(recording, async () => `the run's insert of a recorded row; ${await lockWaits(sequelize)}`, 5_000);
    } finally {
      await blocker.rollback();
    }
    expect(await Subscription.findByPk(terms.subscriptionId, { rejectOnEmpty: true })).toMatchObject({
      policyNumber: recorded!.policyNumber,
    });
    expect(await tenantNumbers()).toEqual(numbers);
  });
});
