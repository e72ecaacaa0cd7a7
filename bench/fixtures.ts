import crypto from 'node:crypto';
import { Category, Plan, Tenant, User } from '../src/models';
import type { SubscriptionTerms } from '../src/contracts/subscription';

/** bcrypt of an unused password: bench users never log in, they get tokens directly. */
const UNUSED_HASH = '$2a$12$CNi5UNrtkv33C3ywgLB84.LXCArOom40Y0UCTMhoDopyYCoPeCPzK';

export interface BenchTenant {
  tenant: Tenant;
  plan: Plan;
  policyholders: User[];
}

export async function createBenchTenant(policyholderCount: number): Promise<BenchTenant> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const tenant = await Tenant.create({ name: `Bench ${suffix}`, slug: `bench-${suffix}` });
  const category = await Category.create({ tenantId: tenant.id, name: 'Home' });
  const plan = await Plan.create({ tenantId: tenant.id, categoryId: category.id, name: 'Home Basic', coverageLevel: 'basic', coverageAmount: '50000.00', premium: '240.00', durationMonths: 12 });
  const policyholders = await User.bulkCreate(
    Array.from({ length: policyholderCount }, (_, i) => ({
      tenantId: tenant.id,
      role: 'policyholder' as const,
      email: `holder-${i}-${suffix}@bench.test`,
      fullName: `Holder ${i}`,
      passwordHash: UNUSED_HASH,
    })),
  );
  return { tenant, plan, policyholders };
}

export function termsFor(bench: BenchTenant, policyholder: User): SubscriptionTerms {
  return {
    subscriptionId: crypto.randomUUID(),
    tenantId: bench.tenant.id,
    planId: bench.plan.id,
    planName: bench.plan.name,
    policyholderId: policyholder.id,
    coverageAmount: bench.plan.coverageAmount,
    premium: bench.plan.premium,
    durationMonths: bench.plan.durationMonths,
  };
}

/** Runs `task` for 0..count-1 with at most `concurrency` in flight; returns each one's latency in ms. */
export async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const i = next++;
      const started = performance.now();
      await task(i);
      latencies.push(performance.now() - started);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return latencies;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
