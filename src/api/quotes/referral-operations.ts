/**
 * An underwriter's decision on a referred quote (docs/quotes.md, Referral), as REST and GraphQL
 * expose it: access verb and input once. The run's validators decide who may decide and when.
 */
import Joi from 'joi';
import { DECISION_NOTE_MAX_LENGTH, LOADING_PATTERN } from '../../contracts/quote-referral';
import { acceptReferral, declineReferral } from '../../domain/quotes/referral';
import { object, required } from '../../shared/typed-schema';
import { idParams, multiLineText } from '../http/common-schemas';
import { operation } from '../http/operation';

const note = multiLineText(DECISION_NOTE_MAX_LENGTH);

export const acceptReferralBody = object({
  loading: Joi.string()
    .max(6)
    .pattern(LOADING_PATTERN)
    .description(
      'A fraction added to the premium before tax and fees, 0 to 1 with up to 4 decimals ("0.15" is 15 %); none: the price stands',
    ),
  note: note.description('Kept on the quote'),
}).label('AcceptQuoteReferral');

export const declineReferralBody = object({
  note: required(note.description('Why the risk is declined: kept on the quote and told to the requester')),
}).label('DeclineQuoteReferral');

export const acceptReferralOperation = operation({
  name: 'quotes.acceptReferral',
  verb: 'decideQuoteReferral',
  params: idParams,
  body: acceptReferralBody,
  run: acceptReferral,
});

export const declineReferralOperation = operation({
  name: 'quotes.declineReferral',
  verb: 'decideQuoteReferral',
  params: idParams,
  body: declineReferralBody,
  run: declineReferral,
});
