/**
 * Rate limits counted in PostgreSQL (rate-limiter-flexible, table `rate_limits`), so every API
 * process behind a load balancer shares the same counters. Keys are the client address (ctx.ip,
 * which believes X-Forwarded-For only as far as TRUST_PROXY_HOPS says), an account, or both.
 * An IPv6 client is counted by its /64: one subscriber or host is routinely given a whole /64,
 * so counting each address apart would give it 2^64 budgets. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) is counted as the IPv4 address it is.
 */
import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Context, Middleware } from 'koa';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { tooManyRequests } from '../../../shared/errors';

export interface RateLimitRule {
  /** Names the counter family; keys of different rules never collide. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** The rule's limiter on the database of the app serving the request, created on first use. */
function limiterOf(rule: RateLimitRule): (ctx: Context) => RateLimiterPostgres {
  const byDatabase = new WeakMap<Sequelize, RateLimiterPostgres>();
  return (ctx) => {
    const { sequelize } = ctx.services;
    let limiter = byDatabase.get(sequelize);
    if (limiter) return limiter;
    limiter = new RateLimiterPostgres({
      storeClient: sequelize,
      storeType: 'sequelize',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix: rule.name,
      points: rule.points,
      duration: rule.durationSeconds,
      // A key that has used up its points is refused from memory until its window ends, the
      // same answer the table would give: a flood from one address or at one account costs no
      // database write per request once it is over the limit.
      inMemoryBlockOnConsumed: rule.points,
    });
    byDatabase.set(sequelize, limiter);
    return limiter;
  };
}

/** 429 with Retry-After for a refusal; a store failure goes on to the error handler as it is. */
function refusal(ctx: Context, rejection: unknown): unknown {
  if (!(rejection instanceof RateLimiterRes)) return rejection;
  ctx.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
  return tooManyRequests();
}

/** IPv6 bits that name the network one subscriber or host is given. */
const IPV6_CLIENT_PREFIX = 64;

/** The client a rate limit counts: an IPv4 address, or the /64 of an IPv6 address. */
export function clientKeyOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/${IPV6_CLIENT_PREFIX}`);
  return `${network.toString()}/${IPV6_CLIENT_PREFIX}`;
}

/** Counts every request of a route under `keyOf(ctx)` (the client by default, see clientKeyOf). */
export function rateLimit(rule: RateLimitRule, keyOf: (ctx: Context) => string = (ctx) => clientKeyOf(ctx.ip)): Middleware {
  const limiterFor = limiterOf(rule);
  return async (ctx, next) => {
    try {
      await limiterFor(ctx).consume(keyOf(ctx));
    } catch (rejection) {
      throw refusal(ctx, rejection);
    }
    await next();
  };
}

export interface GrowingDelayRule {
  /** Names the counter family; keys of different rules never collide. */
  name: string;
  /** Failures a key may have in a window before each further one starts a delay. */
  freeFailures: number;
  /** How long failures are remembered, counted from the first; also the longest delay. */
  windowSeconds: number;
  /** The delay after the last free failure, doubled at each one after it. */
  firstDelaySeconds: number;
}

/**
 * Counts failures under a key (e.g. wrong passwords from one client at one account) and, past the
 * free ones, refuses the key for a delay that doubles with each further failure: a guesser slows
 * down exponentially while any other key, the account's owner elsewhere among them, is untouched.
 * An attempt made before the delay is over counts as a failure too, so a client that ignores
 * Retry-After only waits longer. Nothing is locked for good: the delay is at most the window and
 * the count ends with it. Keys are stored as a hash: the table holds no e-mail.
 */
export function growingDelay(rule: GrowingDelayRule) {
  const failuresOf = limiterOf({ name: rule.name, points: Number.MAX_SAFE_INTEGER, durationSeconds: rule.windowSeconds });
  const delayOf = limiterOf({ name: `${rule.name}-delay`, points: 1, durationSeconds: rule.windowSeconds });
  const hashed = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

  /** Counts a failure; past the free ones, delays the key and answers the delay. */
  async function recordFailure(ctx: Context, key: string): Promise<RateLimiterRes | null> {
    const { consumedPoints } = await failuresOf(ctx).consume(hashed(key));
    if (consumedPoints < rule.freeFailures) return null;
    const seconds = Math.min(rule.windowSeconds, rule.firstDelaySeconds * 2 ** (consumedPoints - rule.freeFailures));
    return delayOf(ctx).block(hashed(key), seconds);
  }

  return {
    /** Refuses with 429 and Retry-After while the key is delayed (and delays it further); answers whether it has failures. */
    async assertAllowed(ctx: Context, key: string): Promise<{ hasFailures: boolean }> {
      const [delay, failures] = await Promise.all([delayOf(ctx).get(hashed(key)), failuresOf(ctx).get(hashed(key))]);
      if (delay && delay.consumedPoints > 1 && delay.msBeforeNext > 0) throw refusal(ctx, (await recordFailure(ctx, key)) ?? delay);
      return { hasFailures: failures !== null && failures.consumedPoints > 0 };
    },
    /** Counts a failure; answers whether the key is now delayed. */
    async recordFailure(ctx: Context, key: string): Promise<{ delayed: boolean }> {
      return { delayed: (await recordFailure(ctx, key)) !== null };
    },
    async reset(ctx: Context, key: string): Promise<void> {
      await Promise.all([failuresOf(ctx).delete(hashed(key)), delayOf(ctx).delete(hashed(key))]);
    },
  };
}

/** True the first time a key is seen in a window, false until the window ends (one warning e-mail per window). */
export function oncePerWindow(rule: { name: string; durationSeconds: number }) {
  const limiterFor = limiterOf({ ...rule, points: 1 });
  return async (ctx: Context, key: string): Promise<boolean> => {
    try {
      await limiterFor(ctx).consume(key);
      return true;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return false;
      throw rejection;
    }
  };
}
