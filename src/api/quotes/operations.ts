/** The quote commands as the API exposes them: access verb and input once, for REST and GraphQL alike. */
import { requestCatalogQuote, requestOwnQuote } from '../../domain/quotes/request';
import { catalogParams } from '../catalog/schemas';
import { operation } from '../http/operation';
import { requestCatalogQuoteBody, requestQuoteBody } from './schemas';

/** A signed-in caller's quote on a plan of their tenant. */
export const requestQuoteOperation = operation({
  name: 'quotes.request',
  verb: 'requestQuote',
  body: requestQuoteBody,
  run: requestOwnQuote,
});

/**
 * A visitor's quote on a company's public catalog. Not replayed from an Idempotency-Key: a visitor's
 * key is counted per client address, which visitors behind one address share, and the answer's id
 * is what lets its holder read the quote again.
 */
export const requestCatalogQuoteOperation = operation({
  name: 'catalog.quotes.request',
  verb: 'public',
  params: catalogParams,
  body: requestCatalogQuoteBody,
  run: (input, deps) => requestCatalogQuote(input, deps),
});
