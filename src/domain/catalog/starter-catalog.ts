/** The catalog a tenant starts with: provisioned for every approved tenant, and seeded for the demo tenant. */
import type { Transaction } from 'sequelize';
import { Category } from '../../models/category';
import { COVERAGE_LEVELS, CoverageLevel, Plan, PolicyType } from '../../models/plan';

interface StarterPlan {
  name: string;
  coverageLevel: CoverageLevel;
  coverageAmount: number;
  premium: number;
  durationMonths: number;
}

type StarterCategory = { name: string; description: string; policyType: PolicyType; plans: StarterPlan[] };

const TIER_NAMES: Record<CoverageLevel, string> = { basic: 'Basic', standard: 'Standard', premium: 'Premium' };

/** A home category's yearly plans, one per coverage level: its coverage amount and premium, named "<prefix> Basic" and so on. */
function yearlyTiers(prefix: string, tiers: Record<CoverageLevel, [coverageAmount: number, premium: number]>): StarterPlan[] {
  return COVERAGE_LEVELS.map((coverageLevel) => {
    const [coverageAmount, premium] = tiers[coverageLevel];
    return { name: `${prefix} ${TIER_NAMES[coverageLevel]}`, coverageLevel, coverageAmount, premium, durationMonths: 12 };
  });
}

/** What a new tenant can sell on day one (the property categories of the catalog brief); the admin edits it later. */
const STARTER_CATALOG: StarterCategory[] = [
  {
    name: 'Apartment',
    description: 'Apartments and flats',
    policyType: 'home',
    plans: yearlyTiers('Apartment', { basic: [50_000, 120], standard: [150_000, 300], premium: [400_000, 700] }),
  },
  {
    name: 'Detached house',
    description: 'Detached houses, duplexes and bungalows',
    policyType: 'home',
    plans: yearlyTiers('House', { basic: [100_000, 200], standard: [300_000, 480], premium: [750_000, 1_100] }),
  },
  {
    name: 'Small commercial',
    description: 'Small offices, shops and retail spaces',
    policyType: 'business',
    plans: [{ name: 'Small Business Standard', coverageLevel: 'standard', coverageAmount: 200_000, premium: 650, durationMonths: 6 }],
  },
];

export async function createStarterCatalog(tenantId: string, transaction?: Transaction): Promise<void> {
  for (const { plans, policyType, ...category } of STARTER_CATALOG) {
    const created = await Category.create({ ...category, tenantId }, { transaction });
    await Plan.bulkCreate(
      plans.map((plan) => ({
        ...plan,
        policyType,
        coverageAmount: plan.coverageAmount.toFixed(2),
        premium: plan.premium.toFixed(2),
        tenantId,
        categoryId: created.id,
      })),
      { transaction },
    );
  }
}
