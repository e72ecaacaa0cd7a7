/** A claim's money (docs/claim-money.md): its reserves and their changes, and its recoveries. */
import { HANDLER_ROLES } from '../../../contracts/claim';
import { changeReserve, decideReserveChange, recordRecovery, reservesOf } from '../../../domain/claims/money';
import { ClaimRecovery } from '../../../models';
import { claimAccess } from '../../../access/claims';
import { findVisible } from '../../../access/core';
import { STAFF_ROLES } from '../../../shared/roles';
import { commandDeps } from '../../http/command-deps';
import { idParams } from '../../http/common-schemas';
import { route, RouteSpec } from '../../http/route';
import {
  changeParams,
  recoveriesSchema,
  recoveryBody,
  recoverySchema,
  reserveChangeBody,
  reservesAnswerSchema,
  reservesSchema,
} from './schemas';

export function claimMoneyRoutes(): RouteSpec[] {
  const tag = 'claims';
  const decision = (approve: boolean) =>
    route({
      method: 'post',
      path: `/claims/:id/reserves/changes/:changeId/${approve ? 'approve' : 'reject'}`,
      summary: approve
        ? 'Approve a reserve change that waits: someone other than who asked, with reserve authority for its amount'
        : 'Reject a reserve change that waits (someone with authority for its amount), or withdraw your own',
      tag,
      roles: HANDLER_ROLES,
      params: changeParams,
      response: { status: 200, schema: reservesAnswerSchema },
      handler: async (ctx) => {
        const { id, changeId } = ctx.state.input.params;
        ctx.body = await decideReserveChange(ctx.state.user, { id, changeId, approve }, commandDeps(ctx));
      },
    });
  return [
    route({
      method: 'get',
      path: '/claims/:id/reserves',
      summary: "The claim's reserve lines and every change of them, with who asked, why and who decided (staff)",
      tag,
      roles: STAFF_ROLES,
      params: idParams,
      response: { status: 200, schema: reservesSchema },
      handler: async (ctx) => {
        ctx.body = await reservesOf(await findVisible(ctx.state.user, claimAccess, ctx.state.input.params.id));
      },
    }),
    route({
      method: 'post',
      path: '/claims/:id/reserves',
      summary:
        'Set a reserve line (cost type and category) of the claim: within your reserve authority it applies at once (200); above it, it waits for someone with enough authority, never you (202)',
      tag,
      roles: HANDLER_ROLES,
      params: idParams,
      body: reserveChangeBody,
      response: {
        status: 200,
        schema: reservesAnswerSchema,
        description: 'Applied',
        also: { status: 202, description: 'Recorded; it waits for someone with enough reserve authority to approve it' },
      },
      handler: async (ctx) => {
        const answer = await changeReserve(ctx.state.user, { id: ctx.state.input.params.id, ...ctx.state.input.body }, commandDeps(ctx));
        ctx.status = answer.change.status === 'pending' ? 202 : 200;
        ctx.body = answer;
      },
    }),
    decision(true),
    decision(false),
    route({
      method: 'get',
      path: '/claims/:id/recoveries',
      summary: 'Money recovered on the claim (subrogation, salvage, deductible), oldest first (staff)',
      tag,
      roles: STAFF_ROLES,
      params: idParams,
      response: { status: 200, schema: recoveriesSchema },
      handler: async (ctx) => {
        const claim = await findVisible(ctx.state.user, claimAccess, ctx.state.input.params.id);
        ctx.body = {
          items: await ClaimRecovery.findAll({
            where: { claimId: claim.id },
            order: [
              ['receivedOn', 'ASC'],
              ['createdAt', 'ASC'],
            ],
          }),
        };
      },
    }),
    route({
      method: 'post',
      path: '/claims/:id/recoveries',
      summary:
        'Record money recovered on the claim; it lowers what the claim has incurred. A repeat with the same Idempotency-Key records it once',
      tag,
      roles: HANDLER_ROLES,
      params: idParams,
      body: recoveryBody,
      response: { status: 201, schema: recoverySchema },
      handler: async (ctx) => {
        ctx.status = 201;
        ctx.body = await recordRecovery(ctx.state.user, { id: ctx.state.input.params.id, ...ctx.state.input.body }, commandDeps(ctx));
      },
    }),
  ];
}
