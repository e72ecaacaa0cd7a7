/**
 * Rating versions and quotes written directly through their models (docs/quotes.md), for tests of
 * what follows a quote (binding it, renewing and changing the policy bound from it) without the
 * quote routes. Defaults describe one detached house in a Berlin postcode on tables that rate it.
 */
import type { CreationAttributes } from 'sequelize';
import type { BreakdownLine, RatingTables, Risk } from '../../src/contracts/quote';
import { Plan, Quote, RatingVersion } from '../../src/models';
import { announcePlanChange } from '../../src/domain/catalog/plan-cache';
import { DAY_MS } from '../../src/shared/time';

/** Tables that accept RISK: 1.20 per 1,000 insured, a Berlin zone at 1.20, a minimum of 150.00, no tax or fees. */
export const TABLES: RatingTables = {
  ratePerThousand: '1.20',
  sumInsured: { min: '50000.00', max: '2000000.00' },
  categories: { detached_house: '1.10', apartment: '0.90', bungalow: '1.00' },
  deductibles: [
    { amount: '250.00', credit: '0' },
    { amount: '1000.00', credit: '0.10' },
  ],
  buildingAge: [
    { upToYears: 30, factor: '1.00' },
    { upToYears: 300, factor: '1.15' },
  ],
  zones: [
    { code: 'BER', postcodePrefixes: ['10'], factor: '1.20' },
    { code: 'MUC', postcodePrefixes: ['8'], factor: '1.00' },
  ],
  options: [{ code: 'flood', label: 'Flood', premium: '40.00' }],
  minimumPremium: '150.00',
  taxRate: '0',
  fees: [],
  referral: {},
};

/** A risk TABLES accept. */
export const RISK: Risk = {
  propertyCategory: 'detached_house',
  sumInsured: '300000.00',
  deductible: '250.00',
  postcode: '10115',
  yearBuilt: 2010,
  options: [],
};

/** Tables `factor` times as dear per 1,000 insured as TABLES. */
export const tablesTimes = (factor: number): RatingTables => ({ ...TABLES, ratePerThousand: (1.2 * factor).toFixed(2) });

/** A rating version of the plan, effective from `effectiveFrom` (default: 30 days ago), numbered after the plan's latest. */
export async function buildRatingVersion(
  plan: Plan,
  createdById: string,
  overrides: Partial<CreationAttributes<RatingVersion>> = {},
): Promise<RatingVersion> {
  const number = ((await RatingVersion.max<number, RatingVersion>('number', { where: { planId: plan.id } })) ?? 0) + 1;
  const version = await RatingVersion.create({
    tenantId: plan.tenantId,
    planId: plan.id,
    number,
    effectiveFrom: new Date(Date.now() - 30 * DAY_MS).toISOString().slice(0, 10),
    tables: TABLES,
    createdById,
    ...overrides,
  });
  // As saving a version through the API does: a version kept with its plan is forgotten.
  await announcePlanChange(RatingVersion.sequelize!, plan.tenantId);
  return version;
}

/** What the quote's breakdown says it cost, by default 475.20 in two steps. */
const BREAKDOWN: BreakdownLine[] = [
  { step: 'base', label: '300,000.00 at 1.20 per 1,000', amount: '360.00' },
  { step: 'category', label: 'Detached house', factor: '1.10', amount: '36.00' },
  { step: 'zone', label: 'Zone BER', factor: '1.20', amount: '79.20' },
];

/** A quote of the plan, `quoted` and valid for 30 days unless told otherwise, at 475.20 (BREAKDOWN's sum). */
export function buildQuote(plan: Plan, overrides: Partial<CreationAttributes<Quote>> = {}): Promise<Quote> {
  return Quote.create({
    tenantId: plan.tenantId,
    planId: plan.id,
    status: 'quoted',
    risk: RISK,
    currency: plan.currency,
    premiumMinor: 47520,
    breakdown: BREAKDOWN,
    instalments: [{ number: 1, amountMinor: 47520 }],
    validUntil: new Date(Date.now() + 30 * DAY_MS),
    ...overrides,
  });
}
