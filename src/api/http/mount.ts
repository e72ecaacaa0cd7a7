import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Config } from '../../config';
import { authenticate, requireRoles } from './middleware/auth';
import { idempotency } from './middleware/idempotency';
import { validate } from './middleware/validate';
import { acceptsIdempotencyKey, type RouteInput, type RouteSpec, type RouteState } from './route';

/** Mounts each spec as the pipeline auth → roles → rate limit → validation → idempotency → handler. */
export function mountRoutes(specs: RouteSpec[], config: Config): Router {
  const router = new Router<RouteState<RouteInput>>();
  const auth = authenticate(config.jwt);
  for (const spec of specs) {
    const pipeline: Middleware[] = [];
    if (spec.auth !== 'public') pipeline.push(auth);
    if (spec.roles) pipeline.push(requireRoles(spec.roles));
    pipeline.push(...(spec.before ?? []));
    pipeline.push(validate(spec));
    if (acceptsIdempotencyKey(spec)) pipeline.push(idempotency(config.deadlines.requestMs));
    pipeline.push(async (ctx) => {
      await spec.handler(ctx);
      if (ctx.status === 404 && ctx.body === undefined) ctx.status = spec.response.status;
    });
    router[spec.method](spec.path, ...pipeline);
  }
  return router;
}
