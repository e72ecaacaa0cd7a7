import Router, { type RouterContext } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Config } from '../../config';
import { isPersonDecision } from '../../access/may';
import { roleMay } from '../../access/verbs';
import type { Role } from '../../shared/roles';
import { authenticate, isHumanOnlyPath, refuseApiKeys, requireVerb } from './middleware/auth';
import { idempotency } from './middleware/idempotency';
import { validate } from './middleware/validate';
import { acceptsIdempotencyKey, type RouteInput, type DeclaredRoute, type RouteState } from './route';

/**
 * A parameter route leaves alone a path another route has as its own (GET /registrations/:id and
 * POST /registrations/verify): allowedMethods then answers 405 with that path's methods.
 */
const yieldToLiteralRoute: Middleware = async (ctx, next) => {
  const { matched = [] } = ctx as Context & Pick<RouterContext, 'matched'>;
  if (matched.some((layer) => layer.paramNames.length === 0)) return;
  await next();
};

/** Whether the route is kept for people: an API key that authenticated is refused (403), here by its path. */
const refusesApiKeys = (spec: DeclaredRoute): boolean => spec.auth !== 'public' && isHumanOnlyPath(spec.path);

/** Whether an API key is refused (403) whatever its role: by the route's path, or as a person's decision its verb is. */
export const keptForPeople = (spec: DeclaredRoute): boolean =>
  refusesApiKeys(spec) || (spec.verb !== undefined && isPersonDecision(spec.verb));

/**
 * Whether the pipeline below refuses the caller with 403 before validation reads the input: by
 * their role, or as an API key on a route kept for people.
 */
export function refusedBeforeInput(spec: DeclaredRoute, caller: { role: Role; viaApiKey: boolean }): boolean {
  if (spec.auth === 'public') return false;
  return (caller.viaApiKey && keptForPeople(spec)) || (spec.verb !== undefined && !roleMay(caller.role, spec.verb));
}

/** Mounts each spec as the pipeline auth → verb → rate limit → validation → idempotency → handler. */
export function mountRoutes(specs: DeclaredRoute[], config: Config): Router {
  const router = new Router<RouteState<RouteInput>>();
  const auth = authenticate(config);
  const authByCodecSession = authenticate(config, { codecSession: true });
  for (const spec of specs) {
    const pipeline: Middleware[] = [];
    if (spec.path.includes(':')) pipeline.push(yieldToLiteralRoute);
    if (spec.auth === 'codec-session') pipeline.push(authByCodecSession);
    else if (spec.auth !== 'public') pipeline.push(auth);
    if (refusesApiKeys(spec)) pipeline.push(refuseApiKeys);
    if (spec.verb) pipeline.push(requireVerb(spec.verb));
    pipeline.push(...(spec.before ?? []));
    pipeline.push(validate(spec));
    if (acceptsIdempotencyKey(spec)) pipeline.push(idempotency(config.deadlines.requestMs, spec.secretAnswer));
    pipeline.push(async (ctx) => {
      await spec.handler(ctx);
      if (ctx.status === 404 && ctx.body === undefined) ctx.status = spec.response.status;
    });
    router[spec.method](spec.path, ...pipeline);
  }
  return router;
}
