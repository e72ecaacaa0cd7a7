/**
 * Pricing quotes (docs/quotes.md, docs/performance.md Quotes): pricing is CPU only, so POST /quotes
 * should answer within 1.5 × GET /plans/:id of the same plan, one request at a time, and one API
 * process should price at least 1,000 quotes a second with CONCURRENCY clients asking at once.
 * Every quote is real: priced by the rating tables and recorded with its mail handed to the outbox,
 * as in production. No worker runs here: the mails wait in the outbox (a worker process sends them,
 * on another machine as deployed), and the section counts them against the quotes recorded.
 */
import http from 'node:http';
import { loadConfig } from '../src/config';
import { OutboxMessage, Quote } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { buildRatingVersion, RISK } from '../tests/support/quote-rows';
import type { BenchInfra } from './infra';
import { cpuMsPer, cpuSnapshot, cpuUsed } from './cpu-time';
import { createBenchTenant, percentile, requestsUntil, type Answer } from './fixtures';
import { apiEnvFor, startApiProcess } from './processes';

/** Clients asking for quotes at once in the throughput phase: enough to keep one process busy. */
const CONCURRENCY = 32;

interface Latencies {
  requests: number;
  p50Ms: number;
  p95Ms: number;
}

export interface QuotesResult {
  /** GET /plans/:id, one request at a time. */
  planRead: Latencies;
  /** POST /quotes on the same plan, one request at a time. */
  quote: Latencies;
  /** The target (≤ 1.5): the quote's p95 ÷ the plan read's. */
  ratioQuoteToPlanP95: number;
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
   * The yardstick of that phase: GET /plans/:id from CONCURRENCY clients just before it, and its CPU
   * per read. What a plan read costs the API, a quote pays too (the request's way through the API);
   * the difference is the quote's own work.
   */
  planReadsPerSecond: number;
  cpuMsPerPlanRead: ReturnType<typeof cpuMsPer>;
  /** Every quote recorded, and the mails handed to the outbox with them: one each. */
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

const summarise = (values: number[]): Latencies => ({
  requests: values.length,
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
});

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
  const readPlan = send('GET', `/plans/${bench.plan.id}`);
  const quote = send('POST', '/quotes', JSON.stringify({ planId: bench.plan.id, risk: RISK }));
  const phaseMs = seconds * 1000;
  try {
    // Warm both paths (JIT, the kept plan, the pool) before anything is timed.
    await requestsUntil(Date.now() + 2000, 200, readPlan);
    await requestsUntil(Date.now() + 2000, 201, quote);
    const planRead = summarise(await requestsUntil(Date.now() + phaseMs, 200, readPlan));
    const single = summarise(await requestsUntil(Date.now() + phaseMs, 201, quote));
    const processes = { ...infra.pids, api: api.child.pid! };
    /** `request` from CONCURRENCY clients at once for a phase: its rate, p95 and the CPU each process spent per request. */
    const loaded = async (status: number, request: () => Promise<Answer>) => {
      const until = Date.now() + phaseMs;
      const started = Date.now();
      const cpuBefore = cpuSnapshot(processes);
      const latencies = (await Promise.all(Array.from({ length: CONCURRENCY }, () => requestsUntil(until, status, request)))).flat();
      const perSecond = latencies.length / ((Date.now() - started) / 1000);
      return { perSecond, p95Ms: percentile(latencies, 95), cpuMs: cpuMsPer(cpuUsed(cpuBefore, cpuSnapshot(processes)), latencies.length) };
    };
    const planReads = await loaded(200, readPlan);
    const quotes = await loaded(201, quote);
    const [quotesRecorded, mailsInOutbox] = await Promise.all([
      Quote.count({ where: { tenantId: bench.tenant.id } }),
      OutboxMessage.count({ where: { kind: 'mail' } }),
    ]);
    return {
      planRead,
      quote: single,
      ratioQuoteToPlanP95: single.p95Ms / planRead.p95Ms,
      quotesPerSecond: quotes.perSecond,
      quoteP95UnderLoadMs: quotes.p95Ms,
      concurrency: CONCURRENCY,
      cpuMsPerQuote: quotes.cpuMs,
      planReadsPerSecond: planReads.perSecond,
      cpuMsPerPlanRead: planReads.cpuMs,
      quotesRecorded,
      mailsInOutbox,
    };
  } finally {
    agent.destroy();
    await api.stop();
  }
}
