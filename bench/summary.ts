/** The table printed at the end of `npm run bench`: every figure beside its target, and the machine it ran on. */
import os from 'node:os';
import { benchTemporalKind } from './infra';
import type { BillingDayResult } from './billing-day';
import type { ExpiryResult } from './expiries';
import type { FairnessResult } from './fairness';
import type { GraphqlScreenResult } from './graphql-screen';
import type { LedgerResult, PathResult } from './ledger';
import type { LedgerCloseResult } from './ledger-close';
import type { ListsResult } from './lists';
import type { LoginStormResult } from './login-storm';
import type { PeoplePagesResult } from './people-pages';
import type { PhaseResult, PolicyChangesResult } from './policy-changes';
import type { QuotesResult } from './quotes';
import type { ReportsResult } from './reports';
import type { RolloutResult } from './rollout';
import type { SearchResult } from './search';
import type { StartsResult } from './starts';
import type { WebhooksResult } from './webhooks';
import type { WorkerCrashResult } from './worker-crash';
import type { WorkerMemoryResult } from './worker-memory';

export interface BenchResults {
  starts?: StartsResult;
  expiries?: ExpiryResult;
  workerMemory?: WorkerMemoryResult;
  workerCrash?: WorkerCrashResult;
  loginStorm?: LoginStormResult;
  lists?: ListsResult;
  search?: SearchResult;
  reports?: ReportsResult;
  graphqlScreen?: GraphqlScreenResult;
  rollout?: RolloutResult;
  fairness?: FairnessResult;
  billingDay?: BillingDayResult;
  webhooks?: WebhooksResult;
  peoplePages?: PeoplePagesResult;
  quotes?: QuotesResult;
  policyChanges?: PolicyChangesResult;
  ledger?: LedgerResult;
  ledgerClose?: LedgerCloseResult;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverageAtStart: number[];
  node: string;
  /** The Temporal server the runs went to (bench/infra.ts, BENCH_TEMPORAL). */
  temporal: string;
}

export function describeMachine(): Machine {
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    temporal: benchTemporalKind() === 'compose' ? "compose's server on PostgreSQL" : "the start command's dev server",
  };
}

type Row = [figure: string, measured: string, target: string, met: boolean | undefined];

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (value: number) => `${n(value, 2)} ×`;

function listRows(name: string, c: NonNullable<ListsResult['plans']>): Row[] {
  return [
    [
      `${name}: throughput vs bare pg`,
      `${ratio(c.throughputRatio)} (${n(c.api.requestsPerSecond)} vs ${n(c.bare.requestsPerSecond)} req/s)`,
      '≥ 0.9 ×',
      c.throughputRatio >= 0.9,
    ],
    [`${name}: p99 vs bare pg`, `${ratio(c.p99Ratio)} (${n(c.api.p99Ms)} vs ${n(c.bare.p99Ms)} ms)`, '≤ 1.5 ×', c.p99Ratio <= 1.5],
    [
      `${name}: p99 on open connections vs bare pg`,
      `${ratio(c.p99OpenConnectionRatio)} (${n(c.api.p99OpenConnectionMs)} vs ${n(c.bare.p99OpenConnectionMs)} ms)`,
      'reported',
      undefined,
    ],
    [
      `${name}: longest wait for a first answer, API vs bare pg (each run)`,
      `${c.apiRuns.map((run) => n(run.slowest.lastFirstAnswerMs)).join(' / ')} vs ${c.bareRuns.map((run) => n(run.slowest.lastFirstAnswerMs)).join(' / ')} ms`,
      'reported',
      undefined,
    ],
    [
      `${name}: CPU ms per request, API vs bare`,
      `server ${n(c.cpuMsPerRequest.api.api, 2)} vs ${n(c.cpuMsPerRequest.bare.api, 2)}, PostgreSQL ${n(c.cpuMsPerRequest.api.postgres, 2)} vs ${n(c.cpuMsPerRequest.bare.postgres, 2)}, all ${n(c.cpuMsPerRequest.api.total, 2)} vs ${n(c.cpuMsPerRequest.bare.total, 2)}`,
      'reported',
      undefined,
    ],
  ];
}

export function summaryRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  if (r.lists?.plans) rows.push(...listRows('GET /plans (2,000 plans), 100 conn.', r.lists.plans));
  if (r.lists?.claims) rows.push(...listRows('GET /claims (10,000 claims), 100 conn.', r.lists.claims));
  const byCredential = r.lists?.claimsByCredential;
  if (byCredential) {
    rows.push([
      'GET /claims: API key vs access token',
      `throughput ${ratio(byCredential.throughputRatio)}, p99 ${ratio(byCredential.p99Ratio)} (${n(byCredential.apiKey.p99Ms)} vs ${n(byCredential.jwt.p99Ms)} ms)`,
      'reported',
      undefined,
    ]);
  }
  if (r.starts) {
    const s = r.starts;
    const cpu = s.cpuMsPerStart;
    rows.push(
      [
        `starts: POST /subscriptions vs bare start handler (×${s.concurrency})`,
        `${ratio(s.ratioApiToBareStart)} (${n(s.apiPost.perSecond)} vs ${n(s.bareStart.perSecond)}/s)`,
        '≥ 0.9 ×',
        s.ratioApiToBareStart >= 0.9,
      ],
      [
        `starts: POST /subscriptions vs SDK (×${s.concurrency})`,
        `${ratio(s.ratioApiToSdkStart)} (${n(s.apiPost.perSecond)} vs ${n(s.sdkStart.perSecond)}/s)`,
        '≥ 0.8 ×',
        s.ratioApiToSdkStart >= 0.8,
      ],
      [
        `starts: p99 of one start, API vs SDK (×${s.concurrency})`,
        `${n(s.apiPost.p99Ms)} vs ${n(s.sdkStart.p99Ms)} ms (bare ${n(s.bareStart.p99Ms)} ms)`,
        'reported',
        undefined,
      ],
      [
        `starts: the Temporal start inside the API's POSTs, p95 (mean)`,
        `${n(s.apiTemporalStart.p95Ms)} (${n(s.apiTemporalStart.meanMs, 1)}) ms of the POSTs' p95 ${n(s.apiPost.p95Ms)} ms (SDK start p95 ${n(s.sdkStart.p95Ms)} ms)`,
        'reported',
        undefined,
      ],
      [
        'starts: CPU ms per start, API / bare / SDK',
        `server ${n(cpu.apiPost.api, 2)} / ${n(cpu.bareStart.api, 2)} / –, all ${n(cpu.apiPost.total, 2)} / ${n(cpu.bareStart.total, 2)} / ${n(cpu.sdkStart.total, 2)}`,
        'reported',
        undefined,
      ],
      ['starts: their backlog activated by a worker', `${n(s.activated)} runs at ${n(s.activationPerSecond, 1)}/s`, 'reported', undefined],
    );
  }
  for (const run of r.rollout?.runs ?? []) {
    const on = `${n(r.rollout!.employees)}-employee rollout, ${run.queues === 'bulk' ? 'bulk queue' : 'one queue'}`;
    rows.push(
      [
        `${on}: tenant B API p95 during ÷ idle`,
        `${ratio(run.apiP95Ratio)} (${n(run.duringRollout.api.p95Ms)} vs ${n(run.idle.api.p95Ms)} ms)`,
        '≤ 2 ×',
        run.apiP95Ratio <= 2,
      ],
      [
        `${on}: tenant B API's Temporal starts, p95 (mean) idle / during`,
        `${n(run.idle.temporalStarts.p95Ms)} (${n(run.idle.temporalStarts.meanMs)}) / ${n(run.duringRollout.temporalStarts.p95Ms)} (${n(run.duringRollout.temporalStarts.meanMs)}) ms`,
        'reported',
        undefined,
      ],
      [
        `${on}: tenant B deadline → escalation e-mail p95 during ÷ idle`,
        `${ratio(run.escalationP95Ratio)} (${n(run.duringRollout.escalation.p95Ms)} vs ${n(run.idle.escalation.p95Ms)} ms)`,
        '≤ 2 ×',
        run.escalationP95Ratio <= 2,
      ],
      [
        `${on}: tenant B webhook delivery p95, idle / during`,
        `${n(run.idle.webhook.p95Ms)} / ${n(run.duringRollout.webhook.p95Ms)} ms (${ratio(run.webhookP95Ratio)})`,
        'reported',
        undefined,
      ],
      [
        `${on}: runs started vs raw SDK loop`,
        `${ratio(run.startRateRatio)} (${n(run.rollout.perSecond)} vs ${n(run.rawSdk.perSecond)}/s)`,
        '≥ 0.7 ×',
        run.startRateRatio >= 0.7,
      ],
      [
        `${on}: rollout's time in / between its batches`,
        `${n(run.rolloutBatches.inBatchesSeconds, 1)} / ${n(run.rolloutBatches.betweenBatchesSeconds, 1)} s (${n(run.rolloutBatches.batches)} batches)`,
        'reported',
        undefined,
      ],
      [`${on}: worker RSS max`, `${n(run.workerRssMaxMiB)} MiB`, '< 1,024 MiB', run.workerRssMaxMiB < 1024],
    );
  }
  if (r.fairness) {
    const f = r.fairness;
    const tenants = f.employees.map((employees) => n(employees)).join(' / ');
    const shares = (run: FairnessResult['fair']) =>
      `${run.tenants.map((t) => `${n(t.share * 100)} % (${ratio(t.ratioToEqual)})`).join(' / ')} of ${n(run.tenants.reduce((sum, t) => sum + t.notices, 0))} notices in ${n(run.windowSeconds)} s`;
    rows.push(
      [`bulk queue, tenants of ${tenants}: shares, fair dispatch`, shares(f.fair), 'each 0.8–1.2 × equal', f.fair.withinTarget],
      [`bulk queue, tenants of ${tenants}: shares, first in first out`, shares(f.fifo), 'reported', undefined],
    );
  }
  if (r.workerMemory) {
    const m = r.workerMemory;
    rows.push(
      [
        `worker RSS, ${n(m.openWorkflows)} open runs, cache ${n(m.bounded.maxCachedWorkflows)}`,
        `${n(m.bounded.rssAfterMiB)} MiB (all cached: ${n(m.allCached.rssAfterMiB)} MiB, ${n(m.kibPerCachedWorkflow)} KiB/run)`,
        '< 1,024 MiB',
        m.bounded.rssAfterMiB < 1024,
      ],
      [
        'evicted run: extra latency (replay)',
        `${n(m.replayExtraMs, 1)} ms (${n(m.queryOnEvictedRunP50Ms, 1)} vs ${n(m.queryOnCachedRunP50Ms, 1)} ms p50)`,
        'reported',
        undefined,
      ],
    );
  }
  if (r.expiries) {
    const e = r.expiries;
    const s = e.subscriptionRuns;
    rows.push(
      [
        `expiries: ${n(s.expiries)} due in one second, drain rate`,
        `${ratio(e.ratio)} (${n(s.perSecond, 1)} vs ${n(e.oneActivityRuns.perSecond, 1)}/s one-activity)`,
        '≥ 0.7 ×',
        e.ratio >= 0.7,
      ],
      [
        'expiries: drained, lag from due time',
        `${n(s.expired)}/${n(s.expiries)} rows, ${n(s.emails)} e-mails in ${n(s.secondsToDrain, 1)} s; lag p50 ${n(s.lagP50Ms / 1000, 1)} s, p95 ${n(s.lagP95Ms / 1000, 1)} s, max ${n(s.lagMaxMs / 1000, 1)} s`,
        'all',
        s.expired === s.expiries && s.emails >= s.expiries,
      ],
      [
        'expiries: CPU ms per run (Temporal, PostgreSQL, worker)',
        [s, e.oneActivityRuns]
          .map(({ cpuMsPerRun: c }) => `${n(c.temporal, 2)} + ${n(c.postgres, 2)} + ${n(c.worker, 2)} = ${n(c.total, 2)}`)
          .join(' vs one-activity '),
        'reported',
        undefined,
      ],
    );
  }
  if (r.workerCrash) {
    const w = r.workerCrash;
    rows.push([
      'worker killed mid-run',
      `${w.lost} lost, ${n(w.distinctMessages)} messages for ${n(w.subscriptions)} subscriptions, ${w.resentCopies} resent with the same Message-ID, recovered in ${n(w.secondsToRecover, 1)} s`,
      '0 lost, one message each',
      w.lost === 0 && w.distinctMessages === w.subscriptions,
    ]);
  }
  if (r.loginStorm) {
    const l = r.loginStorm;
    rows.push(
      [
        'login storm: reader p95 vs idle',
        `${ratio(l.ratioStormToIdleP95)} (${n(l.readerDuringStorm.p95Ms, 1)} vs ${n(l.readerIdle.p95Ms, 1)} ms)`,
        '≤ 2 ×',
        l.ratioStormToIdleP95 <= 2,
      ],
      [
        'login storm: logins/s, argon2id per hash',
        `${n(l.loginsPerSecond, 1)}/s, ${n(l.argon2idMsPerHash, 1)} ms per hash, login p50 ${n(l.loginP50Ms)} ms`,
        'reported',
        undefined,
      ],
    );
  }
  if (r.search) {
    const s = r.search;
    rows.push([`search ?q=, ${n(s.claims)} claims`, `p95 ${n(s.p95Ms, 1)} ms (p50 ${n(s.p50Ms, 1)} ms)`, 'p95 < 50 ms', s.targetMet]);
    const p = s.policies;
    rows.push([`search ?q=, ${n(p.count)} policies`, `p95 ${n(p.p95Ms, 1)} ms (p50 ${n(p.p50Ms, 1)} ms)`, 'p95 < 50 ms', p.targetMet]);
  }
  if (r.reports) {
    const { claims, policies, acknowledgements, byReport, targetMet } = r.reports;
    for (const [report, { p50Ms, p95Ms }] of Object.entries(byReport)) {
      rows.push([
        `${report}, ${n(claims)} claims, ${n(policies)} policies, ${n(acknowledgements)} acknowledgements`,
        `p95 ${n(p95Ms, 1)} ms (p50 ${n(p50Ms, 1)} ms)`,
        'p95 < 300 ms',
        p95Ms < 300,
      ]);
    }
    rows.push(['reports: slowest p95', `${n(r.reports.p95Ms, 1)} ms`, 'p95 < 300 ms', targetMet]);
  }
  if (r.graphqlScreen) {
    const g = r.graphqlScreen;
    const way = (name: string, w: GraphqlScreenResult['graphql']) =>
      rows.push([
        `claims screen (${g.claims} claims), ${name}`,
        `p50 ${n(w.p50Ms, 1)} ms, ${n(w.screensPerSecond, 1)} screens/s, ${w.requestsPerScreen} request(s)`,
        '–',
        undefined,
      ]);
    way('GraphQL query', g.graphql);
    way('REST 1 + N', g.restScreen);
    way('REST list alone', g.restListAlone);
    rows.push(['claims screen: GraphQL / REST 1 + N', `p50 ${n(g.p50Ratio, 2)}×, throughput ${n(g.throughputRatio, 2)}×`, '–', undefined]);
  }
  if (r.billingDay) {
    const b = r.billingDay;
    rows.push(
      [
        `billing day: ${n(b.policies)} monthly policies issued (${n(b.issued.invoices)} invoices)`,
        `${n(b.issued.seconds, 1)} s, ${n(b.issued.perSecond, 1)} policies/s`,
        'reported',
        undefined,
      ],
      [
        `billing day: ${n(b.policies)} first instalments paid by webhook (×${b.concurrency})`,
        `${n(b.webhooks.perSecond, 1)}/s, p50 ${n(b.webhooks.p50Ms, 1)} ms, p95 ${n(b.webhooks.p95Ms, 1)} ms`,
        'reported',
        undefined,
      ],
      [
        `billing day: until every policy is active and told`,
        `${n(b.processed.seconds, 1)} s (${n(b.processed.perSecond, 1)}/s)`,
        'reported',
        undefined,
      ],
    );
  }
  if (r.webhooks) {
    const w = r.webhooks;
    const phase = (p: WebhooksResult['idle']) =>
      `p50 ${n(p.latency.p50Ms)}, p95 ${n(p.latency.p95Ms)}, max ${n(p.latency.maxMs)} ms; to run start p95 ${n(p.parts.toRunStart.p95Ms)} ms; relay ${n(p.relay.deliveredPerSecond, 1)}/s, ${p.relay.retried} retried; ${p.refused} POSTs refused 503`;
    const on = `webhook event → receiver (${n(w.eventsPerPhase)} events, ${w.eventsPerSecond}/s)`;
    rows.push(
      [`${on}, idle`, phase(w.idle), 'reported', undefined],
      [`${on}, during a ${n(w.rolloutEmployees)}-employee rollout`, phase(w.duringRollout), 'reported', undefined],
      [`${on}: p95 during ÷ idle`, ratio(w.p95Ratio), 'reported', undefined],
    );
  }
  if (r.peoplePages) {
    const p = r.peoplePages;
    const way = (name: string, w: PeoplePagesResult['page']) =>
      rows.push([
        `acknowledgement ${name}`,
        `one at a time p50 ${n(w.sequential.p50Ms, 1)}, p95 ${n(w.sequential.p95Ms, 1)} ms; 100 conn. ${n(w.underLoad.requestsPerSecond)} req/s, p99 ${n(w.underLoad.p99Ms)} ms`,
        'reported',
        undefined,
      ]);
    way('page (GET /app/acknowledge)', p.page);
    way('JSON (GET /acknowledgements)', p.json);
    rows.push([
      'acknowledgement page ÷ JSON',
      `p50 ${ratio(p.sequentialP50Ratio)}, p95 ${ratio(p.sequentialP95Ratio)}, throughput ${ratio(p.throughputRatio)}, p99 under load ${ratio(p.loadP99Ratio)}`,
      'reported',
      undefined,
    ]);
  }
  if (r.quotes) {
    const q = r.quotes;
    rows.push(
      [
        'quotes: POST /quotes p95 vs GET /plans/:id',
        `${ratio(q.ratioQuoteToPlanP95)} (${n(q.quote.p95Ms, 1)} vs ${n(q.planRead.p95Ms, 1)} ms)`,
        '≤ 1.5 ×',
        q.ratioQuoteToPlanP95 <= 1.5,
      ],
      [
        `quotes: priced per second, one API process, ${q.concurrency} clients`,
        `${n(q.quotesPerSecond)}/s, p95 ${n(q.quoteP95UnderLoadMs)} ms; API CPU ${n(q.cpuMsPerQuote.api, 2)} ms a quote (a plan read ${n(q.cpuMsPerPlanRead.api, 2)}, ${n(q.planReadsPerSecond)}/s); ${n(q.mailsInOutbox)} mails in the outbox for ${n(q.quotesRecorded)} quotes`,
        '≥ 1,000/s',
        q.quotesPerSecond >= 1000,
      ],
    );
  }
  if (r.policyChanges) {
    const p = r.policyChanges;
    const phase = (name: string, f: PhaseResult): Row[] => [
      [
        `policy change applied vs cancellation, ${name}: p95`,
        `${ratio(f.p95Ratio)} (${n(f.change.p95Ms)} vs ${n(f.cancellation.p95Ms)} ms; p50 ${n(f.change.p50Ms)} vs ${n(f.cancellation.p50Ms)}, p99 ${n(f.change.p99Ms)} vs ${n(f.cancellation.p99Ms)} ms; the Update ${n(f.change.updateMeanMs)} vs ${n(f.cancellation.updateMeanMs)} ms mean)`,
        '≤ 1.5 ×',
        f.targetMet,
      ],
      [
        `policy change applied vs cancellation, ${name}: CPU ms per operation`,
        `API ${n(f.change.cpuMsPerOperation.api, 2)} vs ${n(f.cancellation.cpuMsPerOperation.api, 2)}, worker ${n(f.change.cpuMsPerOperation.worker, 2)} vs ${n(f.cancellation.cpuMsPerOperation.worker, 2)}, PostgreSQL ${n(f.change.cpuMsPerOperation.postgres, 2)} vs ${n(f.cancellation.cpuMsPerOperation.postgres, 2)}, Temporal ${n(f.change.cpuMsPerOperation.temporal, 2)} vs ${n(f.cancellation.cpuMsPerOperation.temporal, 2)} (${ratio(f.cpuRatio)})`,
        'reported',
        undefined,
      ],
    ];
    rows.push(
      ...phase(`${n(p.policies)} policies, one at a time`, p.oneAtATime),
      ...phase(`${p.concurrent.clients} clients`, p.concurrent),
      [
        'policy changes: every operation carried out',
        `${n(p.changesApplied)} changes applied, ${n(p.policiesCancelled)} policies cancelled`,
        'reported',
        undefined,
      ],
    );
  }
  if (r.ledger) {
    const path = (name: string, p: PathResult): Row => [
      `ledger: ${name}, posting on ÷ off (${p.lanes} clients)`,
      `${ratio(p.ratio)} (${n(p.on.perSecond, 1)} vs ${n(p.off.perSecond, 1)}/s); p50 ${ratio(p.p50Ratio)}, p95 ${ratio(p.p95Ratio)} (${n(p.on.p95Ms)} vs ${n(p.off.p95Ms)} ms); CPU ${ratio(p.cpuRatio)}`,
      '≤ 1.15 ×',
      p.targetMet,
    ];
    rows.push(
      path('POST /invoices/:id/payments', r.ledger.premiumPayments),
      path("a claim payment's request and approval", r.ledger.claimPayments),
      [
        `ledger: ${r.ledger.close.month} closed through the API, ${n(r.ledger.close.policies)} policies`,
        `${n(r.ledger.close.seconds, 1)} s, POST /ledger/periods/:month/close to closed (${n(r.ledger.close.earningEntries)} earnings)`,
        '< 300 s',
        r.ledger.close.targetMet,
      ],
    );
  }
  if (r.ledgerClose) {
    const l = r.ledgerClose;
    for (const month of l.months)
      rows.push([
        `ledger: ${month.month} closed, ${n(l.policies)} policies (${month.pages} pages)`,
        `${n(month.seconds, 1)} s (page p50 ${n(month.pageP50Ms)} ms, max ${n(month.pageMaxMs)} ms; lock ${n(month.lockMs)} ms)`,
        '< 300 s',
        month.seconds < 300,
      ]);
  }
  return rows;
}

/** How long each section took, and the whole run beside its limit when it has one. */
export function timeRows(sectionSeconds: Record<string, number>, wholeSeconds: number, limitSeconds?: number): Row[] {
  const minutes = (seconds: number) => `${n(seconds / 60, 1)} min`;
  return [
    ...Object.entries(sectionSeconds).map(([name, seconds]): Row => [`${name}: time`, `${n(seconds)} s`, 'reported', undefined]),
    [
      'whole run: time',
      minutes(wholeSeconds),
      limitSeconds === undefined ? 'reported' : `< ${minutes(limitSeconds)}`,
      limitSeconds === undefined ? undefined : wholeSeconds < limitSeconds,
    ],
  ];
}

/** A plain-text table, columns padded to their widest cell. */
export function formatSummary(rows: Row[], machine: Machine): string {
  const cells = [
    ['Figure', 'Measured', 'Target', 'Met'],
    ...rows.map(([figure, measured, target, met]) => [figure, measured, target, met === undefined ? '–' : met ? 'yes' : 'NO']),
  ];
  const widths = cells[0].map((_, col) => Math.max(...cells.map((row) => row[col].length)));
  const line = (row: string[]) => `| ${row.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const header = `Machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, load average at start ${machine.loadAverageAtStart.join(' / ')}, Node ${machine.node}, Temporal: ${machine.temporal}`;
  return [header, '', line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}
