import type { Transaction } from 'sequelize';
import type { AuditedChange } from '../../models/audit-event';
import { recordAudit, type AuditSource } from '../../services/audit';
import type { RouteContext } from './route';

/** The audit source of an API write: the authenticated caller and the request ID. */
export function requestAuditSource(ctx: RouteContext): AuditSource {
  return { actor: { type: 'user', id: ctx.state.user.id }, requestId: ctx.state.requestId };
}

/**
 * Makes an API write and records its audit event in one transaction: the change never commits
 * without its event. `describe` sees the result of the change (e.g. the created row).
 */
export function audited<T>(ctx: RouteContext, change: (transaction: Transaction) => Promise<T>, describe: (result: T) => AuditedChange): Promise<T> {
  return ctx.services.sequelize.transaction(async (transaction) => {
    const result = await change(transaction);
    await recordAudit(requestAuditSource(ctx), describe(result), transaction);
    return result;
  });
}
