/**
 * Who sees a quote (docs/quotes.md): the staff of viewAnyQuote see every quote of their tenant, anyone
 * else only the quotes they asked for. A visitor's quote (no requester) is seen by those staff
 * only; on the public catalog its unguessable id is the capability (src/api/catalog/quote-routes.ts).
 */
import { Quote } from '../models';
import type { AuthUser } from '../shared/caller';
import { AccessRule, tenantOf } from './core';
import { roleMay } from './verbs';

export const quoteAccess: AccessRule<Quote> = {
  resource: 'Quote',
  model: Quote,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!roleMay(caller.role, 'viewAnyQuote') && { requestedById: caller.id }) }),
  canSee: (caller, quote) =>
    quote.tenantId === caller.tenantId && (roleMay(caller.role, 'viewAnyQuote') || quote.requestedById === caller.id),
};

/**
 * The policyholder a quote the caller asks for is for: the caller, unless they may issue policies for others (staff
 * pricing a risk name its holder only when binding it). Recorded with the quote (docs/quotes.md, Quotes).
 */
export const quoteHolderFor = (caller: AuthUser): string | null => (roleMay(caller.role, 'issuePolicyForOthers') ? null : caller.id);
