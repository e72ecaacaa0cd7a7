import type { Transaction } from 'sequelize';
import { audited as auditedChange } from '../../domain/audited';
import type { AuditedChange } from '../../models/audit-event';
import type { AuditSource } from '../../services/audit';
import { commandDeps } from './command-deps';
import type { RouteContext } from './route';

/*
 * For the routes whose writes are not commands yet (users, auth): the same
 * audit source and audited write as a command's deps give.
 */

/** The audit source of an API write: the authenticated caller and the request ID. */
export function requestAuditSource(ctx: RouteContext): AuditSource {
  return commandDeps(ctx).auditSource;
}

/**
 * Makes an API write and records its audit event in one transaction: the change never commits
 * without its event. `describe` sees the result of the change (e.g. the created row).
 */
export function audited<T>(
  ctx: RouteContext,
  change: (transaction: Transaction) => Promise<T>,
  describe: (result: T) => AuditedChange,
): Promise<T> {
  return auditedChange(commandDeps(ctx), change, describe);
}
