import crypto from 'node:crypto';
import type { Middleware } from 'koa';

const ACCEPTABLE_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** Every response carries X-Request-Id: the caller's own when well-formed, a new UUID otherwise. */
export function requestId(): Middleware {
  return (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    ctx.state.requestId = ACCEPTABLE_ID.test(incoming) ? incoming : crypto.randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    return next();
  };
}
