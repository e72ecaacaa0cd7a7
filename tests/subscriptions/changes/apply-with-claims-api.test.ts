/**
 * A policy change confirmed while a claim is filed on the same policy, over HTTP on the dev server
 * (docs/subscriptions.md, Policy changes and claims; docs/claims.md, Cover by policy version). The
 * two serialise on the subscription's row, so exactly one of the two orders happens, never both
 * at once: the claim first, and a cut that would take its cover is refused (409); the cut first,
 * and the claim is judged by, and tied to, version 2. A raise agreed the day of the loss never covers
 * it, so a raise and a claim both go through in either order, the claim under version 1
 * (tests/claims/cover-raised-after-incident.test.ts). Each round uses a policy of its own.
 */
import { Claim, Plan, SubscriptionChange, SubscriptionVersion, Tenant, User } from '../../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../../support/factories';
import { housePlanThroughApi } from '../../support/catalog-api';
import { activePolicyThroughApi } from '../../support/policy-runs';
import { testStackOfBlock } from '../../support/stack';
import { utcDayLasting } from '../../support/utc-days';
import { within } from '../../support/waiting';

const ROUNDS = 10;
const today = () => new Date().toISOString().slice(0, 10);

describe('a policy change and a claim on one policy at the same moment', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let holder: User;
  let auth: { holder: string; admin: string };
  let house: Plan;
  let basic: Plan;
  let better: Plan;

  beforeAll(async () => {
    tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    auth = { holder: bearer(stack.config, holder), admin: bearer(stack.config, admin) };
    house = await housePlanThroughApi(stack, auth.admin);
    basic = await buildPlan({ categoryId: house.categoryId, coverageAmount: '50000.00', premium: '150.00' });
    better = await buildPlan({ categoryId: house.categoryId, coverageAmount: '150000.00', premium: '420.00' });
  });
  // A test issues its policy, changes it from today and files a loss of today: one UTC day, as the API counts it.
  beforeEach(() => utcDayLasting());

  const path = (id: string, rest = '') => `/api/v1/subscriptions/${id}${rest}`;

  const activePolicy = () => activePolicyThroughApi(stack, auth.holder, house.id);

  async function quote(id: string, plan: Plan): Promise<string> {
    const res = await stack.api
      .post(path(id, '/changes'))
      .set('Authorization', auth.holder)
      .send({ effectiveDate: today(), planId: plan.id });
    expect([res.status, res.body.error]).toEqual([201, undefined]);
    return res.body.id as string;
  }

  const apply = (id: string, changeId: string) => stack.api.post(path(id, `/changes/${changeId}/apply`)).set('Authorization', auth.holder);
  const file = (id: string, amountClaimed: string) =>
    stack.api
      .post('/api/v1/claims')
      .set('Authorization', auth.holder)
      .send({ subscriptionId: id, incidentDate: today(), amountClaimed, description: 'Fire' });

  /** The change's confirmation and the claim, sent together; both answers, within a deadline. */
  const together = (id: string, changeId: string, amountClaimed: string) =>
    within(Promise.all([apply(id, changeId), file(id, amountClaimed)]), `the change ${changeId} and the claim on ${id} answered`);

  /** The policy's versions by number, and the version its claims are tied to. */
  async function rowsOf(id: string) {
    const [versions, claims, change] = await Promise.all([
      SubscriptionVersion.findAll({ where: { subscriptionId: id }, order: [['number', 'ASC']] }),
      Claim.findAll({ where: { subscriptionId: id } }),
      SubscriptionChange.findAll({ where: { subscriptionId: id } }),
    ]);
    const numberOf = (versionId: string | null) => versions.find((version) => version.id === versionId)?.number ?? null;
    return {
      versions: versions.length,
      claims: claims.map((claim) => numberOf(claim.subscriptionVersionId)),
      changes: change.map((c) => c.status),
    };
  }

  it(`a cut of the cover (100,000.00 to 50,000.00) and a claim of 80,000.00: one or the other, in ${ROUNDS} rounds`, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const id = await activePolicy();
      const changeId = await quote(id, basic);
      const [applied, filed] = await together(id, changeId, '80000.00');
      const answers = [applied.status, filed.status];
      if (filed.status === 201) {
        // The claim first: the change would take cover from it.
        expect([answers, applied.body.error?.message]).toEqual([[409, 201], expect.stringContaining('reduce the cover of open claims')]);
        await expect(rowsOf(id)).resolves.toEqual({ versions: 1, claims: [1], changes: ['quoted'] });
        outcomes.push('claim first');
      } else {
        // The change first: the claim is judged by version 2.
        expect([answers, filed.body.error?.details]).toEqual([
          [200, 422],
          [
            expect.objectContaining({
              field: 'amountClaimed',
              message: expect.stringContaining('must not exceed 50000.00, the cover of policy version 2'),
            }),
          ],
        ]);
        await expect(rowsOf(id)).resolves.toEqual({ versions: 2, claims: [], changes: ['applied'] });
        outcomes.push('change first');
      }
    }
    expect(outcomes).toHaveLength(ROUNDS);
  });

  it(`a raise of the cover (100,000.00 to 150,000.00) and a claim of 80,000.00: both, in either order, in ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = await activePolicy();
      const changeId = await quote(id, better);
      const [applied, filed] = await together(id, changeId, '80000.00');
      // Whichever came first, the raise was agreed on the day of the loss: it moves no claim, and gives this one nothing.
      expect([applied.status, filed.status, applied.body.error, filed.body.error]).toEqual([200, 201, undefined, undefined]);
      await expect(rowsOf(id)).resolves.toEqual({ versions: 2, claims: [1], changes: ['applied'] });
    }
  });
});
