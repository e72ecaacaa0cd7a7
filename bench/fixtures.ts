import crypto from 'node:crypto';
import type { CreationAttributes, Model, ModelStatic } from 'sequelize';
import type { Plan, Tenant, User } from '../src/models';
import type { SubscriptionTerms } from '../src/contracts/subscription';
import { buildCategory, buildPlan, buildTenant, buildUsers } from '../tests/support/factories';

export interface BenchTenant {
  tenant: Tenant;
  plan: Plan;
  policyholders: User[];
}

export async function createBenchTenant(policyholderCount: number): Promise<BenchTenant> {
  const tenant = await buildTenant();
  const category = await buildCategory({ tenantId: tenant.id, name: 'Home' });
  const plan = await buildPlan({
    categoryId: category.id,
    name: 'Home Basic',
    coverageLevel: 'basic',
    coverageAmount: '50000.00',
    premium: '240.00',
    durationMonths: 12,
  });
  const policyholders = await buildUsers(policyholderCount, tenant.id);
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

/** A request's answer as the loops read it: fetch's Response, or a load generator's own client's (bench/quotes.ts). */
export type Answer = Pick<Response, 'status' | 'url' | 'arrayBuffer'>;

/** Reads the whole answer to a request, which must be `status` (else an error naming what it answered). */
export async function answered(request: Promise<Answer>, status: number): Promise<void> {
  const response = await request;
  const body = await response.arrayBuffer();
  if (response.status !== status)
    throw new Error(`${response.url} answered ${response.status}: ${Buffer.from(body).toString('utf8', 0, 300)}`);
}

/** Sends `request` back to back until `until` (a time in ms); each answer must be `status`. Returns each latency in ms. */
export async function requestsUntil(until: number, status: number, request: () => Promise<Answer>): Promise<number[]> {
  const latencies: number[] = [];
  while (Date.now() < until) {
    const started = performance.now();
    await answered(request(), status);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Rows per INSERT when seeding: one statement of 100,000 rows fails where these succeed. */
const SEED_BATCH = 5000;

/** `rows` inserted a batch at a time, in order; answers the created rows. */
export async function bulkCreateInBatches<M extends Model>(model: ModelStatic<M>, rows: CreationAttributes<M>[]): Promise<M[]> {
  const created: M[] = [];
  for (let i = 0; i < rows.length; i += SEED_BATCH) created.push(...(await model.bulkCreate(rows.slice(i, i + SEED_BATCH))));
  return created;
}
