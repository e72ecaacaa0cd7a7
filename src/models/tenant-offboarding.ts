import { modelOf, required, optional, uuidKey, timestampColumns, optionalBigintNumber } from './columns';
import type { OffboardingStatus, OffboardingStep, StepCounts } from '../contracts/tenant-offboarding';
import { idFromRequest } from '../shared/deterministic-id';

const tenantOffboardingColumns = () => ({
  id: uuidKey(),
  offboardedTenantId: required.uuid(),
  status: required.string<OffboardingStatus>(20, { defaultValue: 'awaiting_approval' }),
  reason: required.string(500),
  requestedById: required.uuid(),
  decidedById: optional.uuid(),
  decidedAt: optional.date(),
  rejectionReason: optional.string(500),
  workflowId: required.string(200),
  runId: optional.string(100),
  /** The bulk operation counting the run's steps, from the approval on. */
  operationId: optional.uuid(),
  /** The export's object in the document store (under `offboarding/`), its SHA-256 and size, once made. */
  exportKey: optional.string(300),
  exportSha256: optional.string(64),
  // An export is far below 2^53 bytes.
  exportBytes: optionalBigintNumber('exportBytes'),
  /** What the steps removed, counted (`runs`, `rows.claims` …). */
  removed: required.json<StepCounts>({ defaultValue: {} }),
  completedAt: optional.date(),
  ...timestampColumns(),
});

/**
 * A tenant's offboarding (docs/privacy.md, Tenant offboarding): asked by one platform admin,
 * decided by another, run by `tenant-offboarding-<tenantId>`. A row of the platform: it names the
 * tenant in `offboardedTenantId` and outlives every row of the tenant.
 */
export class TenantOffboarding extends modelOf('tenant_offboardings', tenantOffboardingColumns) {}

/** The bulk operation item of one step: its ID follows from the request and the step, so a retried step finds its own. */
export const offboardingStepItemId = (offboardingId: string, step: OffboardingStep) =>
  idFromRequest('tenant-offboarding', offboardingId, step);
