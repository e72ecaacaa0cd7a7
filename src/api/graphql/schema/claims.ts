/**
 * Claims with their policy, policyholder, assignee, history, notes and documents' metadata, every
 * relation through the request's loaders; file, assign, move and annotate through the REST routes'
 * operations, with their access verbs.
 */
import type { WhereOptions } from 'sequelize';
import type { ClaimFinancials as ClaimFinancialsValue } from '../../../domain/claims/money';
import { CLAIM_STAGES } from '../../../contracts/claim';
import { Claim as ClaimModel, ClaimDocument, ClaimHistory, ClaimNote, type SubscriptionVersion } from '../../../models';
import { claimNoteAccess, claimAccess, withdrawnFilter } from '../../../access/claims';
import { narrowed } from '../../../access/core';
import { may } from '../../../access/may';
import { NotPermitted } from '../../../access/refusals';
import { formatClaimAmount } from '../../../shared/money';
import { type LiveClaimDeadline, liveClaimState, type LiveClaimState } from '../../claims/live-state';
import {
  addClaimNoteOperation,
  assignClaimOperation,
  fileClaimOperation,
  reopenClaimOperation,
  transitionClaimOperation,
} from '../../claims/operations';
import { idParams } from '../../http/common-schemas';
import type { LiveState } from '../../temporal/live-state';
import { costOf, LIVE_STATE_COST } from '../bounds';
import { builder } from '../builder';
import { callerOf } from '../context';
import { byIdQuery } from '../by-id';
import { listQuery } from '../connection';
import { validInput } from '../input';
import { amountField, relationField, versionFields } from '../fields';
import { mutationArgs, mutationOf, reloadThrough, reloadVisible, rowMutationArgs } from '../mutation';
import { Person } from './people';
import { Subscription } from './subscriptions';

export const ClaimStageEnum = builder.enumType('ClaimStage', { values: CLAIM_STAGES });

/** The longest history a claim's `history(last:)` returns. */
const MAX_HISTORY = 50;

const HistoryEntry = builder.objectRef<ClaimHistory>('ClaimHistoryEntry').implement({
  fields: (t) => ({
    sequence: t.exposeInt('sequence'),
    fromStatus: t.expose('fromStatus', { type: ClaimStageEnum, nullable: true }),
    toStatus: t.expose('toStatus', { type: ClaimStageEnum }),
    note: t.exposeString('note', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    actor: relationField(t, Person, 'person', (row) => row.actorId),
  }),
});

const Note = builder.objectRef<ClaimNote>('ClaimNote').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    body: t.exposeString('body'),
    editedAt: t.expose('editedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    author: relationField(t, Person, 'person', (row) => row.authorId),
    withdrawn: t.boolean({ description: 'Withdrawn by its author or a claims manager', resolve: (row) => row.withdrawnAt !== null }),
    withdrawnAt: t.expose('withdrawnAt', { type: 'DateTime', nullable: true }),
    withdrawalReason: t.exposeString('withdrawalReason', { nullable: true }),
    withdrawnBy: relationField(t, Person, 'person', (row) => row.withdrawnById),
  }),
});

const Document = builder.objectRef<ClaimDocument>('ClaimDocument').implement({
  description: "A document's metadata; its bytes are served by GET /api/v1/documents/:id/content",
  fields: (t) => ({
    id: t.exposeID('id'),
    fileName: t.exposeString('fileName'),
    contentType: t.exposeString('contentType'),
    sizeBytes: t.exposeInt('sizeBytes'),
    sha256: t.exposeString('sha256'),
    kind: t.exposeString('kind'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const Deadline = builder.objectRef<LiveClaimDeadline>('ClaimDeadline').implement({
  fields: (t) => ({
    at: t.exposeString('at'),
    atLocal: t.exposeString('atLocal', { nullable: true, description: "`at` in the tenant's timeZone, ISO 8601 with its offset" }),
    action: t.exposeString('action'),
  }),
});

const LiveStateOfClaim = builder.objectRef<LiveClaimState>('LiveClaimState').implement({
  description: 'The open claim as its run sees it now',
  fields: (t) => ({
    stage: t.expose('stage', { type: ClaimStageEnum }),
    assigneeId: t.exposeID('assigneeId', { nullable: true }),
    amountClaimed: t.exposeString('amountClaimed', { description: 'A decimal amount in the claim’s currency, as REST writes it' }),
    amountApproved: t.exposeString('amountApproved', { nullable: true }),
    denialReason: t.exposeString('denialReason', { nullable: true }),
    nextDeadline: t.expose('nextDeadline', { type: Deadline, nullable: true }),
  }),
});

const ClaimLiveState = builder.objectRef<LiveState<LiveClaimState>>('ClaimLiveState').implement({
  fields: (t) => ({
    state: t.expose('state', {
      type: LiveStateOfClaim,
      nullable: true,
      description: 'Null once closed, or when the run did not answer within the query deadline',
    }),
    stale: t.exposeBoolean('stale', { description: 'The run did not answer within the query deadline: read the claim as last recorded' }),
  }),
});

const ClaimFinancials = builder.objectRef<ClaimFinancialsValue>('ClaimFinancials').implement({
  description:
    'What the claim has cost and will still cost, in its policy’s currency (docs/claim-money.md); decimal amounts as REST writes them',
  fields: (t) => ({
    currency: t.exposeString('currency'),
    outstanding: t.exposeString('outstanding', { description: 'The reserve still held on its lines' }),
    paid: t.exposeString('paid'),
    recovered: t.exposeString('recovered'),
    incurred: t.exposeString('incurred', { description: 'paid + outstanding − recovered' }),
    recoveredBeyondPaid: t.exposeString('recoveredBeyondPaid', {
      description: 'What the recoveries exceed paid by, after a payment the bank returned (the claim is flagged for review); else 0',
    }),
  }),
});

const ClaimSubscriptionVersion = builder.objectRef<SubscriptionVersion>('ClaimSubscriptionVersion').implement({
  description: 'The policy version in force on the incident date, which judged the claim’s cover (docs/claims.md, Cover by policy version)',
  fields: (t) => ({
    ...versionFields(t),
    coverageAmount: amountField(t, (version) => version.coverageAmount, 'A decimal amount in the version’s currency, as REST writes it'),
  }),
});

export const Claim = builder.objectRef<ClaimModel>('Claim').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    claimNumber: t.exposeString('claimNumber'),
    status: t.expose('status', { type: ClaimStageEnum }),
    incidentDate: t.exposeString('incidentDate'),
    description: t.exposeString('description'),
    amountClaimed: t.string({
      description: 'A decimal amount in the claim’s currency, as REST writes it',
      resolve: async (claim, _args, { loaders }) => formatClaimAmount(claim.amountClaimed, await loaders.currency.load(claim.id)),
    }),
    amountApproved: t.string({
      nullable: true,
      resolve: async ({ id, amountApproved }, _args, { loaders }) =>
        amountApproved === null ? null : formatClaimAmount(amountApproved, await loaders.currency.load(id)),
    }),
    denialReason: t.exposeString('denialReason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    policy: relationField(t, Subscription, 'subscription', (claim) => claim.subscriptionId, 'The subscription the claim is filed against'),
    subscriptionVersion: relationField(
      t,
      ClaimSubscriptionVersion,
      'claimSubscriptionVersion',
      (claim) => claim.subscriptionVersionId,
      'Null for claims filed before policy versions',
    ),
    policyholder: relationField(t, Person, 'person', (claim) => claim.claimantId),
    assignee: relationField(t, Person, 'person', (claim) => claim.assigneeId),
    history: t.field({
      type: [HistoryEntry],
      description: `The last \`last\` entries (at most ${MAX_HISTORY}), oldest first as in GET /claims/:id`,
      args: { last: t.arg.int({ defaultValue: MAX_HISTORY }) },
      extensions: costOf({ page: { argument: 'last', default: MAX_HISTORY, max: MAX_HISTORY } }),
      resolve: (claim, { last }, { loaders }) =>
        loaders.lastHistory(Math.max(1, Math.min(last ?? MAX_HISTORY, MAX_HISTORY))).load(claim.id),
    }),
    documents: t.field({ type: [Document], resolve: (claim, _args, { loaders }) => loaders.documents.load(claim.id) }),
    documentCount: t.int({ resolve: (claim, _args, { loaders }) => loaders.documentCount.load(claim.id) }),
    liveState: t.field({
      type: ClaimLiveState,
      description: `Asks the claim's run (as GET /claims/:id does), only when selected; costs ${LIVE_STATE_COST} in the cost limit`,
      extensions: costOf({ own: LIVE_STATE_COST }),
      resolve: (claim, _args, { services }) => liveClaimState(services, claim),
    }),
    financials: t.field({
      type: ClaimFinancials,
      nullable: true,
      description: 'The staff only (FORBIDDEN for a policyholder: reserves are the insurer’s estimate), as on GET /claims/:id',
      resolve: (claim, _args, context) => {
        if (!may(callerOf(context), 'viewClaimFinancials', claim)) throw new NotPermitted('The financial figures are for the staff');
        return context.loaders.financials.load(claim.id);
      },
    }),
    notes: t.field({
      type: [Note],
      nullable: true,
      description:
        'Internal notes, oldest first: the staff only (FORBIDDEN for a policyholder, as on REST). Withdrawn ones only with `includeWithdrawn` (tenant admins; FORBIDDEN for anyone else, as GET /claims/:id/notes)',
      args: { includeWithdrawn: t.arg.boolean({ defaultValue: false }) },
      resolve: (claim, { includeWithdrawn }, context) => {
        const caller = callerOf(context);
        if (!may(caller, 'listClaimNotes', claim)) throw new NotPermitted('Notes are for the staff');
        const asked = includeWithdrawn ?? false;
        withdrawnFilter(caller, asked); // refused here, before any statement; the loader applies the filter
        return context.loaders.notes(asked).load(claim.id);
      },
    }),
  }),
});

listQuery('claims', Claim, ClaimModel, {
  description: "The tenant's claims for staff, their own for a policyholder; newest first",
  args: (t) => ({ status: t.arg({ type: ClaimStageEnum }), assigneeId: t.arg.id() }),
  rows: (caller, { status, assigneeId }) => {
    const assignee = assigneeId ? validInput(idParams, { id: assigneeId }).id : undefined;
    const where: WhereOptions<ClaimModel> = narrowed(claimAccess.scope(caller), {
      ...(status && { status }),
      ...(assignee && { assigneeId: assignee }),
    });
    return { where };
  },
});

byIdQuery('claim', Claim, {
  description: 'One claim; null when it does not exist or is not yours to see',
  loader: (loaders) => loaders.claim,
});

const reloadClaim = reloadThrough('claim');

const FileClaimInput = builder.inputType('FileClaimInput', {
  fields: (t) => ({
    subscriptionId: t.id({ required: true }),
    incidentDate: t.string({ required: true, description: 'YYYY-MM-DD, not in the future' }),
    amountClaimed: t.field({ type: 'Money', required: true }),
    description: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  fileClaim: t.field({
    type: Claim,
    description: 'File a claim (policyholder, or a claims agent on their behalf); the command of POST /claims',
    args: mutationArgs(t.arg, { input: t.arg({ type: FileClaimInput, required: true }) }),
    ...mutationOf(fileClaimOperation, { reload: reloadClaim }),
  }),
  assignClaim: t.field({
    type: Claim,
    description: 'Assign the claim to a handler; the command of POST /claims/:id/assign',
    args: rowMutationArgs(t.arg, {
      assigneeId: t.arg.id({ required: true }),
      note: t.arg.string(),
    }),
    ...mutationOf(assignClaimOperation, { reload: reloadClaim }),
  }),
  transitionClaim: t.field({
    type: Claim,
    description: 'Move the claim to its next stage; the command of POST /claims/:id/transitions',
    args: rowMutationArgs(t.arg, {
      to: t.arg({ type: ClaimStageEnum, required: true }),
      note: t.arg.string(),
      approvedAmount: t.arg({ type: 'Money' }),
      reason: t.arg.string(),
    }),
    ...mutationOf(transitionClaimOperation, { reload: reloadClaim }),
  }),
  reopenClaim: t.field({
    type: Claim,
    description: 'Reopen a closed claim (senior adjusters, claims managers); the command of POST /claims/:id/reopen',
    args: rowMutationArgs(t.arg, { reason: t.arg.string({ required: true }) }),
    ...mutationOf(reopenClaimOperation, { reload: reloadClaim }),
  }),
  addClaimNote: t.field({
    type: Note,
    description: 'Add an internal note (staff); the command of POST /claims/:id/notes',
    args: rowMutationArgs(t.arg, { body: t.arg.string({ required: true }) }),
    ...mutationOf(addClaimNoteOperation, { reload: reloadVisible(claimNoteAccess) }),
  }),
}));
