/**
 * A row found by id through a prepared statement (findVisible's way, src/models/prepared-statement.ts)
 * is the instance Sequelize's findOne builds: every type of column alike, writable afterwards, and
 * nothing a simple filter cannot say is guessed at.
 */
import { Op } from 'sequelize';
import { Claim, Plan, Subscription, User } from '../../src/models';
import { findOneWhere } from '../../src/models/prepared-statement';
import { findVisible } from '../../src/access/core';
import { planAccess } from '../../src/access/catalog';
import { buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('a row by id as a prepared statement: the instance Sequelize builds', () => {
  // Only its database is used: the models read the stack's.
  testStackOfBlock();

  it('reads dates, day-only dates, decimals, JSON and nulls as findOne does', async () => {
    const subscription = await buildSubscription({
      holderPhone: '+4915112345678',
      propertyAddress: { line1: 'Lindenweg 4', postalCode: '10115', city: 'Berlin', country: 'DE' },
    });
    const claim = await buildClaim({ subscriptionId: subscription.id });
    const user = await User.findByPk(subscription.policyholderId, { rejectOnEmpty: true });
    for (const [model, id] of [
      [Subscription, subscription.id],
      [Claim, claim.id],
      [User, user.id],
      [Plan, subscription.planId],
    ] as const) {
      const where = { tenantId: subscription.tenantId, id };
      const direct = await findOneWhere(model as typeof Plan, where);
      const sequelize = await (model as typeof Plan).findOne({ where });
      expect(direct).not.toBeNull();
      expect(JSON.stringify(direct!.toJSON())).toBe(JSON.stringify(sequelize!.toJSON()));
    }
  });

  it('gives an instance that saves its changes like any other', async () => {
    const plan = await buildPlan({ premium: '120.00' });
    const found = (await findOneWhere(Plan, { tenantId: plan.tenantId, id: plan.id }))!;
    await found.update({ premium: '130.00' });
    expect((await Plan.findByPk(plan.id))!.premium).toBe('130.00');
    expect(found.changed()).toBe(false);
  });

  it('finds nothing in another tenant, nor a soft-deleted row, and binds values as parameters', async () => {
    const plan = await buildPlan();
    const other = await buildTenant();
    expect(await findOneWhere(Plan, { tenantId: other.id, id: plan.id })).toBeNull();
    expect(await findOneWhere(Plan, { tenantId: plan.tenantId, name: "x' OR '1'='1" })).toBeNull();
    await plan.destroy();
    expect(await findOneWhere(Plan, { tenantId: plan.tenantId, id: plan.id })).toBeNull();
  });

  it('leaves what a simple filter cannot say to Sequelize, with the same answer', async () => {
    const plan = await buildPlan({ isActive: false });
    expect((await findOneWhere(Plan, { id: plan.id, isActive: { [Op.in]: [false] } }))?.id).toBe(plan.id);
    expect(await findOneWhere(Plan, { id: plan.id, description: { [Op.ne]: null }, isActive: true })).toBeNull();
  });

  it("answers a policyholder 404 for a withdrawn plan and a tenant admin the plan (the access policy's scope)", async () => {
    const plan = await buildPlan({ isActive: false });
    const holder = await buildUser({ tenantId: plan.tenantId, role: 'policyholder' });
    const admin = await buildUser({ tenantId: plan.tenantId, role: 'tenant_admin' });
    await expect(findVisible(holder, planAccess, plan.id)).rejects.toMatchObject({ resource: 'Plan' });
    expect((await findVisible(admin, planAccess, plan.id)).id).toBe(plan.id);
  });
});
