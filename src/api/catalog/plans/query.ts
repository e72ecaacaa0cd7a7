/** The plan list with its filters, shared by /plans and the public catalog. */
import { Attributes, Op, WhereOptions } from 'sequelize';
import { Plan } from '../../../models';
import { coverAndPremiumAsWritten } from '../../../shared/money';
import { Page, paginatePlain } from '../../lists/pagination';
import type { Output } from '../../../shared/typed-schema';
import type { listPlansQuery } from './schemas';
import { keptPlanReads } from '../../../domain/catalog/plan-cache';

export type PlanFilters = Output<typeof listPlansQuery>;

type PlanFilterKeys = 'categoryId' | 'coverageLevel' | 'policyType' | 'minPremium' | 'maxPremium' | 'isActive';

/** The plans matching the filters, inside `scope` (which always wins over the filters); GraphQL's `plans` uses it too. */
export function planWhere(filters: Pick<PlanFilters, PlanFilterKeys>, scope: WhereOptions): WhereOptions {
  const { categoryId, coverageLevel, policyType, minPremium, maxPremium, isActive } = filters;
  const premium = {
    ...(minPremium !== undefined && { [Op.gte]: minPremium.toFixed(2) }),
    ...(maxPremium !== undefined && { [Op.lte]: maxPremium.toFixed(2) }),
  };
  return {
    ...(isActive !== undefined && { isActive }),
    ...scope,
    ...(categoryId && { categoryId }),
    ...(coverageLevel && { coverageLevel }),
    ...(policyType && { policyType }),
    ...(Reflect.ownKeys(premium).length > 0 && { premium }),
  };
}

/** One page of plans matching the filters, inside `scope`; of one tenant's plans, as this process keeps it while current. */
export function listPlans(filters: PlanFilters, scope: WhereOptions): Promise<Page<Attributes<Plan>>> {
  const { page, pageSize, ordering } = filters;
  const read = async () => {
    const rows = await paginatePlain(Plan, { page, pageSize, ordering }, planWhere(filters, scope));
    // Plain rows: written as Plan.toJSON writes a plan.
    return { ...rows, items: rows.items.map(coverAndPremiumAsWritten) };
  };
  const { tenantId } = scope as { tenantId?: unknown };
  if (typeof tenantId !== 'string') return read();
  return keptPlanReads.read(tenantId, `page ${JSON.stringify([filters, scope])}`, read, (page) => page.items.length);
}
