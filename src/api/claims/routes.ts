import crypto from 'node:crypto';
import type { Attributes, WhereOptions } from 'sequelize';
import { Claim, ClaimHistory, ClaimNote, Payment, Subscription, Tenant, TenantSettings, User } from '../../models';
import { recordAudit } from '../../services/audit';
import { isStaff, STAFF_ROLES, TENANT_ROLES } from '../../shared/roles';
import { UpdateDefinition, WorkflowNotFoundError } from '@temporalio/client';
import { Actor, ASSIGNER_ROLES, ClaimSettings, ClaimStage, HANDLER_ROLES } from '../../workflows/claim-rules';
import { assignClaimUpdate, ClaimState, claimStateQuery, ClaimUpdateResult, ClaimWorkflowInput, transitionClaimUpdate } from '../../workflows/claim';
import { audited, requestAuditSource } from '../audit-source';
import { idParams } from '../common-schemas';
import { idFromRequest } from '../deterministic-id';
import { dependencyUnavailable, notFound, unprocessable } from '../errors';
import { LiveState, queryLiveState } from '../live-state';
import { deliver, enqueueStart } from '../outbox';
import { pageSchema, paginate, paginatePlain, PageQuery } from '../pagination';
import { route, RouteContext, RouteInput, RouteSpec } from '../route';
import { searchWhere } from '../search';
import { tenantOf } from '../tenancy';
import { decideByUpdate } from '../temporal-calls';
import { assertClaimOpen, findVisibleClaim } from './access';
import {
  assignClaimBody,
  claimDetailSchema,
  claimSchema,
  fileClaimBody,
  listClaimsQuery,
  listNotesQuery,
  noteBody,
  noteSchema,
  transitionClaimBody,
} from './schemas';

interface FileClaimBody {
  subscriptionId: string;
  incidentDate: Date;
  amountClaimed: number;
  description: string;
}

interface TransitionBody {
  to: ClaimStage;
  note?: string;
  approvedAmount?: number;
  reason?: string;
}

const HOUR = 3_600_000;

function claimView(claim: Attributes<Claim>): object {
  const { workflowId, runId, ...fields } = claim;
  return { ...fields, workflow: { workflowId, runId } };
}

/** The open claim's stage and next deadline as its run sees them now. */
async function liveClaimState(ctx: RouteContext, claim: Claim): Promise<LiveState<Omit<ClaimState, 'history'>>> {
  if (claim.status === 'closed') return { state: null, stale: false };
  return queryLiveState(ctx, claim.id, async (temporal) => {
    const { history: _history, ...state } = await temporal.workflow.getHandle(claim.workflowId).query(claimStateQuery);
    return state;
  });
}

async function claimDetail(claim: Claim): Promise<object> {
  const [history, payment] = await Promise.all([
    ClaimHistory.findAll({ where: { claimId: claim.id }, order: [['sequence', 'ASC']] }),
    Payment.findOne({ where: { claimId: claim.id } }),
  ]);
  return {
    ...claimView(claim.get()),
    history: history.map(({ sequence, actorId, fromStatus, toStatus, note, occurredAt }) => ({ sequence, actorId, fromStatus, toStatus, note, occurredAt })),
    payment: payment && { id: payment.id, amount: payment.amount, reference: payment.reference, paidAt: payment.paidAt },
  };
}

/**
 * Hands a person's decision to the claim's workflow as an update and answers with the claim as
 * recorded. The workflow's validator refuses an illegal or unauthorised decision before anything
 * is written; the error handler turns its failure type into 409/403/422.
 */
async function decideOnClaim<Request>(
  ctx: RouteContext<RouteInput<{ id: string }>>,
  update: UpdateDefinition<ClaimUpdateResult, [Request]>,
  requestFor: (claim: Claim, actor: Actor) => Promise<Request>,
): Promise<void> {
  const { user } = ctx.state;
  const claim = await findVisibleClaim(user, ctx.state.input.params.id);
  assertClaimOpen(claim);
  const request = await requestFor(claim, { id: user.id, role: user.role });
  try {
    await decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(claim.workflowId), update, request);
  } catch (err) {
    // An open claim without a run: its start still waits in the outbox for Temporal.
    if (err instanceof WorkflowNotFoundError) throw dependencyUnavailable('temporal');
    throw err;
  }
  ctx.body = await claimDetail(await claim.reload());
}

/** Checks the subscription allows this claim: the claimant's, active, incident covered, amount covered. */
async function coveringSubscription(user: RouteContext['state']['user'], tenantId: string, body: FileClaimBody, incidentDate: string): Promise<Subscription> {
  const subscription = await Subscription.findOne({ where: { id: body.subscriptionId, tenantId } });
  // A policyholder files only on their own subscriptions; an agent files for any of the tenant's.
  if (!subscription || (!isStaff(user.role) && subscription.policyholderId !== user.id)) throw notFound('Subscription');
  if (subscription.status !== 'active' || !subscription.startDate || !subscription.endDate) {
    throw unprocessable('Claims are filed against an active subscription', [{ field: 'subscriptionId', message: `the subscription is ${subscription.status}` }]);
  }
  if (incidentDate < subscription.startDate || incidentDate > subscription.endDate) {
    throw unprocessable('The incident date is outside the coverage period', [
      { field: 'incidentDate', message: `must be between ${subscription.startDate} and ${subscription.endDate}` },
    ]);
  }
  if (body.amountClaimed > Number(subscription.coverageAmount)) {
    throw unprocessable('The amount claimed exceeds the coverage amount', [
      { field: 'amountClaimed', message: `must not exceed ${subscription.coverageAmount}` },
    ]);
  }
  return subscription;
}

async function claimSettingsOf(tenantId: string): Promise<ClaimSettings> {
  const all = await TenantSettings.forTenant(tenantId);
  return {
    claimUnassignedEscalationHours: all.claimUnassignedEscalationHours,
    claimDocumentsReminderDays: all.claimDocumentsReminderDays,
    claimDocumentsEscalationDays: all.claimDocumentsEscalationDays,
    claimDocumentsAutoDenyDays: all.claimDocumentsAutoDenyDays,
    claimWaitingApprovalEscalationHours: all.claimWaitingApprovalEscalationHours,
    approvalLimitAdjuster: all.approvalLimitAdjuster,
    approvalLimitSeniorAdjuster: all.approvalLimitSeniorAdjuster,
  };
}

export function claimRoutes(): RouteSpec[] {
  return [
    route<RouteInput<object, object, FileClaimBody>>({
      method: 'post',
      path: '/claims',
      summary: 'File a claim against an active subscription (policyholder, or a claims agent on their behalf)',
      tag: 'claims',
      roles: ['policyholder', 'claims_agent'],
      body: fileClaimBody,
      response: { status: 201, schema: claimDetailSchema },
      handler: async (ctx) => {
        const { user } = ctx.state;
        const { services } = ctx;
        const tenantId = tenantOf(user);
        const body = ctx.state.input.body;
        const key = ctx.get('Idempotency-Key');
        const claimId = key ? idFromRequest('claim', user.id, key, body.subscriptionId) : crypto.randomUUID();
        // A repeat of a filing whose answer was lost finds the claim it made.
        const filed = key ? await Claim.findOne({ where: { id: claimId, tenantId } }) : null;
        if (filed) {
          ctx.status = 201;
          ctx.body = await claimDetail(filed);
          return;
        }
        const incidentDate = body.incidentDate.toISOString().slice(0, 10);
        const subscription = await coveringSubscription(user, tenantId, body, incidentDate);
        const settings = await claimSettingsOf(tenantId);
        const filedAt = new Date();
        // Taken outside the transaction so concurrent filings do not queue behind each other;
        // a failed filing leaves a gap in the numbering, never a duplicate.
        const claimNumber = await Claim.nextClaimNumber(tenantId, filedAt.getUTCFullYear());
        const tenant = await Tenant.findByPk(tenantId, { rejectOnEmpty: true });
        const workflowId = Claim.workflowIdFor(tenant.slug, claimNumber);
        const input: ClaimWorkflowInput = {
          claimId,
          claimNumber,
          tenantId,
          claimantId: subscription.policyholderId,
          amountClaimed: body.amountClaimed,
          filedById: user.id,
          filedAt: filedAt.toISOString(),
          settings,
        };
        // The claim, its first history entry and the start of its run commit together (outbox):
        // no run without a claim, no claim that never gets its run.
        const [claim, start] = await services.sequelize.transaction(async (transaction) => {
          const created = await Claim.create(
            {
              id: claimId,
              tenantId,
              claimNumber,
              subscriptionId: subscription.id,
              claimantId: subscription.policyholderId,
              filedById: user.id,
              incidentDate,
              description: body.description,
              amountClaimed: body.amountClaimed.toFixed(2),
              workflowId,
            },
            { transaction },
          );
          await ClaimHistory.create(
            { tenantId, claimId, sequence: 0, actorId: user.id, fromStatus: null, toStatus: 'reported', note: 'Claim filed', occurredAt: filedAt },
            { transaction },
          );
          await recordAudit(requestAuditSource(ctx), { tenantId, action: 'claim.file', entityType: 'claim', entityId: claimId, after: created }, transaction);
          const message = await enqueueStart(
            workflowId,
            {
              workflowType: 'claimWorkflow',
              args: [input],
              tenantId,
              status: 'reported',
              summary: `Claim ${claimNumber}: ${body.amountClaimed.toFixed(2)} on subscription ${subscription.id}`,
              dueAt: new Date(filedAt.getTime() + settings.claimUnassignedEscalationHours * HOUR).toISOString(),
            },
            transaction,
          );
          return [created, message] as const;
        });
        // Filed either way: if Temporal does not take the start now, the outbox relay delivers it.
        const runId = await deliver(services, start);
        if (runId) await claim.update({ runId });
        ctx.status = 201;
        ctx.body = await claimDetail(claim);
      },
    }),

    route<RouteInput<object, PageQuery & { status?: ClaimStage; assigneeId?: string; q?: string }>>({
      method: 'get',
      path: '/claims',
      summary: "List claims: the tenant's for staff (filter by status and assignee), their own for a policyholder",
      tag: 'claims',
      roles: TENANT_ROLES,
      query: listClaimsQuery,
      response: { status: 200, schema: pageSchema(claimSchema) },
      handler: async (ctx) => {
        const { user } = ctx.state;
        const { status, assigneeId, q, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(user);
        const where: WhereOptions<Claim> = {
          tenantId,
          ...(!isStaff(user.role) && { claimantId: user.id }),
          ...(status && { status }),
          ...(assigneeId && { assigneeId }),
          ...(q && searchWhere(ctx.services.sequelize, tenantId, q, 'claimant_id')),
        };
        const result = await paginatePlain(Claim, page, where);
        ctx.body = { ...result, items: result.items.map(claimView) };
      },
    }),

    route<RouteInput<{ id: string }>>({
      method: 'get',
      path: '/claims/:id',
      summary: 'One claim with its history and payment',
      tag: 'claims',
      roles: TENANT_ROLES,
      params: idParams,
      response: { status: 200, schema: claimDetailSchema },
      handler: async (ctx) => {
        const claim = await findVisibleClaim(ctx.state.user, ctx.state.input.params.id);
        const [detail, live] = await Promise.all([claimDetail(claim), liveClaimState(ctx, claim)]);
        ctx.body = { ...detail, ...live };
      },
    }),

    route<RouteInput<{ id: string }, object, { assigneeId: string; note?: string }>>({
      method: 'post',
      path: '/claims/:id/assign',
      summary: 'Assign or reassign the claim to an adjuster, senior adjuster or claims manager',
      tag: 'claims',
      roles: ASSIGNER_ROLES,
      params: idParams,
      body: assignClaimBody,
      response: { status: 200, schema: claimDetailSchema },
      handler: (ctx) =>
        decideOnClaim(ctx, assignClaimUpdate, async (claim, actor) => {
          const { assigneeId, note } = ctx.state.input.body;
          const assignee = await User.findOne({ where: { id: assigneeId, tenantId: claim.tenantId, isActive: true } });
          if (!assignee) throw unprocessable('No active user of the tenant has this id', [{ field: 'assigneeId', message: 'unknown user' }]);
          return { actor, assigneeId, assigneeRole: assignee.role, note };
        }),
    }),

    route<RouteInput<{ id: string }, object, TransitionBody>>({
      method: 'post',
      path: '/claims/:id/transitions',
      summary: 'Move the claim to its next stage (409 with the allowed stages if illegal, 403 without authority)',
      tag: 'claims',
      roles: HANDLER_ROLES,
      params: idParams,
      body: transitionClaimBody,
      response: { status: 200, schema: claimDetailSchema },
      handler: (ctx) => decideOnClaim(ctx, transitionClaimUpdate, async (_claim, actor) => ({ actor, ...ctx.state.input.body })),
    }),

    route<RouteInput<{ id: string }, PageQuery>>({
      method: 'get',
      path: '/claims/:id/notes',
      summary: "The claim's internal notes (staff only)",
      tag: 'claims',
      roles: STAFF_ROLES,
      params: idParams,
      query: listNotesQuery,
      response: { status: 200, schema: pageSchema(noteSchema) },
      handler: async (ctx) => {
        const claim = await findVisibleClaim(ctx.state.user, ctx.state.input.params.id);
        ctx.body = await paginate(ClaimNote, { ...ctx.state.input.query, ordering: 'createdAt' }, { claimId: claim.id });
      },
    }),

    route<RouteInput<{ id: string }, object, { body: string }>>({
      method: 'post',
      path: '/claims/:id/notes',
      summary: 'Add an internal note to the claim (staff only)',
      tag: 'claims',
      roles: STAFF_ROLES,
      params: idParams,
      body: noteBody,
      response: { status: 201, schema: noteSchema },
      handler: async (ctx) => {
        const claim = await findVisibleClaim(ctx.state.user, ctx.state.input.params.id);
        ctx.status = 201;
        ctx.body = await audited(
          ctx,
          (transaction) => ClaimNote.create({ tenantId: claim.tenantId, claimId: claim.id, authorId: ctx.state.user.id, body: ctx.state.input.body.body }, { transaction }),
          (note) => ({ tenantId: claim.tenantId, action: 'claim.note_add', entityType: 'claim', entityId: claim.id, after: { noteId: note.id, body: note.body } }),
        );
      },
    }),
  ];
}
