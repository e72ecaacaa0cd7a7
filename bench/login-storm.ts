/**
 * A burst of logins beside ordinary reads: LOGIN_LOOPS clients log in back to back for PHASE_MS
 * while one client reads GET /plans, against the same reader alone. Password hashing (argon2id
 * at the production cost) runs on libuv's thread pool, so the reader should keep its p95 within
 * twice the idle one. Each client logs in from its own address (behind one trusted proxy), as
 * the people of a real storm do: one address at this rate is an attacker, whom the per-address
 * limit refuses (docs/performance.md, Login storm).
 */
import { hash } from '@node-rs/argon2';
import { loadConfig } from '../src/config';
import { User } from '../src/models';
import { OWASP_ARGON2ID } from '../src/config/password-hashing';
import { hashPassword } from '../src/services/passwords';
import { issueAccessToken } from '../src/services/tokens';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile, requestsUntil } from './fixtures';
import { apiEnvFor, startApiProcess } from './processes';

const LOGIN_LOOPS = 8;
const PHASE_MS = 10_000;
const PASSWORD = 'Storm-password-2026';
const ARGON2ID_SAMPLES = 9;

interface Latencies {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface LoginStormResult {
  loginLoops: number;
  phaseSeconds: number;
  readerIdle: Latencies;
  readerDuringStorm: Latencies;
  loginsPerSecond: number;
  loginP50Ms: number;
  /** One argon2id hash at the production cost, alone (median of ARGON2ID_SAMPLES): the CPU a login costs. */
  argon2idMsPerHash: number;
  /** The target (≤ 2): the reader's p95 during the storm ÷ its p95 alone. */
  ratioStormToIdleP95: number;
}

const summarise = (values: number[]): Latencies => ({
  requests: values.length,
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
  maxMs: Math.max(...values),
});

/** The hash itself, without the hashing slot's rest that `hashPassword` takes its turn behind. */
async function timeOneHash(): Promise<number> {
  const started = performance.now();
  await hash(PASSWORD, { ...OWASP_ARGON2ID, parallelism: 1 });
  return performance.now() - started;
}

export async function benchLoginStorm(infra: BenchInfra): Promise<LoginStormResult> {
  const hashTimes: number[] = [];
  for (let i = 0; i < ARGON2ID_SAMPLES; i++) hashTimes.push(await timeOneHash());
  // Nothing may refuse the storm: the limits are not what is measured here.
  const env = { ...(await apiEnvFor(infra, 'bench-login-storm')), RATE_LIMIT_AUTH_PER_MINUTE: '1000000', TRUST_PROXY_HOPS: '1' };
  const config = loadConfig(env);
  const bench = await createBenchTenant(LOGIN_LOOPS);
  await User.update({ passwordHash: await hashPassword(PASSWORD) }, { where: { tenantId: bench.tenant.id } });
  const api = await startApiProcess(env);
  const token = issueAccessToken(config.jwt, bench.policyholders[0]);
  const readPlans = () => fetch(`${api.url}/api/v1/plans`, { headers: { authorization: `Bearer ${token}` } });
  const logIn = (email: string, client: number) => () =>
    fetch(`${api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${client + 1}` },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
  try {
    await requestsUntil(Date.now() + 2000, 200, readPlans);
    await requestsUntil(Date.now() + 1000, 200, logIn(bench.policyholders[0].email, 0));
    const idle = await requestsUntil(Date.now() + PHASE_MS, 200, readPlans);
    const until = Date.now() + PHASE_MS;
    const [storm, ...logins] = await Promise.all([
      requestsUntil(until, 200, readPlans),
      ...bench.policyholders.map((user, client) => requestsUntil(until, 200, logIn(user.email, client))),
    ]);
    const readerIdle = summarise(idle);
    const readerDuringStorm = summarise(storm);
    const allLogins = logins.flat();
    return {
      loginLoops: LOGIN_LOOPS,
      phaseSeconds: PHASE_MS / 1000,
      readerIdle,
      readerDuringStorm,
      loginsPerSecond: allLogins.length / (PHASE_MS / 1000),
      loginP50Ms: percentile(allLogins, 50),
      argon2idMsPerHash: percentile(hashTimes, 50),
      ratioStormToIdleP95: readerDuringStorm.p95Ms / readerIdle.p95Ms,
    };
  } finally {
    await api.stop();
  }
}
