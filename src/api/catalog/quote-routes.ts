/**
 * Quotes on the public catalog (docs/quotes.md, Quotes): a visitor prices a risk on a company's
 * active plan without an account, counted per client (RATE_LIMIT_QUOTES_PER_MINUTE, 429 with
 * Retry-After past it), and reads the quote again by its id. The id, random and unguessable, is the
 * capability: only a visitor's quote (no requester) is answered here, a signed-in person's is 404.
 */
import type { Config } from '../../config';
import { catalogTenant } from '../../domain/catalog/public-catalog';
import { Quote, RatingVersion } from '../../models';
import { notFound } from '../../shared/errors';
import { uuid } from '../http/common-schemas';
import { rateLimit } from '../http/middleware/rate-limit';
import { createRoute } from '../http/write-route';
import { type RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { requestCatalogQuoteOperation } from '../quotes/operations';
import { quoteSchema } from '../quotes/schemas';
import { presentQuote, presentRequested } from '../quotes/views';
import { object, required } from '../../shared/typed-schema';
import { slug } from '../onboarding/registrations/schemas';

const catalogQuoteParams = object({ tenantSlug: required(slug), id: required(uuid) });

export function catalogQuoteRoutes(config: Config): RouteSpec[] {
  const quoteLimit = rateLimit({ name: 'catalog-quotes', points: config.rateLimit.quotesPerMinute, durationSeconds: 60 });
  // Reading a quote again counts with the catalog's other reads.
  const readLimit = rateLimit({ name: 'catalog', points: config.rateLimit.catalogPerMinute, durationSeconds: 60 });
  return tagged('public catalog', [
    createRoute(requestCatalogQuoteOperation, {
      path: '/catalog/:tenantSlug/quotes',
      summary: `Public: price a risk on a company's active plan without an account (no token; at most RATE_LIMIT_QUOTES_PER_MINUTE, default 30, per client address: 429 with Retry-After). 201 with the quote as POST /quotes answers it; its id reads it again`,
      before: [quoteLimit],
      schema: quoteSchema,
      view: presentRequested,
    }),
    readRoute({
      path: '/catalog/:tenantSlug/quotes/:id',
      summary: "Public: a visitor's quote by its id (no token); a signed-in person's quote, or another company's, is 404",
      auth: 'public',
      before: [readLimit],
      params: catalogQuoteParams,
      schema: quoteSchema,
      read: async (ctx) => {
        const { tenantSlug, id } = ctx.state.input.params;
        const tenant = await catalogTenant(tenantSlug);
        const quote = await Quote.findOne({ where: { id, tenantId: tenant.id, requestedById: null } });
        if (!quote) throw notFound('Quote');
        return presentQuote(quote, quote.ratingVersionId ? await RatingVersion.findByPk(quote.ratingVersionId) : null);
      },
    }),
  ]);
}
