/**
 * Who sees a quote (docs/quotes.md): the staff of viewAnyQuote see every quote of their tenant, anyone
 * else only the quotes they asked for. A visitor's quote (no requester) is seen by those staff
 * only; on the public catalog its unguessable id is the capability (src/api/catalog/quote-routes.ts).
 */
import { Quote } from '../models';
import { AccessRule, tenantOf } from './core';
import { roleMay } from './verbs';

export const quoteAccess: AccessRule<Quote> = {
  resource: 'Quote',
  model: Quote,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!roleMay(caller.role, 'viewAnyQuote') && { requestedById: caller.id }) }),
  canSee: (caller, quote) =>
    quote.tenantId === caller.tenantId && (roleMay(caller.role, 'viewAnyQuote') || quote.requestedById === caller.id),
};
