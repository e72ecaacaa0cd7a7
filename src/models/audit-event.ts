import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, optional, tableOptions } from './columns';

export type AuditActorType = 'user' | 'api_key' | 'workflow' | 'system';
/** `authentication`: sign-ins, sessions, credentials (src/services/auth-events.ts); `change`: every other event. */
export const AUDIT_CATEGORIES = ['change', 'authentication'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];
/** Field name → its value before and after the change (secrets never appear: see src/services/audit.ts). */
export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

/** A change to record, as its author describes it; src/services/audit.ts turns it into an event. */
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

/**
 * One recorded change. Append-only: the database refuses UPDATE and DELETE on the table, except
 * the count of an aggregated row (`lastOccurredAt` set: repeated failures, one row per window),
 * which may only grow.
 */
export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare id: CreationOptional<string>;
  declare tenantId: string | null;
  declare occurredAt: CreationOptional<Date>;
  declare actorType: AuditActorType;
  declare actorId: string | null;
  /** For an `api_key` actor: the user who created the key. */
  declare actorCreatedBy: CreationOptional<string | null>;
  declare action: string;
  declare entityType: string;
  declare entityId: string;
  declare changes: AuditChanges;
  declare requestId: string | null;
  declare workflowId: string | null;
  declare runId: string | null;
  /** Set by activities: the change it names is recorded once, however often the activity runs. */
  declare dedupeKey: CreationOptional<string | null>;
  declare category: CreationOptional<AuditCategory>;
  /** The request's client address and user agent (bounded), where a request made it. */
  declare clientAddress: CreationOptional<string | null>;
  declare userAgent: CreationOptional<string | null>;
  declare reason: CreationOptional<string | null>;
  /** How many times it happened: 1, or the count of an aggregated row from occurredAt to lastOccurredAt. */
  declare occurrences: CreationOptional<number>;
  declare lastOccurredAt: CreationOptional<Date | null>;
  /** Its place in its tenant's hash chain (the platform's for no tenant), from 1; set by the database on insert. */
  declare chainPosition: CreationOptional<string>;
  /** The hash of the chain's event before it; 64 zeros for the first (docs/audit.md, Tamper evidence). */
  declare previousHash: CreationOptional<string>;
  declare hash: CreationOptional<string>;

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

  static initModel(sequelize: Sequelize): void {
    AuditEvent.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        tenantId: optional.uuid(),
        occurredAt: required.date({ defaultValue: sequelize.fn('clock_timestamp') }),
        actorType: required.string(20),
        actorId: optional.string(255),
        actorCreatedBy: optional.uuid(),
        action: required.string(60),
        entityType: required.string(40),
        entityId: required.string(255),
        changes: required.json(),
        requestId: optional.string(200),
        workflowId: optional.string(255),
        runId: optional.string(64),
        dedupeKey: optional.string(300),
        category: required.string(20, { defaultValue: 'change' }),
        clientAddress: optional.string(64),
        userAgent: optional.string(500),
        reason: optional.string(40),
        occurrences: required.integer({ defaultValue: 1 }),
        lastOccurredAt: optional.date(),
        chainPosition: optional(DataTypes.BIGINT),
        previousHash: optional.string(64),
        hash: optional.string(64),
      },
      tableOptions(sequelize, 'audit_events', { timestamps: false }),
    );
  }
}
