import type { RouterContext } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { ApiError } from '../../../shared/errors';

/**
 * A path the API serves, asked with a method it does not serve (TRACE, PROPFIND, DELETE on a
 * read-only resource…): 405 with the Allow header. OPTIONS answers with Allow alone.
 */
export function allowedMethods(): Middleware {
  return async (ctx, next) => {
    await next();
    // The router, further down the chain, records the layers that matched the path.
    const { matched = [] } = ctx as Context & Pick<RouterContext, 'matched'>;
    if (ctx.status !== 404 || ctx.body !== undefined || matched.length === 0) return;
    // A path of its own outranks a parameter that happens to match it: /registrations/verify is
    // that route's alone, not also GET /registrations/:id with the id "verify".
    const literal = matched.filter((layer) => layer.paramNames.length === 0);
    const allowed = [...new Set((literal.length ? literal : matched).flatMap((layer) => layer.methods))];
    if (allowed.length === 0 || allowed.includes(ctx.method)) return;
    ctx.set('Allow', allowed.join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw new ApiError(405, 'method_not_allowed', `${ctx.method} is not supported here; use ${allowed.join(', ')}`);
  };
}
