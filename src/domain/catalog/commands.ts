/**
 * The writes of a tenant's catalog, made by its tenant admins: its categories and plans, each change recorded with
 * its audit event. Running policies keep the terms they were sold on (their rows hold them), so a plan may change or
 * go at any time, but for its currency once a policy or a rating table is in it; a category goes only once no live
 * plan uses it. A plan's amounts must fit its currency and its instalments be payable by card, and a plan given
 * another calendar moves its open claims' deadlines to it. Once a plan write commits, this process forgets what it
 * kept of the tenant's plans (src/domain/catalog/plan-cache.ts), so the writer reads its change back at once.
 */
import type { CreationAttributes } from 'sequelize';
import { Category, Plan, RatingVersion, Subscription, TenantSettings } from '../../models';
import { amountIn } from '../premiums/amounts';
import { calendarAccess } from '../../access/calendars';
import { categoryAccess, planAccess } from '../../access/catalog';
import { findVisible, tenantOf } from '../../access/core';
import { NotVisible } from '../../access/refusals';
import type { AuthUser } from '../../shared/caller';
import { assertPremiumPayableByCard } from '../../shared/card-minimum';
import { conflict, unprocessable } from '../../shared/errors';
import { createAudited, destroyAudited, updateAudited } from '../audited';
import { rescheduleClaimsOfPlan, type Reschedule, startReschedule } from '../calendars/reschedule';
import type { Command, UpdateCommand } from '../command';
import { planWritten } from './plan-cache';

type CategoryFields = Pick<CreationAttributes<Category>, 'name' | 'description'>;

type MoneyField = 'coverageAmount' | 'premium';
/** A plan as the caller gives it: amounts as numbers, checked to have at most 2 decimals. */
type PlanFields = Omit<
  Pick<
    CreationAttributes<Plan>,
    | 'categoryId'
    | 'name'
    | 'description'
    | 'coverageLevel'
    | 'policyType'
    | 'coverageAmount'
    | 'premium'
    | 'durationMonths'
    | 'billingFrequency'
    | 'currency'
    | 'calendarId'
    | 'isActive'
  >,
  MoneyField
> &
  Record<MoneyField, number>;

/** The fields as columns: each amount given becomes a string. */
type Columns<F> = Omit<F, MoneyField> & { [K in keyof F as K extends MoneyField ? K : never]: string };

/** Money goes to DECIMAL columns as a 2-decimal string, never through binary floating point. */
function toColumns<F extends Partial<Record<MoneyField, number>>>(fields: F): Columns<F> {
  const { coverageAmount, premium, ...rest } = fields;
  return {
    ...rest,
    ...(coverageAmount !== undefined && { coverageAmount: coverageAmount.toFixed(2) }),
    ...(premium !== undefined && { premium: premium.toFixed(2) }),
  } as Columns<F>;
}

/** A plan names a category of the caller's tenant: any other is bad input (422), not a missing resource. */
async function assertCategoryVisible(caller: AuthUser, categoryId: string | undefined): Promise<void> {
  if (!categoryId) return;
  await findVisible(caller, categoryAccess, categoryId).catch(() => {
    throw unprocessable('Category not found in this tenant', [{ field: 'categoryId', message: 'unknown category' }]);
  });
}

/**
 * A plan names a business calendar of the caller's tenant, or none (null: the tenant's default);
 * another tenant's or a missing one is bad input (422), like an unknown category.
 */
async function assertCalendarVisible(caller: AuthUser, calendarId: string | null | undefined): Promise<void> {
  if (!calendarId) return;
  await findVisible(caller, calendarAccess, calendarId).catch((error: unknown) => {
    if (!(error instanceof NotVisible)) throw error;
    throw unprocessable('Calendar not found in this tenant', [{ field: 'calendarId', message: 'unknown calendar' }]);
  });
}

/**
 * A premium or sum insured with more decimals than its currency has (100.50 in JPY) could never be
 * billed, paid or shown exactly (a yen plan answered cover "1000000.50"), and a premium whose
 * instalments are below the smallest card payment could never be paid by card: 422 naming the field.
 */
function assertAmountsIn(
  amounts: Record<MoneyField, number | string>,
  currency: string,
  terms: Pick<Plan, 'billingFrequency' | 'durationMonths'>,
): void {
  const premiumMinor = amountIn(amounts.premium, currency, 'premium');
  amountIn(amounts.coverageAmount, currency, 'coverageAmount');
  assertPremiumPayableByCard({ premiumMinor, currency, ...terms }, 'premium');
}

export const createCategory: Command<CategoryFields, Category> = (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  return createAudited(deps, 'category', tenantId, (transaction) => Category.create({ ...fields, tenantId }, { transaction }));
};

export const updateCategory: UpdateCommand<CategoryFields, Category> = async (caller, { id, fields }, deps) => {
  const category = await findVisible(caller, categoryAccess, id);
  return updateAudited(deps, 'category', category, fields);
};

/** Soft-deletes a category that no live plan uses (409 while one does). */
export const deleteCategory: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const category = await findVisible(caller, categoryAccess, id);
  const plans = await Plan.count({ where: { categoryId: category.id } });
  if (plans > 0)
    throw conflict('Delete or move the plans of this category first', [{ field: 'id', message: `${plans} live plan(s) use it`, plans }]);
  await destroyAudited(deps, 'category', category);
};

export const createPlan: Command<PlanFields, Plan> = async (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  await assertCategoryVisible(caller, fields.categoryId);
  await assertCalendarVisible(caller, fields.calendarId);
  const currency = fields.currency ?? (await TenantSettings.forTenant(tenantId)).currency;
  const columns = { ...toColumns(fields), currency, tenantId };
  // As it will be written, with the columns' defaults (billed annually unless it says).
  const { billingFrequency, durationMonths } = Plan.build(columns);
  assertAmountsIn(fields, currency, { billingFrequency, durationMonths });
  const created = await createAudited(deps, 'plan', tenantId, (transaction) => Plan.create(columns, { transaction }));
  planWritten(tenantId);
  return created;
};

/**
 * A plan's currency is part of what was sold and priced on it: its policies' claims are counted and
 * posted in it, and its rating tables hold amounts in it (JPY has no cents, KWD three decimals). Once
 * a policy or a rating version names the plan, its currency stays (409); a new plan takes another.
 */
async function assertCurrencyUnused(plan: Plan, currency: string | undefined): Promise<void> {
  if (currency === undefined || currency === plan.currency) return;
  const [policies, versions] = await Promise.all([
    Subscription.count({ where: { planId: plan.id } }),
    RatingVersion.count({ where: { planId: plan.id } }),
  ]);
  if (policies + versions === 0) return;
  throw conflict(
    `The plan's currency stays ${plan.currency}: it has policies or rating tables in it; create a plan in ${currency} instead`,
    [
      {
        field: 'currency',
        message: `${policies} policies and ${versions} rating versions are in ${plan.currency}`,
        rule: 'currency_in_use',
      },
    ],
  );
}

/**
 * Changes the given fields; running subscriptions keep the terms they were sold, which their rows hold
 * (cover, premium, duration, billing frequency, currency); the currency stays once sold or priced in.
 */
export const updatePlan: UpdateCommand<PlanFields, Plan> = async (caller, { id, fields }, deps) => {
  const plan = await findVisible(caller, planAccess, id);
  await assertCurrencyUnused(plan, fields.currency);
  await assertCategoryVisible(caller, fields.categoryId);
  await assertCalendarVisible(caller, fields.calendarId);
  assertAmountsIn(
    { premium: fields.premium ?? plan.premium, coverageAmount: fields.coverageAmount ?? plan.coverageAmount },
    fields.currency ?? plan.currency,
    { billingFrequency: fields.billingFrequency ?? plan.billingFrequency, durationMonths: fields.durationMonths ?? plan.durationMonths },
  );
  const calendarChanges = fields.calendarId !== undefined && fields.calendarId !== plan.calendarId;
  let reschedule: Reschedule | null = null;
  const changed = await updateAudited(deps, 'plan', plan, toColumns(fields), async (updated, transaction) => {
    // Its open claims count their deadlines in the calendar it names now.
    if (calendarChanges) reschedule = await rescheduleClaimsOfPlan(deps, updated, transaction);
  });
  planWritten(plan.tenantId);
  await startReschedule(deps, reschedule);
  return changed;
};

/** Soft-deletes a plan: no new subscriptions; running ones continue. */
export const deletePlan: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const plan = await findVisible(caller, planAccess, id);
  await destroyAudited(deps, 'plan', plan);
  planWritten(plan.tenantId);
};
