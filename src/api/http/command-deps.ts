/**
 * What a command (src/domain/command.ts) reaches outside itself, built by the transport for one
 * request: `commandDepsOf` from the caller, the request ID and the idempotency key, whichever
 * transport received them; `commandDeps(ctx)` from a route's context.
 */
import type { CommandDeps } from '../../domain/command';
import type { AuthUser } from '../../shared/caller';
import { outboxOf } from '../temporal/outbox';
import type { RouteContext } from './route';
import type { ApiServices } from '../runtime/services';
import { temporalAccess } from '../temporal/calls';

export interface CommandRequest {
  caller: AuthUser;
  requestId: string;
  /** Absent when the request names none. */
  idempotencyKey?: string;
}

export function commandDepsOf(services: ApiServices, { caller, requestId, idempotencyKey }: CommandRequest): CommandDeps {
  return {
    config: services.config,
    sequelize: services.sequelize,
    temporal: temporalAccess(services, caller.id, idempotencyKey),
    outbox: outboxOf(services),
    documents: services.documents,
    logger: services.logger,
    auditSource: { actor: { type: 'user', id: caller.id }, requestId },
    idempotencyKey,
  };
}

/** The deps of an authenticated route's command; the Idempotency-Key header was checked by the idempotency middleware. */
export function commandDeps(ctx: RouteContext): CommandDeps {
  return commandDepsOf(ctx.services, {
    caller: ctx.state.user,
    requestId: ctx.state.requestId,
    idempotencyKey: ctx.get('Idempotency-Key') || undefined,
  });
}
