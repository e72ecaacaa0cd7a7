/**
 * Quotes (docs/quotes.md, Quotes): a signed-in caller asks for one and reads theirs; the staff of
 * viewAnyQuote read every quote of their tenant (src/access/quotes.ts). A visitor's quotes are on the
 * public catalog (src/api/catalog/quote-routes.ts).
 */
import { narrowed } from '../../access/core';
import { quoteAccess } from '../../access/quotes';
import { Quote, RatingVersion } from '../../models';
import { createRoute } from '../http/write-route';
import { type RouteSpec, tagged } from '../http/route';
import { findRoute, readRoute } from '../http/row-route';
import { pageSchema, paginate } from '../lists/pagination';
import { requestQuoteOperation } from './operations';
import { listQuotesQuery, quoteSchema } from './schemas';
import { presentQuote, presentQuotes, presentRequested, statusFilter } from './views';

export function quoteRoutes(): RouteSpec[] {
  return tagged('quotes', [
    createRoute(requestQuoteOperation, {
      path: '/quotes',
      summary:
        'Price a risk on an active plan of your tenant: 201 with the premium, its breakdown (the amounts add up to the premium), instalments and validity; referred to an underwriter when the plan’s rules say so. 422 names a value the plan’s rating tables refuse',
      schema: quoteSchema,
      view: presentRequested,
    }),
    readRoute({
      path: '/quotes',
      summary: "List quotes: the caller's own, or every quote of the tenant for underwriters, claims agents and tenant admins",
      query: listQuotesQuery,
      schema: pageSchema(quoteSchema),
      read: async (ctx) => {
        const { status, ...page } = ctx.state.input.query;
        const where = narrowed(quoteAccess.scope(ctx.state.user), status ? statusFilter(status) : {});
        const result = await paginate(Quote, page, where);
        return { ...result, items: await presentQuotes(result.items) };
      },
    }),
    findRoute({
      path: '/quotes/:id',
      summary:
        'One quote: yours, or any of the tenant’s for underwriters, claims agents and tenant admins; a quoted one past its validity is answered expired',
      access: quoteAccess,
      schema: quoteSchema,
      view: async (quote) => presentQuote(quote, quote.ratingVersionId ? await RatingVersion.findByPk(quote.ratingVersionId) : null),
    }),
  ]);
}
