/**
 * What every resolver of one GraphQL request receives: the caller (null without a bearer token),
 * the API's services, the request ID and the request's own DataLoaders.
 */
import type { AuthUser } from '../../shared/caller';
import { badRequest, forbidden, unauthorized } from '../../shared/errors';
import type { Role } from '../../shared/roles';
import type { CommandDeps } from '../../domain/command';
import { commandDepsOf } from '../http/command-deps';
import { IDEMPOTENCY_KEY_FORMAT } from '../http/middleware/idempotency';
import type { ApiServices } from '../runtime/services';
import { createLoaders, type Loaders } from './loaders';

export type GraphQLContext = {
  caller: AuthUser | null;
  services: ApiServices;
  requestId: string;
  loaders: Loaders;
};

export function graphQLContext(services: ApiServices, caller: AuthUser | null, requestId: string): GraphQLContext {
  return { caller, services, requestId, loaders: createLoaders(caller) };
}

/**
 * The caller of a field that needs one: without a token only `viewer` (null) and introspection
 * answer. A mutation names the roles of its REST route (`roles`), refused alike (FORBIDDEN).
 */
export function callerOf(context: GraphQLContext, roles?: readonly Role[]): AuthUser {
  if (!context.caller) throw unauthorized();
  if (roles && !roles.includes(context.caller.role)) throw forbidden();
  return context.caller;
}

/** A mutation's command deps: the same as a route's, the `idempotencyKey` argument standing for the Idempotency-Key header. */
export function commandDepsFor(context: GraphQLContext, idempotencyKey: string | null | undefined): CommandDeps {
  if (typeof idempotencyKey === 'string' && !IDEMPOTENCY_KEY_FORMAT.test(idempotencyKey)) {
    throw badRequest('idempotencyKey must be 8 to 200 characters of letters, digits, . _ : -', [
      { field: 'idempotencyKey', message: 'invalid' },
    ]);
  }
  return commandDepsOf(context.services, {
    caller: callerOf(context),
    requestId: context.requestId,
    idempotencyKey: idempotencyKey ?? undefined,
  });
}
