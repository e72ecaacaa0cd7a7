import Joi from 'joi';
import { financialsSchema } from './money/schemas';
import { CLAIM_STAGES } from '../../contracts/claim';
import { multiLineText, uuid, workflowRef, childIdParams } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { searchParam } from '../lists/search';
import { CLAIM_AMOUNT_INPUT } from '../../shared/money';
import { isoDate, moneyInput, object, oneOf, required, withDefault } from '../../shared/typed-schema';

const stage = oneOf(CLAIM_STAGES);
/**
 * An amount claimed or approved (docs/api.md, Money): more than 0, at most a dinar's three decimals, under 10^10 as
 * the claim's row keeps it; the claim's currency refuses decimals it has not (422).
 */
const claimAmount = moneyInput({ ...CLAIM_AMOUNT_INPUT, integerDigits: 10 });
const note = multiLineText(2000);

export const fileClaimBody = object({
  subscriptionId: required(uuid),
  incidentDate: required(
    isoDate().max('now').description('not in the future').messages({ 'date.max': 'incidentDate must not be in the future' }),
  ),
  amountClaimed: required(claimAmount),
  description: required(multiLineText(5000)),
}).label('FileClaim');

export const listClaimsQuery = object({
  ...pageQueryKeys,
  status: stage,
  assigneeId: uuid,
  subscriptionId: uuid.description('The claims of one policy'),
  q: searchParam.description(
    "Matches claim number, description and the policyholder's name and e-mail: partial, case- and accent-insensitive",
  ),
  ordering: orderingParam(['createdAt', 'incidentDate', 'amountClaimed', 'claimNumber'], '-createdAt'),
});

export const assignClaimBody = object({ assigneeId: required(uuid), note }).label('AssignClaim');

export const transitionClaimBody = object({
  to: required(stage),
  note,
  approvedAmount: claimAmount,
  reason: multiLineText(200),
}).label('ClaimTransition');

export const reopenClaimBody = object({
  reason: required(multiLineText(400).min(3).description('The new facts: kept in the claim’s history')),
}).label('ClaimReopen');

/** `?includeWithdrawn=true` on a claim's notes or documents: tenant admins only (403 for anyone else). */
export const listClaimItemsQuery = object({
  ...pageQueryKeys,
  includeWithdrawn: withDefault(Joi.boolean(), false).description('also list the withdrawn ones (tenant admins only)'),
});

const noteText = multiLineText(10_000);

export const noteBody = object({ body: required(noteText) }).label('NewClaimNote');

export const noteParams = childIdParams('noteId');

export const editNoteBody = object({ body: required(noteText) }).label('EditClaimNote');

/** Why a note or document is withdrawn: required, kept on its row and in the audit trail. */
export const withdrawalBody = object({ reason: required(multiLineText(500)) }).label('Withdrawal');

/** Who withdrew a note or document, when and why; all null while it is not withdrawn. */
export const withdrawalFields = {
  withdrawnAt: Joi.date().allow(null),
  withdrawnById: uuid.allow(null),
  withdrawalReason: Joi.string().allow(null),
};

const moneyString = Joi.string().description('decimal amount with the decimals of the claim’s currency: "1100.00" EUR, "12000" JPY');

export const claimSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  claimNumber: Joi.string().example('CLM-2026-000123'),
  subscriptionId: uuid,
  claimantId: uuid,
  filedById: uuid,
  incidentDate: Joi.string(),
  description: Joi.string(),
  amountClaimed: moneyString,
  amountApproved: moneyString.allow(null),
  status: stage,
  assigneeId: uuid.allow(null),
  denialReason: Joi.string().allow(null),
  subscriptionVersionId: uuid
    .allow(null)
    .description('the policy version in force on the incident date, which judged the cover; null for claims filed before versions'),
  workflow: workflowRef,
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('Claim');

export const claimHistorySchema = Joi.object({
  sequence: Joi.number().integer(),
  actorId: uuid.allow(null),
  fromStatus: stage.allow(null),
  toStatus: stage,
  note: Joi.string().allow(null),
  occurredAt: Joi.date(),
}).label('ClaimHistoryEntry');

export const paymentSchema = Joi.object({
  id: uuid,
  amount: moneyString,
  reference: Joi.string(),
  paidAt: Joi.date(),
}).label('Payment');

/** The policy version that judged the claim's cover (docs/claims.md, Cover by policy version). */
const subscriptionVersionSchema = Joi.object({
  id: uuid,
  number: Joi.number().integer().example(2),
  effectiveFrom: Joi.string().description('YYYY-MM-DD'),
  coverageAmount: moneyString,
}).label('ClaimSubscriptionVersion');

/** The open claim as its run sees it now (GET /claims/:id). */
export const liveClaimStateSchema = Joi.object({
  claimNumber: Joi.string(),
  stage,
  assigneeId: uuid.allow(null),
  amountClaimed: Joi.string().description('decimal amount in the claim’s currency'),
  amountApproved: Joi.string().allow(null).description('decimal amount in the claim’s currency'),
  denialReason: Joi.string().allow(null),
  nextDeadline: Joi.object({
    at: Joi.date(),
    atLocal: Joi.string().allow(null).description("`at` in the tenant's timeZone, ISO 8601 with its offset"),
    action: Joi.string(),
  }).allow(null),
  historyLength: Joi.number().integer().description('entries in the claim history; the entries themselves are `history`'),
}).label('LiveClaimState');

export const claimDetailSchema = claimSchema
  .keys({
    history: Joi.array().items(claimHistorySchema),
    payment: paymentSchema.allow(null),
    subscriptionVersion: subscriptionVersionSchema.allow(null),
    state: liveClaimStateSchema
      .allow(null)
      .description('GET only: null once closed, or when the run did not answer within the query deadline'),
    stale: Joi.boolean().description('GET only: true when the run did not answer within the query deadline'),
    financials: financialsSchema
      .allow(null)
      .description('GET only: what the claim has cost and will still cost (docs/claim-money.md); null for the claimant'),
  })
  .label('ClaimDetail');

export const noteSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  claimId: uuid,
  authorId: uuid,
  body: Joi.string(),
  editedAt: Joi.date().allow(null).description('when its author last corrected it; null if never'),
  ...withdrawalFields,
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('ClaimNote');
