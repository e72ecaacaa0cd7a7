/**
 * What a command (src/domain/command.ts) reaches outside itself, built by the transport for one
 * request: `commandDepsOf` from the caller (null on a public route), the request ID and the
 * idempotency key, whichever transport received them; `commandDeps(ctx)` from an authenticated
 * route's context, `publicCommandDeps(ctx)` from a public one's.
 */
import type { CommandDeps } from '../../domain/command';
import type { AuthUser } from '../../shared/caller';
import { outboxOf } from '../temporal/outbox';
import type { RouteContext } from './route';
import type { ApiServices } from '../runtime/services';
import { temporalAccess } from '../temporal/calls';
import { actorOf } from '../../domain/audit/record';
import { clientEvidenceOf, type ClientEvidence } from './client-evidence';

export interface CommandRequest {
  /** Null for a public command: nobody has signed in. */
  caller: AuthUser | null;
  requestId: string;
  /** Absent when the request names none. */
  idempotencyKey?: string;
  /** The client address and user agent its audit events name (none for a command run outside a request). */
  client?: ClientEvidence;
}

export function commandDepsOf(services: ApiServices, { caller, requestId, idempotencyKey, client }: CommandRequest): CommandDeps {
  return {
    config: services.config,
    sequelize: services.sequelize,
    temporal: temporalAccess(services, caller?.id ?? null, idempotencyKey),
    outbox: outboxOf(services),
    documents: services.documents,
    mailer: services.mailer,
    logger: services.logger,
    auditSource: { actor: actorOf(caller), requestId, client },
    idempotencyKey,
  };
}

/** The Idempotency-Key header, checked by the idempotency middleware. */
const idempotencyKeyOf = (ctx: RouteContext) => ctx.get('Idempotency-Key') || undefined;

/** The deps of an authenticated route's command. */
export function commandDeps(ctx: RouteContext): CommandDeps {
  return commandDepsOf(ctx.services, {
    caller: ctx.state.user,
    requestId: ctx.state.requestId,
    idempotencyKey: idempotencyKeyOf(ctx),
    client: clientEvidenceOf(ctx),
  });
}

/** The deps of a public route's command: no caller. */
export function publicCommandDeps(ctx: RouteContext): CommandDeps {
  return commandDepsOf(ctx.services, {
    caller: null,
    requestId: ctx.state.requestId,
    idempotencyKey: idempotencyKeyOf(ctx),
    client: clientEvidenceOf(ctx),
  });
}
