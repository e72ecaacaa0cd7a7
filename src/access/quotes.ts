/**
 * Who sees a quote (docs/quotes.md): the staff of viewAnyQuote see every quote of their tenant, anyone
 * else the quotes they asked for and those staff asked for them (naming them its policyholder). A visitor's quote
 * (no requester) is seen by those staff only; on the public catalog its unguessable id is the capability
 * (src/api/catalog/quote-routes.ts).
 */
import { Op } from 'sequelize';
import { Quote } from '../models';
import type { AuthUser } from '../shared/caller';
import { AccessRule, tenantOf } from './core';
import { roleMay } from './verbs';

export const quoteAccess: AccessRule<Quote> = {
  resource: 'Quote',
  model: Quote,
  scope: (caller) => ({
    tenantId: tenantOf(caller),
    ...(!roleMay(caller.role, 'viewAnyQuote') && { [Op.or]: [{ requestedById: caller.id }, { policyholderId: caller.id }] }),
  }),
  canSee: (caller, quote) =>
    quote.tenantId === caller.tenantId &&
    (roleMay(caller.role, 'viewAnyQuote') || quote.requestedById === caller.id || quote.policyholderId === caller.id),
};

/**
 * The policyholder a quote the caller asks for is for: the one staff name (`named`, checked by the command; none: staff
 * pricing a risk name its holder when binding it), or the caller themselves when they may not quote for others.
 * Recorded with the quote (docs/quotes.md, Quotes).
 */
export const quoteHolderFor = (caller: AuthUser, named: string | null = null): string | null =>
  roleMay(caller.role, 'requestQuoteForOthers') ? named : caller.id;
