import type { WhereOptions } from 'sequelize';
import { keptClaimCount } from '../../domain/claims/kept-count';
import { claimCurrencySql, financialsOf } from '../../domain/claims/money';
import { editClaimNote, NOTE_EDIT_WINDOW_MS, withdrawClaimNote } from '../../domain/claims/notes';
import { Claim, ClaimNote } from '../../models';
import { claimAccess } from '../../access/claims';
import { narrowed, tenantOf } from '../../access/core';
import { may } from '../../access/may';
import { subscriptionAccess } from '../../access/subscriptions';
import type { Output } from '../../shared/typed-schema';
import { actionRoute, createRoute, updateRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { RouteContext, RouteSpec, tagged } from '../http/route';
import { childListRoute, findRoute, readRoute } from '../http/row-route';
import { pageSchema, paginatePlain } from '../lists/pagination';
import { textSearch } from '../lists/search';
import { claimItemListRoute } from './item-list';
import { liveClaimState } from './live-state';
import { claimDetail, claimViews } from './views';
import {
  addClaimNoteOperation,
  assignClaimOperation,
  fileClaimOperation,
  reopenClaimOperation,
  transitionClaimOperation,
} from './operations';
import { claimDetailSchema, claimSchema, editNoteBody, listClaimsQuery, noteParams, noteSchema, withdrawalBody } from './schemas';

/** Each listed claim's currency, read in its page's statement. */
const CLAIM_EXTRAS = { currency: claimCurrencySql('page."subscriptionId"') };

/** One page of the claims the caller may see, filtered; `subscriptionId` narrows it to one policy. */
async function listClaims(ctx: RouteContext, query: Output<typeof listClaimsQuery>) {
  const { user } = ctx.state;
  const { status, assigneeId, subscriptionId, q, ...page } = query;
  const where: WhereOptions<Claim> = narrowed(claimAccess.scope(user), {
    ...(status && { status }),
    ...(assigneeId && { assigneeId }),
    ...(subscriptionId && { subscriptionId }),
  });
  const search = q ? textSearch(ctx.services.sequelize, tenantOf(user), q, 'claimant_id') : undefined;
  return paginatePlain<Claim, { currency: string }, object>(Claim, page, where, {
    search,
    extras: CLAIM_EXTRAS,
    keptCount: keptClaimCount,
    rowsAs: claimViews,
  });
}

export function claimRoutes(): RouteSpec[] {
  return tagged('claims', [
    createRoute(fileClaimOperation, {
      path: '/claims',
      summary:
        'File a claim against a policy for an incident during its cover, ended or not (policyholder, or a claims agent on their behalf)',
      schema: claimDetailSchema,
      view: claimDetail,
    }),

    readRoute({
      path: '/claims',
      summary: "List claims: the tenant's for staff (filter by status and assignee), their own for a policyholder",
      verb: 'listClaims',
      query: listClaimsQuery,
      schema: pageSchema(claimSchema),
      read: (ctx) => listClaims(ctx, ctx.state.input.query),
    }),

    childListRoute({
      path: '/subscriptions/:id/claims',
      summary: 'List the claims of one policy (a policyholder their own policy only), with the filters of GET /claims',
      verb: 'listClaims',
      access: subscriptionAccess,
      query: listClaimsQuery,
      schema: claimSchema,
      list: (subscription, query, ctx) => listClaims(ctx, { ...query, subscriptionId: subscription.id }),
    }),

    findRoute({
      path: '/claims/:id',
      summary: 'One claim with its history, payment and (staff) its financial figures',
      verb: 'viewClaim',
      access: claimAccess,
      schema: claimDetailSchema,
      view: async (claim, ctx) => {
        const [detail, live, financials] = await Promise.all([
          claimDetail(claim),
          liveClaimState(ctx.services, claim),
          may(ctx.state.user, 'viewClaimFinancials') ? financialsOf([claim.id]) : null,
        ]);
        return { ...detail, ...live, financials: financials?.get(claim.id) ?? null };
      },
    }),

    actionRoute(assignClaimOperation, {
      path: '/claims/:id/assign',
      summary: 'Assign or reassign the claim to an adjuster, senior adjuster or claims manager',
      schema: claimDetailSchema,
      view: claimDetail,
    }),

    actionRoute(reopenClaimOperation, {
      path: '/claims/:id/reopen',
      summary:
        'Reopen a closed claim (senior adjusters, claims managers): a new run starts it under review with its last handler and restores the reserves it closed with; 409 unless closed',
      schema: claimDetailSchema,
      view: claimDetail,
    }),

    actionRoute(transitionClaimOperation, {
      path: '/claims/:id/transitions',
      summary:
        'Move the claim to its next stage (409 with the allowed stages if illegal or second_approver_required, 403 without authority or own_claim, 422 coverage_exceeded)',
      schema: claimDetailSchema,
      view: claimDetail,
    }),

    claimItemListRoute({
      path: '/claims/:id/notes',
      summary: "The claim's internal notes (staff only); withdrawn ones too with includeWithdrawn=true (tenant admins only)",
      verb: 'listClaimNotes',
      model: ClaimNote,
      schema: noteSchema,
    }),

    createRoute(addClaimNoteOperation, {
      path: '/claims/:id/notes',
      summary: 'Add an internal note to the claim (staff only)',
      schema: noteSchema,
    }),

    updateRoute(operation({ name: 'claims.editNote', verb: 'editClaimNote', params: noteParams, body: editNoteBody, run: editClaimNote }), {
      method: 'patch',
      path: '/claims/:id/notes/:noteId',
      summary: `Correct a note's text (its author only, within ${NOTE_EDIT_WINDOW_MS / 60_000} minutes of writing it; 409 after that or once withdrawn); the replaced text is kept as a revision`,
      schema: noteSchema,
    }),

    actionRoute(
      operation({
        name: 'claims.withdrawNote',
        verb: 'withdrawClaimNote',
        params: noteParams,
        body: withdrawalBody,
        run: withdrawClaimNote,
      }),
      {
        path: '/claims/:id/notes/:noteId/withdraw',
        summary:
          'Withdraw a note (its author or a claims manager; reason required): hidden from the list, kept for the record and the tenant admins',
        schema: noteSchema,
      },
    ),
  ]);
}
