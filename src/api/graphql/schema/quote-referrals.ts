/**
 * An underwriter's decision on a referred quote (docs/quotes.md, Referral): the commands of
 * POST /quotes/:id/accept and /decline, answered with the quote as decided.
 */
import { acceptReferralOperation, declineReferralOperation } from '../../quotes/referral-operations';
import { builder } from '../builder';
import { mutationOf, rowMutationArgs } from '../mutation';
import { Quote, reloadQuote } from './quotes';

builder.mutationFields((t) => ({
  acceptQuoteReferral: t.field({
    type: Quote,
    description:
      'Accept a referred quote, with or without a loading (a fraction "0.15", 0 to 1): priced again with it and quoted; the command of POST /quotes/:id/accept',
    args: rowMutationArgs(t.arg, { loading: t.arg.string(), note: t.arg.string() }),
    ...mutationOf(acceptReferralOperation, { reload: reloadQuote }),
  }),
  declineQuoteReferral: t.field({
    type: Quote,
    description: 'Decline a referred quote with a note its requester is told; the command of POST /quotes/:id/decline',
    args: rowMutationArgs(t.arg, { note: t.arg.string({ required: true }) }),
    ...mutationOf(declineReferralOperation, { reload: reloadQuote }),
  }),
}));
