/**
 * The people issue's page against its JSON route: `GET /app/acknowledge?token=…`, the page a
 * policy notice links to (the company, the policy and version, its text and SHA-256, the form),
 * against `GET /api/v1/acknowledgements?status=pending` signed in as the same employee, which
 * answers the same acknowledgement with the same text and hash. One API process. Sequentially
 * (one request at a time, p50/p95) and under load (autocannon at 100 connections, as the lists
 * section), each in the order page, JSON, JSON, page so that drift on a shared machine hits both.
 */
import { loadConfig } from '../src/config';
import {
  acknowledgementLinkExpiry,
  acknowledgementLinkKeyOf,
  signAcknowledgementToken,
  ACKNOWLEDGE_PAGE,
} from '../src/domain/compliance/acknowledgement-link-tokens';
import { issueAccessToken } from '../src/services/tokens';
import { buildAcknowledgement, buildCompliancePolicy, buildPolicyVersion, buildTenant, buildUser } from '../tests/support/factories';
import { cpuMsPer } from './cpu-time';
import { percentile, runConcurrently } from './fixtures';
import type { BenchInfra } from './infra';
import { alternately, load, mean, type Load, type Side } from './lists';
import { apiEnv, startApiProcess } from './processes';

/** A policy text of about 6 KB, with the characters the page must escape. */
const POLICY_TEXT = Array.from(
  { length: 24 },
  (_, i) =>
    `${i + 1}. Staff keep customers' data "need to know" only & report any loss within 24 hours to the <Data Protection> officer; ` +
    'devices are locked when left, passwords are never shared, and exports leave the company only through approved channels.',
).join('\n');

interface Timed {
  latencies: number[];
  bodyBytes: number;
}

interface Sequential {
  requests: number;
  p50Ms: number;
  p95Ms: number;
}

interface Way {
  path: string;
  /** Bytes of one answer's body. */
  bodyBytes: number;
  sequential: Sequential;
  underLoad: Omit<Load, 'slowest'> & { cpuMsPerRequest: ReturnType<typeof cpuMsPer> };
}

export interface PeoplePagesResult {
  page: Way;
  json: Way;
  /** Page ÷ JSON: reported (the issue gives no target). */
  sequentialP50Ratio: number;
  sequentialP95Ratio: number;
  throughputRatio: number;
  loadP99Ratio: number;
}

/** One employee with one pending acknowledgement of a published version: its link token and an access token. */
async function seedEmployee(jwt: ReturnType<typeof loadConfig>['jwt']) {
  const tenant = await buildTenant();
  const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
  const employee = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
  const policy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Handling customer data' });
  const version = await buildPolicyVersion({
    policyId: policy.id,
    status: 'published',
    audienceRoles: ['claims_agent'],
    content: POLICY_TEXT,
  });
  const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
  const link = signAcknowledgementToken(acknowledgementLinkKeyOf(jwt), ack.id, acknowledgementLinkExpiry(ack.dueAt, new Date()));
  return { link, accessToken: issueAccessToken(jwt, employee) };
}

/** `requests` requests one at a time: their latencies and the size of an answer. */
async function oneAtATime(url: string, headers: Record<string, string>, requests: number): Promise<Timed> {
  let bodyBytes = 0;
  const latencies = await runConcurrently(requests, 1, async () => {
    const response = await fetch(url, { headers });
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${Buffer.from(body).toString('utf8').slice(0, 300)}`);
    bodyBytes = body.byteLength;
  });
  return { latencies, bodyBytes };
}

export async function benchPeoplePages(infra: BenchInfra, requests: number, seconds: number): Promise<PeoplePagesResult> {
  const env = await apiEnv(infra);
  const { link, accessToken } = await seedEmployee(loadConfig(env).jwt);
  const api = await startApiProcess(env);
  const side: Side = { url: api.url, processes: { ...infra.pids, api: api.child.pid! } };
  const pagePath = `${ACKNOWLEDGE_PAGE}?token=${link}`;
  const jsonPath = '/api/v1/acknowledgements?status=pending';
  const bearer = { authorization: `Bearer ${accessToken}` };
  try {
    // A warm-up of each, then page, JSON, JSON, page: drift on a shared machine hits both alike.
    const pageRun = (n: number) => oneAtATime(`${api.url}${pagePath}`, {}, n);
    const jsonRun = (n: number) => oneAtATime(`${api.url}${jsonPath}`, bearer, n);
    const half = Math.ceil(requests / 2);
    await pageRun(20);
    await jsonRun(20);
    const page1 = await pageRun(half);
    const json1 = await jsonRun(half);
    const json2 = await jsonRun(half);
    const page2 = await pageRun(half);
    const loaded = await alternately(
      (runSeconds) => load(side, pagePath, undefined, runSeconds),
      (runSeconds) => load(side, jsonPath, accessToken, runSeconds),
      seconds,
    );
    const way = (path: string, runs: [Timed, Timed], loads: [Load, Load]): Way => {
      const latencies = runs.flatMap((run) => run.latencies);
      const underLoad = mean(...loads);
      return {
        path,
        bodyBytes: runs[0].bodyBytes,
        sequential: { requests: latencies.length, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) },
        underLoad: { ...underLoad, cpuMsPerRequest: cpuMsPer(underLoad.cpu, underLoad.requests) },
      };
    };
    const page = way(`GET ${ACKNOWLEDGE_PAGE}?token=…`, [page1, page2], loaded.first);
    const json = way(`GET ${jsonPath}`, [json1, json2], loaded.second);
    return {
      page,
      json,
      sequentialP50Ratio: page.sequential.p50Ms / json.sequential.p50Ms,
      sequentialP95Ratio: page.sequential.p95Ms / json.sequential.p95Ms,
      throughputRatio: page.underLoad.requestsPerSecond / json.underLoad.requestsPerSecond,
      loadP99Ratio: page.underLoad.p99Ms / json.underLoad.p99Ms,
    };
  } finally {
    await api.stop();
  }
}
