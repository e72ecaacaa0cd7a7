/**
 * The claims a policy change would move the cover of (src/domain/claims/cover.ts), on real rows:
 * only claims with an incident on or after the change's effective date; losing, only those not yet
 * settled; each judged as filing judges it (a raise agreed after the loss gives it nothing).
 */
import type { ClaimStage } from '../../src/contracts/claim';
import { claimsWhoseCoverMoves } from '../../src/domain/claims/cover';
import type { Subscription, SubscriptionVersion } from '../../src/models';
import { buildClaim, buildSubscription } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { buildVersions } from './fixtures';

const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('claims whose cover a policy change moves', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.close());

  const claimOn = (subscription: Subscription, incidentDate: string, status: ClaimStage = 'reported') =>
    buildClaim({ subscriptionId: subscription.id, incidentDate, status });
  const numbersOf = async (
    subscription: Subscription,
    effectiveDate: string,
    coverageAfter: string,
    { way = 'loses', agreedAt }: { way?: 'loses' | 'gains'; agreedAt?: Date } = {},
  ) =>
    (await claimsWhoseCoverMoves(db.sequelize, subscription.id, { effectiveDate, coverageAfter, agreedAt, way })).map(
      (claim) => claim.claimNumber,
    );
  /** The version as if it had been agreed (written, with no change behind it) at the start of `day`. */
  const agreedOn = (version: SubscriptionVersion, day: string) =>
    db.sequelize.query('UPDATE subscription_versions SET created_at = :at WHERE id = :id', {
      replacements: { at: new Date(`${day}T00:00:00Z`), id: version.id },
    });

  it('names the unsettled claims from the effective date on whose cover would go down, in claim-number order', async () => {
    const subscription = await buildSubscription(); // covers 100,000.00 (version 1, written as the row is inserted)
    const start = subscription.startDate!;
    const effective = dayAfter(start, 10);
    const before = await claimOn(subscription, dayAfter(start, 9));
    const onTheDay = await claimOn(subscription, effective);
    const approved = await claimOn(subscription, dayAfter(start, 20), 'approved');
    const settled = await Promise.all(
      (['denied', 'paid', 'closed'] as const).map((status) => claimOn(subscription, dayAfter(start, 20), status)),
    );

    const losing = await numbersOf(subscription, effective, '50000.00');
    expect(losing).toEqual([onTheDay.claimNumber, approved.claimNumber]);
    expect(losing).not.toContain(before.claimNumber);
    for (const claim of settled) expect(losing).not.toContain(claim.claimNumber);

    // The same cover or more takes nothing away.
    expect(await numbersOf(subscription, effective, '100000.00')).toEqual([]);
    expect(await numbersOf(subscription, effective, '150000.00')).toEqual([]);
  });

  it('judges each claim by the version in force on its incident date, not by the policy as issued', async () => {
    const subscription = await buildSubscription();
    const start = subscription.startDate!;
    // Cover was raised to 200,000.00 from day 5, agreed that day: a claim of day 6 is under that version, so a change to
    // 150,000.00 (still more than the 100,000.00 as issued) takes cover from it.
    const [, raise] = await buildVersions(subscription, [
      { effectiveFrom: start, coverageAmount: '100000.00' },
      { effectiveFrom: dayAfter(start, 5), coverageAmount: '200000.00' },
    ]);
    await agreedOn(raise, dayAfter(start, 5));
    const underRaise = await claimOn(subscription, dayAfter(start, 6));

    expect(await numbersOf(subscription, dayAfter(start, 6), '150000.00')).toEqual([underRaise.claimNumber]);
    expect(await numbersOf(subscription, dayAfter(start, 6), '200000.00')).toEqual([]);
  });

  it('a raise agreed after a loss moves nothing; one that would lift a cut agreed after it, or agreed before it, gains', async () => {
    const subscription = await buildSubscription(); // covers 100,000.00
    const start = subscription.startDate!;
    const claim = await claimOn(subscription, dayAfter(start, 6));
    const gaining = (effectiveDate: string, coverageAfter: string, agreedAt?: Date) =>
      numbersOf(subscription, effectiveDate, coverageAfter, { way: 'gains', agreedAt });

    // Agreed now, weeks after the loss of day 6: the claim keeps 100,000.00, so nothing is refused.
    expect(await gaining(dayAfter(start, 3), '150000.00')).toEqual([]);
    // Agreed before the day of the loss began (a scheduled change), it would cover it.
    expect(await gaining(dayAfter(start, 3), '150000.00', new Date(`${dayAfter(start, 5)}T23:59:59Z`))).toEqual([claim.claimNumber]);

    // A cut to 40,000.00 from day 5 agreed after the loss judges it as agreed; a raise to 80,000.00 would lift it.
    await buildVersions(subscription, [
      { effectiveFrom: start, coverageAmount: '100000.00' },
      { effectiveFrom: dayAfter(start, 5), coverageAmount: '40000.00' },
    ]);
    expect(await gaining(dayAfter(start, 5), '80000.00')).toEqual([claim.claimNumber]);
    expect(await numbersOf(subscription, dayAfter(start, 5), '30000.00')).toEqual([claim.claimNumber]);
    expect(await numbersOf(subscription, dayAfter(start, 5), '40000.00')).toEqual([]);
  });

  it('finds nothing on another subscription', async () => {
    const subscription = await buildSubscription();
    const other = await buildSubscription();
    await claimOn(other, other.startDate!);
    expect(await numbersOf(subscription, subscription.startDate!, '1.00')).toEqual([]);
  });
});
