import { CreationOptional, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, timestampColumns, optionalBigintNumber, tableOptions } from './columns';
import type { OffboardingStatus, OffboardingStep, StepCounts } from '../contracts/tenant-offboarding';
import { idFromRequest } from '../shared/deterministic-id';

/**
 * A tenant's offboarding (docs/privacy.md, Tenant offboarding): asked by one platform admin,
 * decided by another, run by `tenant-offboarding-<tenantId>`. A row of the platform: it names the
 * tenant in `offboardedTenantId` and outlives every row of the tenant.
 */
export class TenantOffboarding extends Timestamped<TenantOffboarding> {
  declare id: string;
  declare offboardedTenantId: string;
  declare status: CreationOptional<OffboardingStatus>;
  declare reason: string;
  declare requestedById: string;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare rejectionReason: CreationOptional<string | null>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;
  /** The bulk operation counting the run's steps, from the approval on. */
  declare operationId: CreationOptional<string | null>;
  /** The export's object in the document store (under `offboarding/`), its SHA-256 and size, once made. */
  declare exportKey: CreationOptional<string | null>;
  declare exportSha256: CreationOptional<string | null>;
  declare exportBytes: CreationOptional<number | null>;
  /** What the steps removed, counted (`runs`, `rows.claims` …). */
  declare removed: CreationOptional<StepCounts>;
  declare completedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    TenantOffboarding.init(
      {
        id: uuidKey(),
        offboardedTenantId: required.uuid(),
        status: required.string(20, { defaultValue: 'awaiting_approval' }),
        reason: required.string(500),
        requestedById: required.uuid(),
        decidedById: optional.uuid(),
        decidedAt: optional.date(),
        rejectionReason: optional.string(500),
        workflowId: required.string(200),
        runId: optional.string(100),
        operationId: optional.uuid(),
        exportKey: optional.string(300),
        exportSha256: optional.string(64),
        // An export is far below 2^53 bytes.
        exportBytes: optionalBigintNumber('exportBytes'),
        removed: required.json({ defaultValue: {} }),
        completedAt: optional.date(),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'tenant_offboardings'),
    );
  }
}

/** The bulk operation item of one step: its ID follows from the request and the step, so a retried step finds its own. */
export const offboardingStepItemId = (offboardingId: string, step: OffboardingStep) =>
  idFromRequest('tenant-offboarding', offboardingId, step);
