import { modelOf, required, optional, uuidKey, timestampColumns } from './columns';
import type { BulkItemStatus, BulkReassignParameters } from '../contracts/bulk-reassign';
import type { CalendarRescheduleParameters } from '../contracts/calendar-reschedule';
import type { DriftRepairParameters } from '../contracts/drift-repair';
import type { IncidentRetryParameters } from '../contracts/incident-retry';

/** What a tenant's offboarding records with its operation: whom it offboards, under which request. */
export interface TenantOffboardingParameters {
  offboardedTenantId: string;
  offboardingId: string;
}

/** What a bulk operation does. */
export const BULK_OPERATION_KINDS = [
  'claims_reassign',
  'calendar_reschedule',
  'drift_repair',
  'incident_retry',
  'tenant_offboarding',
] as const;
export type BulkOperationKind = (typeof BULK_OPERATION_KINDS)[number];
/** What an item of one is. */
export type BulkItemType = 'claim' | 'acknowledgement' | 'subscription' | 'incident' | 'step';

const bulkOperationColumns = () => ({
  id: uuidKey(),
  /** Null for an operation of the platform (a tenant's offboarding, a platform admin's batch retry of incidents), which only platform admins see. */
  tenantId: optional.uuid(),
  kind: required.string<BulkOperationKind>(40),
  requestedById: required.uuid(),
  /** What was asked, as validated. */
  parameters: required.json<
    BulkReassignParameters | CalendarRescheduleParameters | DriftRepairParameters | IncidentRetryParameters | TenantOffboardingParameters
  >(),
  workflowId: required.string(200),
  ...timestampColumns(),
});

/**
 * One bulk action asked by a person (docs/bulk-operations.md), run by one workflow; its items are
 * `BulkOperationItem` rows, so its progress is a count of them.
 */
export class BulkOperation extends modelOf('bulk_operations', bulkOperationColumns) {}

/** The tenant of a tenant's operation; an operation of the platform (tenant null) has none to act in. */
export function operationTenant(operation: BulkOperation): string {
  if (operation.tenantId === null) throw new Error(`Operation ${operation.id} belongs to the platform, not to a tenant`);
  return operation.tenantId;
}

const bulkOperationItemColumns = () => ({
  operationId: required.uuid({ primaryKey: true }),
  itemId: required.uuid({ primaryKey: true }),
  itemType: required.string<BulkItemType>(20, { defaultValue: 'claim' }),
  position: required.integer(),
  status: required.string<BulkItemStatus>(20, { defaultValue: 'pending' }),
  /** Why it was refused (the validator's or the API's message); null otherwise. */
  reason: optional.string(500),
  handledAt: optional.date(),
});

/** One row an operation acts on (a claim, a subscription, an acknowledgement or a step), and what became of it. */
export class BulkOperationItem extends modelOf('bulk_operation_items', bulkOperationItemColumns, { timestamps: false }) {}
