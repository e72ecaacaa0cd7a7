/**
 * A tenant's offboarding (docs/privacy.md, Tenant offboarding), decided by two platform admins:
 * one asks (`awaiting_approval`), a second (not on the asker's mailbox) approves, and only then is anything done. Approval
 * suspends the tenant (the suspension of `commands.ts`, with its e-mails), so nothing new
 * arrives, and in one transaction moves the request to `running`, records its bulk operation of
 * the platform (one item per step of the run) and writes the start of
 * `tenant-offboarding-<tenantId>` to the outbox. Anyone of them may reject a request still
 * awaiting approval, the asker included (that is how it is withdrawn).
 *
 * Every record here is the platform's (audit events with tenant null, the request row naming the
 * tenant), so it outlives the tenant's rows, which the run deletes.
 */
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { UniqueConstraintError } from 'sequelize';
import { PLATFORM_TENANT_ID } from '../../contracts/onboarding';
import {
  OFFBOARDING_STEPS,
  tenantOffboardingRun,
  type StepCounts,
  type TenantOffboardingWorkflow,
} from '../../contracts/tenant-offboarding';
import { BulkOperation, TenantOffboarding, type Tenant } from '../../models';
import { offboardingStepItemId } from '../../models/tenant-offboarding';
import { findVisible } from '../../access/core';
import { assertPlatformAdmin, tenantRecordAccess } from '../../access/platform';
import { recordAudit } from '../audit/record';
import { isOnePersonWith } from '../identity/mailboxes';
import type { AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import { conflict, notFound, samePerson } from '../../shared/errors';
import { operationStateOf, recordBulkOperation } from '../operations/bulk-operations';
import { audited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { createWithRun } from '../runs';
import { suspendTenant } from './commands';

export interface OffboardingView {
  id: string;
  tenantId: string;
  status: TenantOffboarding['status'];
  reason: string;
  requestedById: string;
  decidedById: string | null;
  decidedAt: Date | null;
  rejectionReason: string | null;
  workflowId: string;
  runId: string | null;
  /** The bulk operation counting the run's steps (`GET /operations/:id`), from the approval on. */
  operationId: string | null;
  progress: { total: number; done: number } | null;
  export: { sha256: string; bytes: number | null } | null;
  removed: StepCounts;
  completedAt: Date | null;
  createdAt: Date;
}

/** The tenant a platform admin acts on: 403 for anyone else, 404 for an unknown one. */
async function offboardableTenant(caller: AuthUser, tenantId: string): Promise<Tenant> {
  assertPlatformAdmin(caller);
  return findVisible(caller, tenantRecordAccess, tenantId, { action: 'administer' });
}

/** The tenant's request that is not rejected (awaiting, running or completed), or its latest. */
async function latestRequest(tenantId: string): Promise<TenantOffboarding | null> {
  return TenantOffboarding.findOne({ where: { offboardedTenantId: tenantId }, order: [['createdAt', 'DESC']] });
}

export async function offboardingViewOf(offboarding: TenantOffboarding): Promise<OffboardingView> {
  const operation = offboarding.operationId ? await BulkOperation.findByPk(offboarding.operationId) : null;
  const state = operation ? await operationStateOf(operation) : null;
  return {
    id: offboarding.id,
    tenantId: offboarding.offboardedTenantId,
    status: offboarding.status,
    reason: offboarding.reason,
    requestedById: offboarding.requestedById,
    decidedById: offboarding.decidedById,
    decidedAt: offboarding.decidedAt,
    rejectionReason: offboarding.rejectionReason,
    workflowId: offboarding.workflowId,
    runId: offboarding.runId,
    operationId: offboarding.operationId,
    progress: state && { total: state.total, done: state.done },
    export: offboarding.exportSha256 ? { sha256: offboarding.exportSha256, bytes: offboarding.exportBytes } : null,
    removed: offboarding.removed,
    completedAt: offboarding.completedAt,
    createdAt: offboarding.createdAt,
  };
}

/** `GET /platform/tenants/:id/offboarding`: the tenant's latest request; 404 when none was made. */
export async function offboardingOf(caller: AuthUser, tenantId: string): Promise<OffboardingView> {
  const tenant = await offboardableTenant(caller, tenantId);
  const offboarding = await latestRequest(tenant.id);
  if (!offboarding) throw notFound('Offboarding');
  return offboardingViewOf(offboarding);
}

/** The export's bytes, for platform admins: 404 until the run has made it. */
export async function offboardingExport(
  caller: AuthUser,
  tenantId: string,
  deps: Pick<CommandDeps, 'documents'>,
): Promise<{ name: string; stream: Readable }> {
  const tenant = await offboardableTenant(caller, tenantId);
  const offboarding = await latestRequest(tenant.id);
  if (!offboarding?.exportKey) throw notFound('Offboarding export');
  return { name: `${tenant.slug}-export.zip`, stream: await deps.documents.read(offboarding.exportKey) };
}

const openAlready = () =>
  conflict('This tenant has an offboarding requested, running or done already', [{ field: 'tenantId', message: 'is being offboarded' }]);

export const requestOffboarding: Command<{ tenantId: string; reason: string }, OffboardingView> = async (caller, input, deps) => {
  const tenant = await offboardableTenant(caller, input.tenantId);
  if (tenant.status === 'offboarded') throw openAlready();
  const key = deps.idempotencyKey;
  const id = key ? idFromRequest('tenant-offboarding', caller.id, key, tenant.id) : crypto.randomUUID();
  // A repeat whose answer was lost finds the request it made.
  const earlier = key ? await TenantOffboarding.findByPk(id) : null;
  if (earlier) return offboardingViewOf(earlier);
  try {
    const offboarding = await audited(
      deps,
      (transaction) =>
        TenantOffboarding.create(
          {
            id,
            offboardedTenantId: tenant.id,
            reason: input.reason,
            requestedById: caller.id,
            workflowId: tenantOffboardingRun.id(tenant.id),
          },
          { transaction },
        ),
      (created) => ({ tenantId: null, action: 'tenant.offboarding_request', entityType: 'tenant', entityId: tenant.id, after: created }),
    );
    return offboardingViewOf(offboarding);
  } catch (err) {
    // The partial unique index decides: one request open or done per tenant.
    if (err instanceof UniqueConstraintError) throw openAlready();
    throw err;
  }
};

/** The request awaiting a decision; 409 when there is none (never asked, decided already). */
async function awaitingRequest(tenantId: string): Promise<TenantOffboarding> {
  const offboarding = await TenantOffboarding.findOne({ where: { offboardedTenantId: tenantId, status: 'awaiting_approval' } });
  if (!offboarding)
    throw conflict('No offboarding of this tenant awaits a decision', [{ field: 'status', message: 'must be awaiting_approval' }]);
  return offboarding;
}

/**
 * Whether the caller is the one who asked, under this account or another on the same mailbox (one
 * person, as claims judge a claimant: `isOnePersonWith`): a second admin account of their own is no second pair of eyes.
 */
const askedBy = (offboarding: TenantOffboarding, caller: AuthUser) => isOnePersonWith(caller.id, [offboarding.requestedById]);

export const approveOffboarding: Command<{ tenantId: string }, OffboardingView> = async (caller, input, deps) => {
  const tenant = await offboardableTenant(caller, input.tenantId);
  const running = await TenantOffboarding.findOne({ where: { offboardedTenantId: tenant.id, status: 'running', decidedById: caller.id } });
  // The approver's repeat whose answer was lost: the run is under way already.
  if (running) return offboardingViewOf(running);
  const offboarding = await awaitingRequest(tenant.id);
  if (await askedBy(offboarding, caller))
    throw samePerson('The platform admin who asked for an offboarding may not approve it: a second one must');
  if (tenant.status === 'active')
    await suspendTenant(caller, { tenantId: tenant.id, reason: `Offboarding: ${offboarding.reason}`.slice(0, 500) }, deps);

  const operationId = idFromRequest('tenant-offboarding-operation', offboarding.id);
  const approved = await createWithRun<TenantOffboardingWorkflow, TenantOffboarding>(deps, async (transaction) => {
    const [count] = await TenantOffboarding.update(
      { status: 'running', decidedById: caller.id, decidedAt: new Date() },
      { where: { id: offboarding.id, status: 'awaiting_approval' }, transaction },
    );
    if (count === 0) throw conflict('The offboarding was decided meanwhile', [{ field: 'status', message: 'must be awaiting_approval' }]);
    const { start } = await recordBulkOperation<TenantOffboardingWorkflow>(
      deps,
      {
        id: operationId,
        tenantId: null,
        kind: 'tenant_offboarding',
        requestedById: caller.id,
        parameters: { offboardedTenantId: tenant.id, offboardingId: offboarding.id },
        workflowId: offboarding.workflowId,
        items: OFFBOARDING_STEPS.map((step) => ({ itemId: offboardingStepItemId(offboarding.id, step), itemType: 'step' as const })),
        start: () => ({
          workflowType: tenantOffboardingRun.type,
          args: [{ offboardingId: offboarding.id, tenantId: tenant.id }],
          // The run is the platform's: searched as the tenant's, it would list and delete itself.
          tenantId: PLATFORM_TENANT_ID,
          status: 'exporting',
          summary: `Offboard tenant ${tenant.name}: export, then remove its rows, documents, schedules and runs`,
        }),
      },
      transaction,
    );
    const row = await offboarding.update({ operationId }, { transaction });
    await recordAudit(
      deps.auditSource,
      {
        tenantId: null,
        action: 'tenant.offboarding_approve',
        entityType: 'tenant',
        entityId: tenant.id,
        after: { offboardingId: offboarding.id, operationId },
      },
      transaction,
    );
    return { row, start };
  });
  return offboardingViewOf(await approved.reload());
};

export const rejectOffboarding: Command<{ tenantId: string; reason: string }, OffboardingView> = async (caller, input, deps) => {
  const tenant = await offboardableTenant(caller, input.tenantId);
  const offboarding = await awaitingRequest(tenant.id);
  const rejected = await audited(
    deps,
    async (transaction) => {
      const [count, rows] = await TenantOffboarding.update(
        { status: 'rejected', decidedById: caller.id, decidedAt: new Date(), rejectionReason: input.reason },
        { where: { id: offboarding.id, status: 'awaiting_approval' }, returning: true, transaction },
      );
      if (count === 0) throw conflict('The offboarding was decided meanwhile', [{ field: 'status', message: 'must be awaiting_approval' }]);
      return rows[0];
    },
    (after) => ({
      tenantId: null,
      action: 'tenant.offboarding_reject',
      entityType: 'tenant',
      entityId: tenant.id,
      before: offboarding,
      after,
    }),
  );
  return offboardingViewOf(rejected);
};
