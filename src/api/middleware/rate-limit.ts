import type { Middleware } from 'koa';
import ratelimit from 'koa-ratelimit';
import { tooManyRequests } from '../errors';

/**
 * Per-client-IP limit. The memory driver keeps counts per API process; behind a load balancer
 * with several API processes, use koa-ratelimit's redis driver instead.
 */
export function rateLimit(name: string, max: number, durationMs: number): Middleware {
  const limiter = ratelimit({
    driver: 'memory',
    db: new Map(),
    duration: durationMs,
    max,
    id: (ctx) => `${name}:${ctx.ip}`,
    throw: true,
    errorMessage: 'Too many requests',
  });
  return async (ctx, next) => {
    try {
      await limiter(ctx, next);
    } catch (err) {
      if ((err as { status?: number }).status === 429) throw tooManyRequests();
      throw err;
    }
  };
}
