/**
 * A month's close at 100,000 policies (docs/ledger.md, Closing a month; target: the close's
 * earnings and lock < 5 minutes). The policies' written premium is inserted with SQL, as billing
 * would have posted it: one invoice entry each, written on a day of the first half of 2025 for a
 * year's cover, 100.00 to 2,099.99 EUR. Then June is closed as its run does it, page after page of
 * EARNINGS_PAGE_SIZE policies (src/domain/ledger/earnings.ts) and the lock with the trial balance,
 * timed here in the benchmark's process; then July, when every policy has an earning to start from.
 */
import type { Sequelize } from 'sequelize';
import { EARNINGS_PAGE_SIZE } from '../src/contracts/ledger-close';
import { postEarningsPage } from '../src/domain/ledger/earnings';
import { lockClosingPeriod } from '../src/domain/ledger/periods';
import { buildTenant, buildUser } from '../tests/support/factories';
import { percentile } from './fixtures';
import type { BenchInfra } from './infra';

/** The bound on one month's close at 100,000 policies. */
const TARGET_SECONDS = 5 * 60;
/** Policies written per transaction while seeding. */
const SEED_BATCH = 20_000;

export interface MonthClose {
  month: string;
  pages: number;
  entries: number;
  pageP50Ms: number;
  pageMaxMs: number;
  /** The period locked with its trial balance. */
  lockMs: number;
  seconds: number;
}

export interface LedgerCloseResult {
  policies: number;
  seedSeconds: number;
  months: MonthClose[];
  targetMet: boolean;
}

export async function seedWrittenPremium(sequelize: Sequelize, tenantId: string, policies: number): Promise<void> {
  for (let done = 0; done < policies; done += SEED_BATCH) {
    await sequelize.query(
      `WITH policy AS (
         SELECT gen_random_uuid() AS id, gen_random_uuid() AS subscription_id,
                date '2025-01-01' + (n % 181) AS written_on, 10000 + (n * 7919) % 200000 AS premium
           FROM generate_series(:from, :to) AS n),
       entry AS (
         INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                                      subscription_id, term, cover_from, cover_until)
         SELECT id, :tenantId, 'invoice', id, 'invoice:' || id || ':issued', 'Invoice issued', written_on, 'EUR',
                subscription_id, 0, written_on, (written_on + interval '1 year')::date FROM policy
         RETURNING id, posted_on)
       INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
       SELECT entry.id, :tenantId, side.account, 'EUR', entry.posted_on, side.debit, side.credit
         FROM entry JOIN policy USING (id)
        CROSS JOIN LATERAL (VALUES ('premium_receivable', policy.premium, 0), ('unearned_premium', 0, policy.premium)) AS side (account, debit, credit)`,
      { replacements: { tenantId, from: done + 1, to: Math.min(done + SEED_BATCH, policies) } },
    );
  }
}

/** One month closed as its run closes it: the earnings page by page, then the lock. */
export async function closeMonth(sequelize: Sequelize, tenantId: string, closedById: string, month: string): Promise<MonthClose> {
  await sequelize.query(`INSERT INTO ledger_periods (tenant_id, month, status) VALUES (:tenantId, :first, 'closing')`, {
    replacements: { tenantId, first: `${month}-01` },
  });
  const started = performance.now();
  const pageMs: number[] = [];
  let entries = 0;
  let after: string | null = null;
  do {
    const pageStarted = performance.now();
    const page = await postEarningsPage(sequelize, { tenantId, month, after, pageSize: EARNINGS_PAGE_SIZE });
    pageMs.push(performance.now() - pageStarted);
    entries += page.entries;
    after = page.next;
  } while (after);
  const lockStarted = performance.now();
  await lockClosingPeriod(sequelize, { tenantId, month, closedById }, { actor: { type: 'system', id: null } });
  const lockMs = performance.now() - lockStarted;
  return {
    month,
    pages: pageMs.length,
    entries,
    pageP50Ms: percentile(pageMs, 50),
    pageMaxMs: Math.max(...pageMs),
    lockMs,
    seconds: (performance.now() - started) / 1000,
  };
}

export async function benchLedgerClose(infra: Pick<BenchInfra, 'sequelize'>, policies: number): Promise<LedgerCloseResult> {
  const { sequelize } = infra;
  const tenant = await buildTenant();
  const finance = await buildUser({ tenantId: tenant.id, role: 'finance' });
  const seedStarted = performance.now();
  await seedWrittenPremium(sequelize, tenant.id, policies);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const months = [
    await closeMonth(sequelize, tenant.id, finance.id, '2025-06'),
    await closeMonth(sequelize, tenant.id, finance.id, '2025-07'),
  ];
  return { policies, seedSeconds, months, targetMet: months.every((month) => month.seconds < TARGET_SECONDS) };
}
