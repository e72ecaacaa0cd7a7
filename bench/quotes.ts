/**
 * Pricing quotes (docs/quotes.md, docs/performance.md Quotes): pricing is CPU only, so POST /quotes
 * should answer within 1.5 × GET /plans/:id of the same plan, one request at a time, and one API
 * process should price at least 1,000 quotes a second with CONCURRENCY clients asking at once.
 * Both phases (one at a time, then CONCURRENCY clients) alternate the plan read and the quote in
 * ROUNDS rounds of short halves (bench/rounds.ts), so a change of load on the shared machine falls
 * on both sides of the ratio alike. Every request must answer its status (200, 201), and every
 * quote answered must be recorded with its mail, or the section fails. Every quote is real: priced by the rating tables and recorded with its mail handed to the outbox,
 * as in production. No worker runs here: the mails wait in the outbox (a worker process sends them,
 * on another machine as deployed), and the section counts them against the quotes recorded.
 */
import http from 'node:http';
import { loadConfig } from '../src/config';
import { QueryTypes } from 'sequelize';
import { Quote } from '../src/models';
import { QUOTE_MAIL_KIND } from '../src/domain/quotes/quote-mail';
import { issueAccessToken } from '../src/services/tokens';
import { buildRatingVersion, RISK } from '../tests/support/quote-rows';
import type { BenchInfra } from './infra';
import { addCpu, cpuMsPer, cpuSnapshot, cpuUsed, type CpuSnapshot } from './cpu-time';
import { createBenchTenant, percentile, requestsUntil, type Answer } from './fixtures';
import { apiEnvFor, startApiProcess } from './processes';
import { inRounds, sideOf, type RoundSide } from './rounds';

/** Clients asking for quotes at once in the throughput phase: enough to keep one process busy. */
const CONCURRENCY = 32;

/** Rounds of two halves each side of the section's comparisons is measured in (bench/rounds.ts). */
const ROUNDS = 6;

interface Latencies {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU a request, per process: of its latency, what the processes worked; the rest it waited (for a core, a wake-up). */
  cpuMsPerRequest: ReturnType<typeof cpuMsPer>;
}

export interface QuotesResult {
  /** Rounds of alternating halves, and each half's length: a side's phase is split over the rounds. */
  rounds: number;
  secondsPerHalf: number;
  /** GET /plans/:id, one request at a time, all its halves together. */
  planRead: Latencies;
  /** POST /quotes on the same plan, one request at a time, all its halves together. */
  quote: Latencies;
  /** The target (≤ 1.5): the quote's p95 ÷ the plan read's. */
  ratioQuoteToPlanP95: number;
  /** The same ratio in each round alone: how far it moves within the run. */
  ratioQuoteToPlanP95ByRound: number[];
  /** Quotes priced and recorded per second by one API process, CONCURRENCY clients at once. */
  quotesPerSecond: number;
  quoteP95UnderLoadMs: number;
  concurrency: number;
  /**
   * CPU per quote in the throughput phase, per process (the API, PostgreSQL, this load generator):
   * on cores they share, what one API process could price with a core of its own is 1,000 ÷ `api`.
   */
  cpuMsPerQuote: ReturnType<typeof cpuMsPer>;
  /**
   * The yardstick of that phase: GET /plans/:id from CONCURRENCY clients in the halves alternating
   * with the quotes', and its CPU per read. What a plan read costs the API, a quote pays too (the
   * request's way through the API); the difference is the quote's own work.
   */
  planReadsPerSecond: number;
  cpuMsPerPlanRead: ReturnType<typeof cpuMsPer>;
  /** Quotes asked for (each answered 201), recorded, and their mails handed to the outbox: all equal, or the section fails. */
  quotesAsked: number;
  quotesRecorded: number;
  mailsInOutbox: number;
}

/**
 * The load generator's requests: node:http on kept-alive connections, one per client. fetch (undici)
 * cost this process 0.65–0.9 ms of CPU a request, as much as the API spent on a quote, on the cores
 * the API shares with it, and alone it answered no more than 650 requests a second from 32 clients
 * against a bare node:http server; node:http costs about 0.09 ms a request there.
 */
function keptAliveClient(agent: http.Agent, baseUrl: string, headers: Record<string, string>) {
  return (method: 'GET' | 'POST', path: string, body?: string) => (): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const url = `${baseUrl}${path}`;
      const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const request = http.request(url, { method, agent, headers: { ...headers, ...length } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const all = Buffer.concat(chunks);
          const arrayBuffer = async () => all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
          resolve({ status: response.statusCode ?? 0, url, arrayBuffer });
        });
      });
      request.on('error', reject);
      request.end(body);
    });
}

/** The outbox's mails of the tenant's quotes (an outbox message names its quote by its key alone). */
async function quoteMailsOf(infra: BenchInfra, tenantId: string): Promise<number> {
  const [{ count }] = await infra.sequelize.query<{ count: string }>(
    `SELECT count(*) AS count FROM outbox_messages m JOIN quotes q ON m.workflow_id = 'quote-issued-' || q.id
      WHERE q.tenant_id = :tenantId AND m.kind = :kind`,
    { type: QueryTypes.SELECT, replacements: { tenantId, kind: QUOTE_MAIL_KIND } },
  );
  return Number(count);
}

/** One phase's halves of a side together: what was asked in them, and the CPU it cost. */
interface Half {
  latencies: number[];
  ms: number;
  cpu: CpuSnapshot;
}

function together(halves: Half[]) {
  const latencies = halves.flatMap((half) => half.latencies);
  const seconds = halves.reduce((all, half) => all + half.ms, 0) / 1000;
  const cpu = halves.map((half) => half.cpu).reduce(addCpu);
  return { latencies, perSecond: latencies.length / seconds, p95Ms: percentile(latencies, 95), cpuMs: cpuMsPer(cpu, latencies.length) };
}

/** One request at a time: a side's halves together. */
function latenciesOf(halves: Half[]): Latencies {
  const { latencies, cpuMs } = together(halves);
  return { requests: latencies.length, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), cpuMsPerRequest: cpuMs };
}

export async function benchQuotes(infra: BenchInfra, seconds: number): Promise<QuotesResult> {
  const env = await apiEnvFor(infra, 'bench-quotes');
  const config = loadConfig(env);
  const bench = await createBenchTenant(1);
  const [holder] = bench.policyholders;
  // Rating tables in force, so every quote is priced by them (the dearer path: a fixed premium is one line).
  await buildRatingVersion(bench.plan, holder.id);
  const api = await startApiProcess(env);
  const headers = { authorization: `Bearer ${issueAccessToken(config.jwt, holder)}`, 'content-type': 'application/json' };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const send = keptAliveClient(agent, `${api.url}/api/v1`, headers);
  const sides = {
    yardstick: { status: 200, request: send('GET', `/plans/${bench.plan.id}`) },
    subject: { status: 201, request: send('POST', '/quotes', JSON.stringify({ planId: bench.plan.id, risk: RISK })) },
  };
  const halfMs = (seconds * 1000) / ROUNDS;
  const processes = { ...infra.pids, api: api.child.pid! };
  let quotesAsked = 0;
  /** `side`'s request from `clients` at once (each back to back) for a half: every answer must be its status. */
  const half = async (side: RoundSide, clients: number, ms: number): Promise<Half> => {
    const { status, request } = sides[side];
    const started = Date.now();
    const cpuBefore = cpuSnapshot(processes);
    const lanes = await Promise.all(Array.from({ length: clients }, () => requestsUntil(started + ms, status, request)));
    const cpu = cpuUsed(cpuBefore, cpuSnapshot(processes));
    const latencies = lanes.flat();
    if (side === 'subject') quotesAsked += latencies.length;
    return { latencies, ms: Date.now() - started, cpu };
  };
  try {
    // Warm both paths (JIT, the kept plan, the pool) before anything is timed.
    await half('yardstick', 1, 2000);
    await half('subject', 1, 2000);
    const single = await inRounds(ROUNDS, (side) => half(side, 1, halfMs));
    const loaded = await inRounds(ROUNDS, (side) => half(side, CONCURRENCY, halfMs));
    const p95 = (half: Half) => percentile(half.latencies, 95);
    const planRead = latenciesOf(sideOf(single, 'yardstick'));
    const quote = latenciesOf(sideOf(single, 'subject'));
    const planReads = together(sideOf(loaded, 'yardstick'));
    const quotes = together(sideOf(loaded, 'subject'));
    const [quotesRecorded, mailsInOutbox] = await Promise.all([
      Quote.count({ where: { tenantId: bench.tenant.id } }),
      quoteMailsOf(infra, bench.tenant.id),
    ]);
    if (quotesRecorded !== quotesAsked || mailsInOutbox !== quotesAsked)
      throw new Error(`${quotesAsked} quotes answered 201, but ${quotesRecorded} recorded and ${mailsInOutbox} mails in the outbox`);
    return {
      rounds: ROUNDS,
      secondsPerHalf: halfMs / 1000,
      planRead,
      quote,
      ratioQuoteToPlanP95: quote.p95Ms / planRead.p95Ms,
      ratioQuoteToPlanP95ByRound: single.map((round) => Math.round((p95(round.subject) / p95(round.yardstick)) * 100) / 100),
      quotesPerSecond: quotes.perSecond,
      quoteP95UnderLoadMs: quotes.p95Ms,
      concurrency: CONCURRENCY,
      cpuMsPerQuote: quotes.cpuMs,
      planReadsPerSecond: planReads.perSecond,
      cpuMsPerPlanRead: planReads.cpuMs,
      quotesAsked,
      quotesRecorded,
      mailsInOutbox,
    };
  } finally {
    agent.destroy();
    await api.stop();
  }
}
