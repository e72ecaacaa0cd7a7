import { DataTypes, Sequelize } from 'sequelize';
import { modelOf, required, optional, filledOnInsert } from './columns';

export type AuditActorType = 'user' | 'api_key' | 'workflow' | 'system';
/** `authentication`: sign-ins, sessions, credentials (src/domain/identity/auth-events.ts); `change`: every other event. */
export const AUDIT_CATEGORIES = ['change', 'authentication'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];
/** Field name → its value before and after the change (secrets never appear: see src/domain/audit/record.ts). */
export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

/** A change to record, as its author describes it; src/domain/audit/record.ts turns it into an event. */
export interface AuditedChange {
  tenantId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before?: object | null;
  after?: object | null;
  /** For changes made by activities: the event is written once per key, whatever retries happen. */
  dedupeKey?: string;
  /** Why it happened, as a category (a failed sign-in's reason); never what was typed. */
  reason?: string;
}

const auditEventColumns = () => ({
  id: filledOnInsert(optional<string>(DataTypes.BIGINT, { primaryKey: true, autoIncrement: true })),
  tenantId: optional.uuid(),
  occurredAt: required.date({ defaultValue: Sequelize.fn('clock_timestamp') }),
  actorType: required.string<AuditActorType>(20),
  actorId: optional.string(255),
  /** For an `api_key` actor: the user who created the key. */
  actorCreatedBy: optional.uuid(),
  action: required.string(60),
  entityType: required.string(40),
  entityId: required.string(255),
  changes: required.json<AuditChanges>(),
  requestId: optional.string(200),
  workflowId: optional.string(255),
  runId: optional.string(64),
  /** Set by activities: the change it names is recorded once, however often the activity runs. */
  dedupeKey: optional.string(300),
  category: required.string<AuditCategory>(20, { defaultValue: 'change' }),
  /** The request's client address and user agent (bounded), where a request made it. */
  clientAddress: optional.string(64),
  userAgent: optional.string(500),
  reason: optional.string(40),
  /** How many times it happened: 1, or the count of an aggregated row from occurredAt to lastOccurredAt. */
  occurrences: required.integer({ defaultValue: 1 }),
  lastOccurredAt: optional.date(),
  /** Its place in its tenant's hash chain (the platform's for no tenant), from 1; set by the database on insert. */
  chainPosition: filledOnInsert(optional<string>(DataTypes.BIGINT)),
  /** The hash of the chain's event before it; 64 zeros for the first (docs/audit.md, Tamper evidence). */
  previousHash: filledOnInsert(optional.string(64)),
  hash: filledOnInsert(optional.string(64)),
});

/**
 * One recorded change. Append-only: the database refuses UPDATE and DELETE on the table, except
 * the count of an aggregated row (`lastOccurredAt` set: repeated failures, one row per window),
 * which may only grow.
 */
export class AuditEvent extends modelOf('audit_events', auditEventColumns, { timestamps: false }) {
  override toJSON(): object {
    return {
      id: this.id,
      tenantId: this.tenantId,
      occurredAt: this.occurredAt,
      actor: { type: this.actorType, id: this.actorId, ...(this.actorCreatedBy && { createdBy: this.actorCreatedBy }) },
      action: this.action,
      entityType: this.entityType,
      entityId: this.entityId,
      changes: this.changes,
      requestId: this.requestId,
      workflowId: this.workflowId,
      runId: this.runId,
      category: this.category,
      client: { address: this.clientAddress, userAgent: this.userAgent },
      reason: this.reason,
      occurrences: this.occurrences,
      lastOccurredAt: this.lastOccurredAt,
    };
  }
}
