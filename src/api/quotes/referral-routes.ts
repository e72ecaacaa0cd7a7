/**
 * An underwriter's decision on a referred quote (docs/quotes.md, Referral): accept, with or without
 * a loading, or decline with a note. The decision goes to the quote's run `quote-referral-<id>`,
 * whose validators refuse the quote's own requester (403) and a decision once one was taken or the
 * referral lapsed (409) before anything is recorded; the answer is the quote as decided.
 */
import type { Quote } from '../../models';
import { actionRoute } from '../http/write-route';
import { type RouteSpec, tagged } from '../http/route';
import { acceptReferralOperation, declineReferralOperation } from './referral-operations';
import { quoteSchema } from './schemas';
import { presentQuotes } from './views';

const presentDecided = async (quote: Quote) => (await presentQuotes([quote]))[0];

export function quoteReferralRoutes(): RouteSpec[] {
  return tagged('quotes', [
    actionRoute(acceptReferralOperation, {
      path: '/quotes/:id/accept',
      summary:
        'Accept a referred quote, with or without a loading: it is priced again by its own rating version with the loading, quoted for the tenant’s quoteValidityDays, and its requester is mailed. 403 for the quote’s own requester, 409 once decided or lapsed, 422 for a loading that prices above the bound',
      schema: quoteSchema,
      view: presentDecided,
    }),
    actionRoute(declineReferralOperation, {
      path: '/quotes/:id/decline',
      summary:
        'Decline a referred quote with a note its requester is mailed. 403 for the quote’s own requester, 409 once decided or lapsed',
      schema: quoteSchema,
      view: presentDecided,
    }),
  ]);
}
