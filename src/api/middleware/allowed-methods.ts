import type { Middleware } from 'koa';
import { ApiError } from '../errors';

interface MatchedLayer {
  methods: string[];
}

/**
 * A path the API serves, asked with a method it does not serve (TRACE, PROPFIND, DELETE on a
 * read-only resource…): 405 with the Allow header. OPTIONS answers with Allow alone.
 */
export function allowedMethods(): Middleware {
  return async (ctx, next) => {
    await next();
    const matched = (ctx as unknown as { matched?: MatchedLayer[] }).matched ?? [];
    if (ctx.status !== 404 || ctx.body !== undefined || matched.length === 0) return;
    const allowed = [...new Set(matched.flatMap((layer) => layer.methods))];
    if (allowed.length === 0 || allowed.includes(ctx.method)) return;
    ctx.set('Allow', allowed.join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw new ApiError(405, 'method_not_allowed', `${ctx.method} is not supported here; use ${allowed.join(', ')}`);
  };
}
