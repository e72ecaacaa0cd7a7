/**
 * `npm run bench`: the targets of docs/architecture.md, measured side by side in one run on fresh real servers
 * (embedded PostgreSQL, Temporal dev server, in-process SMTP; BENCH_TEMPORAL=compose: the Temporal server compose runs, on
 * that PostgreSQL, its schema and namespace made by compose's set-up jobs' scripts).
 * Sizes can be lowered for a quick look: BENCH_STARTS (and BENCH_STARTS_CONCURRENCY, 16), BENCH_EXPIRIES, BENCH_OPEN_WORKFLOWS,
 * BENCH_CRASH_SUBSCRIPTIONS, BENCH_SEARCH_CLAIMS, BENCH_SEARCH_REQUESTS, BENCH_REPORT_ROWS (claims and policies), BENCH_REPORT_REQUESTS
 * (per report), BENCH_SCREEN_REQUESTS (per way of reading the claims screen), BENCH_LIST_SECONDS (each load run of
 * the lists section); BENCH_SECTIONS=starts,expiries runs only those sections (others: workerMemory,
 * workerCrash, loginStorm, lists, search, reports, graphqlScreen, rollout, fairness, billingDay, webhooks, peoplePages, quotes, policyChanges, ledger, ledgerClose).
 * BENCH_WEBHOOK_EVENTS (200 per phase) and BENCH_WEBHOOK_ROLLOUT_EMPLOYEES (3,000) size the webhooks section;
 * BENCH_PAGE_REQUESTS (400 one at a time per way) and BENCH_PAGE_SECONDS (each load run) the peoplePages section, BENCH_QUOTE_SECONDS (10 a side and phase, over 6 rounds of alternating halves) the quotes section, BENCH_POLICY_CHANGE_POLICIES (600 active, half changed, half cancelled) the policyChanges section. BENCH_BILLING_POLICIES (1,000) sizes the billing day. BENCH_ROLLOUT_EMPLOYEES (10,000) sizes the rollout section,
 * BENCH_ROLLOUT_QUEUES (bulk; bulk,shared adds the one-queue baseline) chooses its task queue set-ups.
 * BENCH_FAIRNESS_EMPLOYEES (10000,5000,1000) sizes the three tenants of the fairness section, BENCH_FAIRNESS_SECONDS (90) its longest window. BENCH_LEDGER_SECONDS (10, each half) the ledger section, BENCH_LEDGER_POLICIES (100,000) the month closed in it and the ledgerClose section. BENCH_CPU_PROFILE_DIR makes each API process write a CPU profile there.
 * `npm run bench -- --sizes` runs the growth curves instead (bench/growth.ts): each curve's sizes, its p95s and fitted k
 * (listGrowth: bench/list-growth.ts, sized by BENCH_GROWTH_SIZES (10000,100000,1000000) and BENCH_GROWTH_REQUESTS (100 per
 * timing); ledgerGrowth: bench/ledger-growth.ts, BENCH_LEDGER_GROWTH_SIZES (10000,100000,1000000 journal entries),
 * BENCH_LEDGER_CLOSE_SIZES (10000,100000 policies closed) and BENCH_GROWTH_REQUESTS; rolloutGrowth, expiryGrowth, billingGrowth: bench/curves.ts, whose sizes BENCH_ROLLOUT_SIZES, BENCH_EXPIRY_SIZES
 * and BENCH_BILLING_SIZES replace, BENCH_YARDSTICK_AT=each drains the expiry and billing yardsticks at every size);
 * `--sizes=large` their large sizes, a run that may take hours.
 * Results are printed, summed up in a table with the machine they ran on, and written to reports/bench.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { benchBillingDay } from './billing-day';
import { formatCurve, type Curve } from './curve-table';
import { billingGrowth, curvesChangedBySettings, expiryGrowth, rolloutGrowth } from './curves';
import { benchExpiries } from './expiries';
import { benchFairness } from './fairness';
import { benchGraphqlScreen } from './graphql-screen';
import { benchLedger } from './ledger';
import { benchLedgerClose } from './ledger-close';
import { benchLedgerGrowth } from './ledger-growth';
import { sizeSetOf } from './growth';
import { benchReports } from './reports';
import { benchRollout } from './rollout';
import { benchSearch } from './search';
import { startBenchInfra } from './infra';
import { benchLists } from './lists';
import { benchListGrowth } from './list-growth';
import { RUN_AS_DEPLOYED, logBytesWritten } from './processes';
import { describeMachine, formatSummary, summaryRows, timeRows, type BenchResults } from './summary';
import { benchLoginStorm } from './login-storm';
import { benchStarts } from './starts';
import { benchWorkerCrash } from './worker-crash';
import { benchWorkerMemory } from './worker-memory';
import { benchPeoplePages } from './people-pages';
import { benchPolicyChanges } from './policy-changes';
import { benchQuotes } from './quotes';
import { benchWebhooks } from './webhooks';

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** A curve's sizes from its comma-separated setting; undefined (its defaults) without it. */
const sizesFrom = (name: string) => process.env[name]?.split(',').map(Number);

/** The bound on `npm run bench -- --sizes` with every curve at its default sizes, on two cores. */
const WHOLE_CURVE_RUN_LIMIT_S = 45 * 60;

async function main(): Promise<void> {
  const runStarted = Date.now();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // Taken before our own servers start, so it says how busy the machine was with other work.
  const machine = describeMachine();
  process.stdout.write(`API and worker processes run as deployed: ${JSON.stringify(RUN_AS_DEPLOYED, null, 2)}\n`);
  const infra = await startBenchInfra();
  const results: Record<string, object> = {};
  const chosen = process.env.BENCH_SECTIONS?.split(',').map((name) => name.trim());
  const sizeSet = sizeSetOf(process.argv.slice(2));
  const sectionSeconds: Record<string, number> = {};
  // A growth curve runs only with --sizes, and a figure's section only without it.
  const section = async (name: string, run: () => Promise<object>, kind: 'figure' | 'curve' = 'figure') => {
    if ((kind === 'curve') !== Boolean(sizeSet)) return;
    if (chosen && !chosen.includes(name)) return;
    process.stdout.write(`\n== ${name}\n`);
    const started = Date.now();
    const logBefore = logBytesWritten();
    results[name] = { ...(await run()), logBytes: logBytesWritten() - logBefore };
    sectionSeconds[name] = (Date.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify(results[name], null, 2)}\n(${sectionSeconds[name].toFixed(1)} s)\n`);
  };
  try {
    await section('starts', () => benchStarts(infra, size('BENCH_STARTS', 500), size('BENCH_STARTS_CONCURRENCY', 16)));
    await section('expiries', () => benchExpiries(infra, size('BENCH_EXPIRIES', 5000)));
    await section('workerMemory', () => benchWorkerMemory(infra, size('BENCH_OPEN_WORKFLOWS', 10_000)));
    await section('workerCrash', () => benchWorkerCrash(infra, size('BENCH_CRASH_SUBSCRIPTIONS', 300)));
    await section('loginStorm', () => benchLoginStorm(infra));
    await section('lists', () => benchLists(infra, size('BENCH_LIST_SECONDS', 10)));
    await section('search', () => benchSearch(infra, size('BENCH_SEARCH_CLAIMS', 100_000), size('BENCH_SEARCH_REQUESTS', 300)));
    await section('reports', () => benchReports(infra, size('BENCH_REPORT_ROWS', 100_000), size('BENCH_REPORT_REQUESTS', 40)));
    await section('rollout', () =>
      benchRollout(
        infra,
        size('BENCH_ROLLOUT_EMPLOYEES', 10_000),
        (process.env.BENCH_ROLLOUT_QUEUES ?? 'bulk').split(',').map((kind) => (kind.trim() === 'shared' ? 'shared' : 'bulk')),
      ),
    );
    await section('fairness', () =>
      benchFairness(
        infra,
        (process.env.BENCH_FAIRNESS_EMPLOYEES ?? '10000,5000,1000').split(',').map(Number),
        size('BENCH_FAIRNESS_SECONDS', 90),
      ),
    );
    await section('graphqlScreen', () => benchGraphqlScreen(infra, size('BENCH_SCREEN_REQUESTS', 100)));
    await section('listGrowth', () => benchListGrowth(infra, sizesFrom('BENCH_GROWTH_SIZES'), size('BENCH_GROWTH_REQUESTS', 100)), 'curve');
    await section(
      'ledgerGrowth',
      () =>
        benchLedgerGrowth(
          infra,
          sizesFrom('BENCH_LEDGER_GROWTH_SIZES'),
          sizesFrom('BENCH_LEDGER_CLOSE_SIZES'),
          size('BENCH_GROWTH_REQUESTS', 100),
        ),
      'curve',
    );
    await section('billingDay', () => benchBillingDay(infra, size('BENCH_BILLING_POLICIES', 1000), size('BENCH_STARTS_CONCURRENCY', 16)));
    await section('webhooks', () => benchWebhooks(infra, size('BENCH_WEBHOOK_EVENTS', 200), size('BENCH_WEBHOOK_ROLLOUT_EMPLOYEES', 3000)));
    await section('peoplePages', () => benchPeoplePages(infra, size('BENCH_PAGE_REQUESTS', 400), size('BENCH_PAGE_SECONDS', 10)));
    await section('quotes', () => benchQuotes(infra, size('BENCH_QUOTE_SECONDS', 10)));
    await section('policyChanges', () => benchPolicyChanges(infra, size('BENCH_POLICY_CHANGE_POLICIES', 600)));
    await section('ledger', () => benchLedger(infra, size('BENCH_LEDGER_SECONDS', 10), size('BENCH_LEDGER_POLICIES', 100_000)));
    await section('ledgerClose', () => benchLedgerClose(infra, size('BENCH_LEDGER_POLICIES', 100_000)));
    const curve = (name: string, measure: (set: NonNullable<typeof sizeSet>) => Promise<Curve>) =>
      section(
        name,
        async () => {
          const measured = await measure(sizeSet!);
          process.stdout.write(`${formatCurve(name, measured)}\n`);
          return measured;
        },
        'curve',
      );
    await curve('rolloutGrowth', (set) => rolloutGrowth(infra, set));
    await curve('expiryGrowth', (set) => expiryGrowth(infra, set));
    await curve('billingGrowth', (set) => billingGrowth(infra, set));
  } finally {
    await infra.stop();
  }
  const wholeSeconds = (Date.now() - runStarted) / 1000;
  const out = path.join(__dirname, '..', '..', 'reports', 'bench.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const seconds = { ...sectionSeconds, wholeRun: wholeSeconds };
  fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), machine, results, seconds }, null, 2));
  const rows = summaryRows(results as BenchResults);
  if (sizeSet) {
    // Only the default curves, all of them, are the run the issue holds to 45 minutes.
    const listsChanged = ['BENCH_GROWTH_SIZES', 'BENCH_GROWTH_REQUESTS', 'BENCH_LEDGER_GROWTH_SIZES', 'BENCH_LEDGER_CLOSE_SIZES'].some(
      (name) => process.env[name] !== undefined,
    );
    const whole = sizeSet === 'curves' && !chosen && !listsChanged && !curvesChangedBySettings();
    rows.push(...timeRows(sectionSeconds, wholeSeconds, whole ? WHOLE_CURVE_RUN_LIMIT_S : undefined));
  }
  process.stdout.write(`\n${formatSummary(rows, machine)}\n\nwritten to ${out}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
