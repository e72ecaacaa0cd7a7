import type { AuditSource } from '../services/audit';
import type { RouteContext } from './route';

/** The audit source of an API write: the authenticated caller and the request ID. */
export function requestAuditSource(ctx: RouteContext): AuditSource {
  return { actor: { type: 'user', id: ctx.state.user.id }, requestId: ctx.state.requestId };
}
