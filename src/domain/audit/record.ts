/**
 * The one way to build an audit event. It is written with the transaction of the change it
 * records (`recordAudit`), or where one round trip matters, in the same statement as the change
 * (`auditEventValues` bound into it), so no change commits without its event. Its `changes` come from `changedFields`,
 * which never lets a secret through: any field whose name says password, secret, token or hash
 * is left out, at any depth, whatever the caller passes.
 */
import type { CreationAttributes, Transaction } from 'sequelize';
import { AuditEvent } from '../../models';
import type { AuditActorType, AuditCategory, AuditChanges, AuditedChange } from '../../models/audit-event';
import type { AuthUser } from '../../shared/caller';

export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  /** For an `api_key` actor: the user who created the key. */
  createdBy?: string | null;
}

/** The actor of a request's changes: its user, or the API key it came with (and who created that key). */
export function actorOf(caller: AuthUser | null): AuditActor {
  if (caller?.apiKey) return { type: 'api_key', id: caller.apiKey.id, createdBy: caller.id };
  return { type: 'user', id: caller?.id ?? null };
}

/** Who made the change and through what: a request (its ID, client address and user agent) or a workflow run. */
export interface AuditSource {
  actor: AuditActor;
  requestId?: string | null;
  /** The request's client, bounded by the transport (src/api/http/client-evidence.ts). */
  client?: { clientAddress: string | null; userAgent: string | null };
  workflowId?: string | null;
  runId?: string | null;
}

/** Actions recorded before authentication events had their own names, which are authentication events too. */
const AUTHENTICATION_ACTIONS = new Set(['user.password_change', 'user.password_reset', 'user.password_set', 'user.email_change']);
/** Sign-ins and sessions (`auth.`), second factors (`mfa.`), company sign-in (`sso.`): src/domain/identity/auth-events.ts. */
const AUTHENTICATION_PREFIXES = ['auth.', 'mfa.', 'sso.', 'api_key.'];

/** The category GET /audit-events?category= filters on; only admins read `authentication` (src/access/audit.ts). */
export function categoryOf(action: string): AuditCategory {
  const authentication = AUTHENTICATION_ACTIONS.has(action) || AUTHENTICATION_PREFIXES.some((prefix) => action.startsWith(prefix));
  return authentication ? 'authentication' : 'change';
}

const SECRET_FIELD = /password|secret|token|hash/i;

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_FIELD.test(key))
      .map(([key, inner]) => [key, withoutSecrets(inner)]),
  );
}

/** Plain JSON values: model instances and dates compare and store the way the API shows them. */
function plain(value: object | null | undefined): Record<string, unknown> {
  if (!value) return {};
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** The fields whose value differs between `before` and `after` (absent counts as null), secrets left out. */
export function changedFields(before: object | null | undefined, after: object | null | undefined): AuditChanges {
  const was = plain(before);
  const is = plain(after);
  const changes: AuditChanges = {};
  for (const field of new Set([...Object.keys(was), ...Object.keys(is)])) {
    if (SECRET_FIELD.test(field) || field === 'updatedAt') continue;
    const [from, to] = [was[field] ?? null, is[field] ?? null];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { before: withoutSecrets(from), after: withoutSecrets(to) };
  }
  return changes;
}

/** The stored form of an event: what `recordAudit` inserts, and what a single-statement insert of a change with its event binds. */
export function auditEventValues(source: AuditSource, change: AuditedChange): CreationAttributes<AuditEvent> {
  return {
    tenantId: change.tenantId,
    actorType: source.actor.type,
    actorId: source.actor.id,
    actorCreatedBy: source.actor.createdBy ?? null,
    action: change.action,
    entityType: change.entityType,
    entityId: change.entityId,
    changes: changedFields(change.before, change.after),
    requestId: source.requestId ?? null,
    workflowId: source.workflowId ?? null,
    runId: source.runId ?? null,
    dedupeKey: change.dedupeKey ?? null,
    category: categoryOf(change.action),
    clientAddress: source.client?.clientAddress ?? null,
    userAgent: source.client?.userAgent ?? null,
    reason: change.reason ?? null,
  };
}

export async function recordAudit(source: AuditSource, change: AuditedChange, transaction: Transaction): Promise<void> {
  await AuditEvent.bulkCreate([auditEventValues(source, change)], { transaction, ignoreDuplicates: true });
}
