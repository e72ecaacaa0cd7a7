/**
 * Issue 26's comparison: the claims manager's screen (20 claims in review, each with its policy,
 * policyholder, assignee, last three history entries and document count) as one GraphQL query,
 * against the same data through REST as a front end gathers it (the list, then each claim's
 * detail, policy and documents, and each person on the page once, at most six requests in flight
 * as a browser allows per origin), and against the REST list alone. One API process, one caller
 * (a tenant admin, the role that may read people over REST), side by side in one run.
 */
import crypto from 'node:crypto';
import { loadConfig } from '../src/config';
import { ClaimDocument, ClaimHistory } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { buildClaim, buildSubscription, buildTenant, buildUser } from '../tests/support/factories';
import { percentile, runConcurrently } from './fixtures';
import type { BenchInfra } from './infra';
import { apiEnv, startApiProcess } from './processes';

const PAGE = 20;
/** Requests a browser has in flight to one origin over HTTP/1.1. */
const BROWSER_CONNECTIONS = 6;
const SCREENS_IN_PARALLEL = 4;

const SCREEN = `query Screen($first: Int) {
  claims(first: $first, status: under_review) {
    totalCount
    edges { node {
      id claimNumber status amountClaimed
      policy { id status coverageAmount }
      policyholder { id fullName }
      assignee { id fullName role }
      history(last: 3) { sequence toStatus occurredAt }
      documentCount
    } }
  }
}`;

interface Way {
  p50Ms: number;
  p95Ms: number;
  screensPerSecond: number;
  requestsPerScreen: number;
}

export interface GraphqlScreenResult {
  claims: number;
  graphql: Way;
  restScreen: Way;
  restListAlone: Way;
  /** GraphQL's p50 over the REST screen's (< 1: GraphQL is faster). */
  p50Ratio: number;
  /** GraphQL's screens per second over the REST screen's. */
  throughputRatio: number;
}

/** 25 claims in review, each with four history entries and up to two documents, as the N+1 test seeds them. */
async function seedScreen(): Promise<{ tenantId: string }> {
  const tenant = await buildTenant();
  const [claimant, adjuster] = await Promise.all([
    buildUser({ tenantId: tenant.id, role: 'policyholder' }),
    buildUser({ tenantId: tenant.id, role: 'adjuster' }),
  ]);
  const subscription = await buildSubscription({ policyholderId: claimant.id });
  for (let i = 0; i < PAGE + 5; i++) {
    const claim = await buildClaim({ subscriptionId: subscription.id, status: 'under_review', assigneeId: adjuster.id });
    const moves = ['assigned', 'under_review', 'investigation', 'under_review'] as const;
    await ClaimHistory.bulkCreate(
      moves.map((toStatus, step) => ({
        tenantId: tenant.id,
        claimId: claim.id,
        sequence: step + 1,
        actorId: adjuster.id,
        fromStatus: step === 0 ? 'reported' : moves[step - 1],
        toStatus,
        occurredAt: new Date(Date.now() + step * 1000),
      })),
    );
    await ClaimDocument.bulkCreate(
      Array.from({ length: i % 3 }, (_, n) => ({
        tenantId: tenant.id,
        claimId: claim.id,
        uploadedById: claimant.id,
        fileName: `invoice-${n}.pdf`,
        contentType: 'application/pdf',
        sizeBytes: 100,
        sha256: crypto.randomBytes(32).toString('hex'),
        storageKey: `${claim.id}/${n}`,
      })),
    );
  }
  return { tenantId: tenant.id };
}

/** p50 and p95 one screen at a time, then screens per second with a few screens at once. */
async function measure(requests: number, screen: () => Promise<number>): Promise<Way> {
  let requestsPerScreen = 0;
  const once = async () => {
    requestsPerScreen = await screen();
  };
  await runConcurrently(5, 1, once);
  const latencies = await runConcurrently(requests, 1, once);
  const started = performance.now();
  await runConcurrently(requests, SCREENS_IN_PARALLEL, once);
  const seconds = (performance.now() - started) / 1000;
  return {
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    screensPerSecond: requests / seconds,
    requestsPerScreen,
  };
}

export async function benchGraphqlScreen(infra: BenchInfra, requests: number): Promise<GraphqlScreenResult> {
  const { tenantId } = await seedScreen();
  // One user asks screen after screen, far faster than a person: the per-user GraphQL limit would answer 429.
  const env = { ...(await apiEnv(infra)), RATE_LIMIT_GRAPHQL_PER_USER_PER_MINUTE: '1000000' };
  const admin = await buildUser({ tenantId, role: 'tenant_admin' });
  const headers = { authorization: `Bearer ${issueAccessToken(loadConfig(env).jwt, admin)}`, 'content-type': 'application/json' };
  const api = await startApiProcess(env);
  const rest = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${api.url}/api/v1${path}`, { headers });
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  type ListItem = { id: string; subscriptionId: string; claimantId: string; assigneeId: string | null };
  const restList = () => rest<{ items: ListItem[] }>(`/claims?status=under_review&pageSize=${PAGE}`);

  const graphqlScreen = async () => {
    const response = await fetch(`${api.url}/api/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: SCREEN, variables: { first: PAGE } }),
    });
    const body = (await response.json()) as { errors?: unknown; data?: { claims: { edges: unknown[] } } };
    if (response.status !== 200 || body.errors || body.data?.claims.edges.length !== PAGE)
      throw new Error(`the screen query answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return 1;
  };
  const restScreen = async () => {
    const { items } = await restList();
    const people = [...new Set(items.flatMap((claim) => [claim.claimantId, claim.assigneeId ?? []].flat()))];
    const calls = [
      ...items.flatMap((claim) => [`/claims/${claim.id}`, `/subscriptions/${claim.subscriptionId}`, `/claims/${claim.id}/documents`]),
      ...people.map((id) => `/users/${id}`),
    ];
    let next = 0;
    const connection = async () => {
      while (next < calls.length) await rest(calls[next++]);
    };
    await Promise.all(Array.from({ length: BROWSER_CONNECTIONS }, connection));
    return 1 + calls.length;
  };

  try {
    const graphql = await measure(requests, graphqlScreen);
    const restWay = await measure(requests, restScreen);
    const listAlone = await measure(requests, async () => (await restList(), 1));
    return {
      claims: PAGE,
      graphql,
      restScreen: restWay,
      restListAlone: listAlone,
      p50Ratio: graphql.p50Ms / restWay.p50Ms,
      throughputRatio: graphql.screensPerSecond / restWay.screensPerSecond,
    };
  } finally {
    await api.stop();
  }
}
