import crypto from 'node:crypto';
import type { Attributes, WhereOptions } from 'sequelize';
import { Claim, ClaimHistory, ClaimNote, Payment, User } from '../../models';
import { claimantAmong, claimSettingsOf, coverageRefusal, numberClaim } from '../../domain/claims';
import { claimPolicy } from '../../policies/claims';
import { findVisible, tenantOf } from '../../policies/core';
import { subscriptionPolicy } from '../../policies/subscriptions';
import { recordAudit } from '../../services/audit';
import { STAFF_ROLES, TENANT_ROLES } from '../../shared/roles';
import { UpdateDefinition, WorkflowNotFoundError } from '@temporalio/client';
import {
  Actor,
  ASSIGNER_ROLES,
  assignClaimUpdate,
  CLAIM_WORKFLOW_TYPE,
  ClaimState,
  claimStateQuery,
  ClaimUpdateResult,
  ClaimWorkflow,
  ClaimWorkflowInput,
  HANDLER_ROLES,
  transitionClaimUpdate,
} from '../../contracts/claim';
import { HOUR_MS } from '../../shared/time';
import { audited, requestAuditSource } from '../http/audit-source';
import { idParams } from '../http/common-schemas';
import { idFromRequest } from '../http/deterministic-id';
import { dependencyUnavailable, ownClaim, unprocessable } from '../http/errors';
import { LiveState, queryLiveState } from '../temporal/live-state';
import { deliver, enqueueStart } from '../temporal/outbox';
import { pageSchema, paginate, paginatePlain } from '../lists/pagination';
import { route, RouteContext, RouteInput, RouteSpec } from '../http/route';
import { searchWhere } from '../lists/search';
import { decideByUpdate } from '../temporal/calls';
import { assertClaimOpen } from './refusals';
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

function claimView(claim: Attributes<Claim>): object {
  const { workflowId, runId, ...fields } = claim;
  return { ...fields, workflow: { workflowId, runId } };
}

/** The open claim's stage and next deadline as its run sees them now. */
async function liveClaimState(ctx: RouteContext, claim: Claim): Promise<LiveState<Omit<ClaimState, 'history' | 'documentIds'>>> {
  if (claim.status === 'closed') return { state: null, stale: false };
  return queryLiveState(ctx, claim.id, async (temporal) => {
    // The history and the documents are served from their tables (GET /claims/:id, GET /claims/:id/documents).
    const {
      history: _history,
      documentIds: _documentIds,
      ...state
    } = await temporal.workflow.getHandle(claim.workflowId).query(claimStateQuery);
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
    history: history.map(({ sequence, actorId, fromStatus, toStatus, note, occurredAt }) => ({
      sequence,
      actorId,
      fromStatus,
      toStatus,
      note,
      occurredAt,
    })),
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
  const claim = await findVisible(user, claimPolicy, ctx.state.input.params.id);
  assertClaimOpen(claim);
  // The workflow knows the claimant's id only; another account of the same person is found here.
  if (await claimantAmong(claim, [user.id])) throw ownClaim('You are the claimant of this claim: you cannot assign, review or decide it');
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

export function claimRoutes(): RouteSpec[] {
  return [
    route({
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
        // A policyholder files only on their own subscriptions; an agent files for any of the tenant's.
        const subscription = await findVisible(user, subscriptionPolicy, body.subscriptionId);
        const refusal = coverageRefusal(subscription, incidentDate, body.amountClaimed);
        if (refusal) throw unprocessable(refusal.summary, [{ field: refusal.field, message: refusal.message }]);
        const settings = await claimSettingsOf(tenantId);
        const filedAt = new Date();
        const { claimNumber, workflowId } = await numberClaim(tenantId, filedAt);
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
            {
              tenantId,
              claimId,
              sequence: 0,
              actorId: user.id,
              fromStatus: null,
              toStatus: 'reported',
              note: 'Claim filed',
              occurredAt: filedAt,
            },
            { transaction },
          );
          await recordAudit(
            requestAuditSource(ctx),
            { tenantId, action: 'claim.file', entityType: 'claim', entityId: claimId, after: created },
            transaction,
          );
          const message = await enqueueStart<ClaimWorkflow>(
            workflowId,
            {
              workflowType: CLAIM_WORKFLOW_TYPE,
              args: [input],
              tenantId,
              status: 'reported',
              summary: `Claim ${claimNumber}: ${body.amountClaimed.toFixed(2)} on subscription ${subscription.id}`,
              dueAt: new Date(filedAt.getTime() + settings.claimUnassignedEscalationHours * HOUR_MS).toISOString(),
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

    route({
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
          ...claimPolicy.scope(user),
          ...(status && { status }),
          ...(assigneeId && { assigneeId }),
          ...(q && searchWhere(ctx.services.sequelize, tenantId, q, 'claimant_id')),
        };
        const result = await paginatePlain(Claim, page, where, { search: Boolean(q) });
        ctx.body = { ...result, items: result.items.map(claimView) };
      },
    }),

    route({
      method: 'get',
      path: '/claims/:id',
      summary: 'One claim with its history and payment',
      tag: 'claims',
      roles: TENANT_ROLES,
      params: idParams,
      response: { status: 200, schema: claimDetailSchema },
      handler: async (ctx) => {
        const claim = await findVisible(ctx.state.user, claimPolicy, ctx.state.input.params.id);
        const [detail, live] = await Promise.all([claimDetail(claim), liveClaimState(ctx, claim)]);
        ctx.body = { ...detail, ...live };
      },
    }),

    route({
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
          if (!assignee)
            throw unprocessable('No active user of the tenant has this id', [{ field: 'assigneeId', message: 'unknown user' }]);
          if (await claimantAmong(claim, [assigneeId]))
            throw ownClaim('The assignee is the claimant of this claim: the claimant cannot handle their own claim');
          return { actor, assigneeId, assigneeRole: assignee.role, note };
        }),
    }),

    route({
      method: 'post',
      path: '/claims/:id/transitions',
      summary:
        'Move the claim to its next stage (409 with the allowed stages if illegal or second_approver_required, 403 without authority or own_claim, 422 coverage_exceeded)',
      tag: 'claims',
      roles: HANDLER_ROLES,
      params: idParams,
      body: transitionClaimBody,
      response: { status: 200, schema: claimDetailSchema },
      handler: (ctx) => decideOnClaim(ctx, transitionClaimUpdate, async (_claim, actor) => ({ actor, ...ctx.state.input.body })),
    }),

    route({
      method: 'get',
      path: '/claims/:id/notes',
      summary: "The claim's internal notes (staff only)",
      tag: 'claims',
      roles: STAFF_ROLES,
      params: idParams,
      query: listNotesQuery,
      response: { status: 200, schema: pageSchema(noteSchema) },
      handler: async (ctx) => {
        const claim = await findVisible(ctx.state.user, claimPolicy, ctx.state.input.params.id);
        ctx.body = await paginate(ClaimNote, { ...ctx.state.input.query, ordering: 'createdAt' }, { claimId: claim.id });
      },
    }),

    route({
      method: 'post',
      path: '/claims/:id/notes',
      summary: 'Add an internal note to the claim (staff only)',
      tag: 'claims',
      roles: STAFF_ROLES,
      params: idParams,
      body: noteBody,
      response: { status: 201, schema: noteSchema },
      handler: async (ctx) => {
        const claim = await findVisible(ctx.state.user, claimPolicy, ctx.state.input.params.id);
        ctx.status = 201;
        ctx.body = await audited(
          ctx,
          (transaction) =>
            ClaimNote.create(
              { tenantId: claim.tenantId, claimId: claim.id, authorId: ctx.state.user.id, body: ctx.state.input.body.body },
              { transaction },
            ),
          (note) => ({
            tenantId: claim.tenantId,
            action: 'claim.note_add',
            entityType: 'claim',
            entityId: claim.id,
            after: { noteId: note.id, body: note.body },
          }),
        );
      },
    }),
  ];
}
