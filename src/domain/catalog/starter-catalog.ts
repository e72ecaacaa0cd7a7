/** The catalog a tenant starts with: provisioned for every approved tenant, and seeded for the demo tenant. */
import type { Transaction } from 'sequelize';
import { Category } from '../../models/category';
import { CoverageLevel, Plan, PolicyType } from '../../models/plan';

interface StarterPlan {
  name: string;
  coverageLevel: CoverageLevel;
  coverageAmount: number;
  premium: number;
  durationMonths: number;
}

/** What a new tenant can sell on day one (the property categories of the catalog brief); the admin edits it later. */
const STARTER_CATALOG: Array<{ name: string; description: string; policyType: PolicyType; plans: StarterPlan[] }> = [
  {
    name: 'Apartment',
    description: 'Apartments and flats',
    policyType: 'home',
    plans: [
      { name: 'Apartment Basic', coverageLevel: 'basic', coverageAmount: 50_000, premium: 120, durationMonths: 12 },
      { name: 'Apartment Standard', coverageLevel: 'standard', coverageAmount: 150_000, premium: 300, durationMonths: 12 },
      { name: 'Apartment Premium', coverageLevel: 'premium', coverageAmount: 400_000, premium: 700, durationMonths: 12 },
    ],
  },
  {
    name: 'Detached house',
    description: 'Detached houses, duplexes and bungalows',
    policyType: 'home',
    plans: [
      { name: 'House Basic', coverageLevel: 'basic', coverageAmount: 100_000, premium: 200, durationMonths: 12 },
      { name: 'House Standard', coverageLevel: 'standard', coverageAmount: 300_000, premium: 480, durationMonths: 12 },
      { name: 'House Premium', coverageLevel: 'premium', coverageAmount: 750_000, premium: 1_100, durationMonths: 12 },
    ],
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
