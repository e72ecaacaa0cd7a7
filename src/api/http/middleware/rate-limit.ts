/**
 * Rate limits counted in PostgreSQL (rate-limiter-flexible, table `rate_limits`), so every API
 * process behind a load balancer shares the same counters. Keys are the client address (ctx.ip,
 * which believes X-Forwarded-For only as far as TRUST_PROXY_HOPS says) or an account.
 * An IPv6 client is counted by its /64: one subscriber or host is routinely given a whole /64,
 * so counting each address apart would give it 2^64 budgets. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) is counted as the IPv4 address it is.
 */
import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Context, Middleware } from 'koa';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { tooManyRequests } from '../errors';

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
function clientKeyOf(address: string): string {
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

/**
 * Counts failures per account (e.g. wrong passwords per e-mail) and refuses further attempts once
 * they reach the limit. Unknown accounts are counted exactly like real ones, so the answers do not
 * tell whether an account exists. Accounts are keyed by a hash: the table holds no e-mail.
 */
export function failureLimit(rule: RateLimitRule) {
  const limiterFor = limiterOf(rule);
  const keyOf = (account: string) => crypto.createHash('sha256').update(account).digest('hex');
  return {
    /** Refuses with 429 once the account has used up its failures; answers whether it has any. */
    async assertAllowed(ctx: Context, account: string): Promise<{ hasFailures: boolean }> {
      const counted = await limiterFor(ctx).get(keyOf(account));
      if (counted && counted.consumedPoints >= rule.points) throw refusal(ctx, counted);
      return { hasFailures: counted !== null && counted.consumedPoints > 0 };
    },
    async recordFailure(ctx: Context, account: string): Promise<void> {
      await limiterFor(ctx)
        .consume(keyOf(account))
        .catch((rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
        });
    },
    async reset(ctx: Context, account: string): Promise<void> {
      await limiterFor(ctx).delete(keyOf(account));
    },
  };
}
