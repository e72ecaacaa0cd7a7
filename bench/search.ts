/**
 * `GET /claims?q=` in a tenant with 100,000 claims (issue 12's target: p95 < 50 ms), through the
 * API in its own process, one request at a time so the figure is the latency of one search.
 * The queries mix policyholder names (accents typed or not), e-mail fragments, claim numbers and
 * words of the description; the plan of one of them is reported to show the indexes at work.
 */
import { loadConfig } from '../src/config';
import { issueAccessToken } from '../src/services/tokens';
import { freePort } from '../scripts/local/ports';
import type { BenchInfra } from './infra';
import { percentile, runConcurrently } from './fixtures';
import { startApiProcess } from './processes';
import { explainClaimSearch, seedClaimVolume } from './search-volume';
import { buildUser } from '../tests/support/factories';

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
const WARM_UP = 20;

export interface SearchResult {
  claims: number;
  policyholders: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Target: p95 < 50 ms. */
  targetMet: boolean;
  byQuery: Record<string, { matches: number; p95Ms: number }>;
  plan: string[];
}

export async function benchSearch(infra: BenchInfra, claims: number, requests: number): Promise<SearchResult> {
  const volume = await seedClaimVolume(infra.sequelize, { holders: Math.max(1, Math.round(claims / 10)), claims });
  const env = {
    API_PORT: String(await freePort()),
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    JWT_SECRET: infra.jwtSecret,
    LOG_LEVEL: 'silent',
  };
  const adjuster = await buildUser({ tenantId: volume.tenant.id, role: 'adjuster' });
  const token = issueAccessToken(loadConfig(env).jwt, adjuster);
  const api = await startApiProcess(env);
  const byQuery = new Map<string, { latencies: number[]; total: number }>(QUERIES.map((q) => [q, { latencies: [], total: 0 }]));
  const search = async (i: number) => {
    const q = QUERIES[i % QUERIES.length];
    const started = performance.now();
    const response = await fetch(`${api.url}/api/v1/claims?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET /claims?q= answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { pagination: { total: number } };
    const entry = byQuery.get(q)!;
    entry.latencies.push(performance.now() - started);
    entry.total = body.pagination.total;
  };
  try {
    await runConcurrently(WARM_UP, 1, search);
    for (const entry of byQuery.values()) entry.latencies = [];
    const latencies = await runConcurrently(requests, 1, search);
    const plan = await explainClaimSearch(infra.sequelize, volume.tenant.id, 'muller', { analyze: true });
    const p95Ms = percentile(latencies, 95);
    return {
      claims,
      policyholders: volume.holders,
      requests,
      p50Ms: percentile(latencies, 50),
      p95Ms,
      maxMs: Math.max(...latencies),
      targetMet: p95Ms < 50,
      byQuery: Object.fromEntries([...byQuery].map(([q, entry]) => [q, { matches: entry.total, p95Ms: percentile(entry.latencies, 95) }])),
      plan,
    };
  } finally {
    await api.stop();
  }
}
