/**
 * `GET /claims?q=` in a tenant with 100,000 claims (issue 12's target: p95 < 50 ms) and
 * `GET /subscriptions?q=` in a tenant with 100,000 policies (issue 23, the same target), through
 * the API in its own process, one request at a time so the figure is the latency of one search.
 * The claim queries mix policyholder names (accents typed or not), e-mail fragments, claim
 * numbers and words of the description; the policy queries policy numbers, phone fragments,
 * names and e-mail fragments. The plan of one claim query is reported to show the indexes at work.
 */
import { loadConfig } from '../src/config';
import { createSequelize } from '../src/models/database';
import { issueAccessToken } from '../src/services/tokens';
import type { BenchInfra } from './infra';
import { percentile, runConcurrently } from './fixtures';
import { apiEnv, startApiProcess } from './processes';
import { explainClaimSearch, seedClaimVolume, seedPolicyVolume, type ClaimVolume, type PolicyVolume } from './search-volume';
import { buildUser } from '../tests/support/factories';
import type { Tenant } from '../src/models';

const QUERIES = [
  'muller',
  'Østergaard 12',
  'jose garcia',
  'holder-4711@',
  'CLM-2026-0421',
  'conservatory',
  'ref 9ab',
  'lefevre 88',
  'kitchen fire',
  'Łukasz Nowak',
];
const POLICY_QUERIES = [
  `POL-${new Date().getUTCFullYear()}-04711`,
  '012345',
  '1700004711',
  '+4917000',
  'muller',
  'jose garcia',
  'holder-4711@',
  'Østergaard 12',
];
const WARM_UP = 20;

/** The latency of one kind of search, and each query's matches. */
export interface SearchFigures {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Target: p95 < 50 ms. */
  targetMet: boolean;
  byQuery: Record<string, { matches: number; p95Ms: number }>;
}

export interface SearchResult extends SearchFigures {
  claims: number;
  policyholders: number;
  plan: string[];
  policies: SearchFigures & { count: number; policyholders: number };
}

/** Sends `requests` searches of `list` one at a time, cycling through `queries`, as a staff member of `tenant`. */
async function timeSearches(
  api: { url: string },
  env: Record<string, string>,
  tenant: Tenant,
  list: 'claims' | 'subscriptions',
  queries: string[],
  requests: number,
): Promise<SearchFigures> {
  const staff = await buildUser({ tenantId: tenant.id, role: list === 'claims' ? 'adjuster' : 'claims_agent' });
  const token = issueAccessToken(loadConfig(env).jwt, staff);
  const byQuery = new Map<string, { latencies: number[]; total: number }>(queries.map((q) => [q, { latencies: [], total: 0 }]));
  const search = async (i: number) => {
    const q = queries[i % queries.length];
    const started = performance.now();
    const response = await fetch(`${api.url}/api/v1/${list}?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET /${list}?q= answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { pagination: { total: number } };
    const entry = byQuery.get(q)!;
    entry.latencies.push(performance.now() - started);
    entry.total = body.pagination.total;
  };
  await runConcurrently(WARM_UP, 1, search);
  for (const entry of byQuery.values()) entry.latencies = [];
  const latencies = await runConcurrently(requests, 1, search);
  const p95Ms = percentile(latencies, 95);
  return {
    requests,
    p50Ms: percentile(latencies, 50),
    p95Ms,
    maxMs: Math.max(...latencies),
    targetMet: p95Ms < 50,
    byQuery: Object.fromEntries([...byQuery].map(([q, entry]) => [q, { matches: entry.total, p95Ms: percentile(entry.latencies, 95) }])),
  };
}

export async function benchSearch(infra: BenchInfra, rows: number, requests: number): Promise<SearchResult> {
  // 100,000 rows and their trigram index entries are written by single statements that can take
  // longer than the 10 s statement deadline on a busy machine: they get a connection of their own (as in tests/api/lists/search.test.ts).
  const bulk = createSequelize(infra.databaseUrl, { statementMs: 600_000 });
  let volume: ClaimVolume;
  let policies: PolicyVolume;
  try {
    volume = await seedClaimVolume(bulk, { holders: Math.max(1, Math.round(rows / 10)), claims: rows });
    policies = await seedPolicyVolume(bulk, { holders: Math.max(1, Math.round(rows / 5)), policies: rows });
  } finally {
    await bulk.close();
  }
  const env = await apiEnv(infra);
  const api = await startApiProcess(env);
  try {
    const claimFigures = await timeSearches(api, env, volume.tenant, 'claims', QUERIES, requests);
    const policyFigures = await timeSearches(api, env, policies.tenant, 'subscriptions', POLICY_QUERIES, requests);
    const plan = await explainClaimSearch(infra.sequelize, volume.tenant.id, 'muller', { analyze: true });
    return {
      claims: rows,
      policyholders: volume.holders,
      ...claimFigures,
      plan,
      policies: { count: rows, policyholders: policies.holders, ...policyFigures },
    };
  } finally {
    await api.stop();
  }
}
