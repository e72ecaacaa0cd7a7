/**
 * The plan a policy is taken out on, as its caller may see it: read once per change of its
 * tenant's plans in each process (src/domain/catalog/plan-cache.ts), since every policy taken out on a
 * plan reads the same row. The access rule's scope is the whole of what a caller may see of plans
 * (the tenant's; only active ones but to tenant admins), so the row it finds is visible.
 */
import type { Attributes } from 'sequelize';
import { planAccess } from '../../access/catalog';
import { tenantOf } from '../../access/core';
import { NotVisible } from '../../access/refusals';
import { Plan } from '../../models';
import { findOneWhere } from '../../models/prepared-statement';
import { keptPlanReads } from './plan-cache';
import type { AuthUser } from '../../shared/caller';

/** The plan `id` among those `caller` may see, as plain values; NotVisible (404) otherwise. */
export async function visiblePlan(caller: AuthUser, id: string): Promise<Attributes<Plan>> {
  const scope = planAccess.scope(caller);
  const read = async () => (await findOneWhere(Plan, scope, { id }))?.get({ plain: true }) ?? null;
  const plan = await keptPlanReads.read(tenantOf(caller), `plan ${id} ${JSON.stringify(scope)}`, read, (row) => (row ? 1 : 0));
  if (!plan) throw new NotVisible(planAccess.resource);
  return plan;
}
