import type { Middleware } from 'koa';
import type { Config } from '../../config';
import { rateLimit } from '../http/middleware/rate-limit';

/** Responses that carry tokens must never be kept by a browser or a proxy. */
export const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/** Requests per client address on every auth route, counted together. */
export const authAddressLimit = (config: Config) =>
  rateLimit({ name: 'auth-ip', points: config.rateLimit.authPerMinute, durationSeconds: 60 });
