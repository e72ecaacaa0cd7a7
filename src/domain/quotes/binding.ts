/**
 * Binding a quote into a policy (docs/quotes.md, Binding): `POST /subscriptions` with a `quoteId`
 * issues the policy at the quoted premium, its sum insured the risk's. A quote is bound at most
 * once: the subscribe claims it (`bound`, `subscriptionId`) before it starts the run, in one guarded
 * statement, and gives it back when the start fails, so a retry with the same Idempotency-Key (the
 * same subscription id) binds it once. The run's own insert of the pending row claims it too, so a
 * start that reached Temporal although the API saw it fail still leaves the quote bound to it.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { BreakdownLine, Risk } from '../../contracts/quote';
import { tenantOf } from '../../access/core';
import { quoteAccess } from '../../access/quotes';
import { may } from '../../access/may';
import { type Plan, Quote, type Subscription } from '../../models';
import { ratingVersionSummaries } from './rating/versions';
import type { AuthUser } from '../../shared/caller';
import { conflict, notFound, quoteOfAnotherHolder } from '../../shared/errors';

/**
 * The quote `quoteId` names if the caller may bind it: their own, a visitor's of their tenant
 * (whoever has its id may bind it), or any of the tenant's for the staff who see every quote;
 * anything else answers 404 like a missing one. Refused with 409: referred, declined or lapsed, or
 * quoted but past its validity. Whether a bound one is bound to this request's subscription is
 * `refuseBoundElsewhere`'s to say, once the subscription's id is known.
 */
export async function bindableQuote(caller: AuthUser, quoteId: string): Promise<Quote> {
  const quote = await Quote.findOne({ where: { id: quoteId, tenantId: tenantOf(caller) } });
  // Those who see the quote (src/access/quotes.ts), and whoever has a visitor's quote's id.
  if (!quote || (quote.requestedById !== null && !quoteAccess.canSee(caller, quote))) throw notFound('Quote');
  if (quote.status !== 'quoted' && quote.status !== 'bound')
    throw conflict(`The quote is ${quote.status}; only a quoted one can be bound`, [{ field: 'quoteId', message: quote.status }]);
  if (quote.status === 'quoted' && quote.validUntil.getTime() <= Date.now())
    throw conflict(`The quote expired at ${quote.validUntil.toISOString()}; ask for a new quote`, [
      { field: 'quoteId', message: 'expired' },
    ]);
  return quote;
}

/**
 * Refuses (422) staff binding a policyholder's quote for another holder, before anything is
 * recorded (a new holder's account included): the quote is the price of the risk its holder
 * described, their building and its rating factors, not of the holder named. The holder is the one
 * the quote records (`policyholderId`: since 0117 with the quote, before it by migration 0119); a
 * quote staff asked for themselves, or a visitor's, records none and binds for the one staff name.
 * A policyholder binds only quotes they see (`bindableQuote`) and names no one else (`holderOf`).
 */
export function refuseAnotherHoldersQuote(
  caller: AuthUser,
  quote: Quote,
  named: { policyholderId?: string; newPolicyholder?: object },
): void {
  if (!may(caller, 'issuePolicyForOthers') || quote.policyholderId === null) return;
  const field = named.policyholderId ? 'policyholderId' : named.newPolicyholder ? 'newPolicyholder' : null;
  if (field !== null && named.policyholderId !== quote.policyholderId) throw quoteOfAnotherHolder(field);
}

/** Refuses (409) a quote bound to another subscription than `subscriptionId` (one bound to it is a retry of the same request). */
export function refuseBoundElsewhere(quote: Quote, subscriptionId: string): void {
  if (quote.subscriptionId !== null && quote.subscriptionId !== subscriptionId)
    throw conflict('The quote is already bound to a policy; ask for a new quote', [{ field: 'quoteId', message: 'already bound' }]);
}

/**
 * Refuses (409) a quote whose plan moved under it: in another currency, or billed or running otherwise
 * than the quote's instalments were cut by (a 12-month monthly price bound on a plan now of 120 months
 * would buy ten years of cover, and one now billed annually would bill the year at once). A policy is
 * issued at the quoted premium on the quoted terms, or not at all: its row takes its plan's terms.
 */
export function refuseMovedPlan(quote: Quote, plan: Pick<Plan, 'currency' | 'billingFrequency' | 'durationMonths'>): void {
  if (quote.currency !== plan.currency) throw conflict("The plan's currency has changed since the quote; ask for a new quote");
  const moved = [
    quote.billingFrequency !== null && quote.billingFrequency !== plan.billingFrequency
      ? `the plan is billed ${plan.billingFrequency} now, the quote ${quote.billingFrequency}`
      : null,
    quote.durationMonths !== null && quote.durationMonths !== plan.durationMonths
      ? `the plan runs ${plan.durationMonths} months now, the quote ${quote.durationMonths}`
      : null,
  ].filter((message) => message !== null);
  if (moved.length > 0)
    throw conflict(
      "The plan's terms have changed since the quote; ask for a new quote",
      moved.map((message) => ({ field: 'quoteId', message })),
    );
}

/**
 * Claims the quote for the subscription: `bound` to it, if it is still quoted and valid or already
 * bound to it. Answers whether it holds it now. `stillValid: false` is the run's claim: the API
 * checked the validity when it started the run, which the run's insert may follow much later.
 */
export async function claimQuote(
  sequelize: Sequelize,
  claim: { quoteId: string; subscriptionId: string; stillValid: boolean },
  transaction?: Transaction,
): Promise<boolean> {
  const claimed = await sequelize.query(
    `UPDATE quotes SET status = 'bound', subscription_id = :subscriptionId, updated_at = now()
      WHERE id = :quoteId
        AND (subscription_id = :subscriptionId
             OR (status = 'quoted' AND subscription_id IS NULL AND (NOT :stillValid OR valid_until > now())))
      RETURNING id`,
    { type: QueryTypes.SELECT, replacements: claim, transaction },
  );
  return claimed.length > 0;
}

/**
 * Gives the quote back after the run's start failed: quoted again, bound to nothing. Not when the
 * subscription's row exists, which only a run that did start writes (besides the API after a start).
 */
export async function releaseQuote(sequelize: Sequelize, quoteId: string, subscriptionId: string): Promise<void> {
  await sequelize.query(
    `UPDATE quotes SET status = 'quoted', subscription_id = NULL, updated_at = now()
      WHERE id = :quoteId AND subscription_id = :subscriptionId
        AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE id = :subscriptionId)`,
    { replacements: { quoteId, subscriptionId } },
  );
}

/** What a policy's answers say of the quote it was bound from. */
export interface BoundQuoteView {
  id: string;
  /** Who asked for it; null: a visitor. */
  requestedById: string | null;
  /** The policyholder it was for (docs/quotes.md, Quotes); null when it named none. */
  policyholderId: string | null;
  /** The rating version that priced it; null when the plan had no rating tables (its fixed premium). */
  ratingVersion: { id: string; number: number; effectiveFrom: string } | null;
  risk: Risk;
  breakdown: BreakdownLine[];
}

/** The quotes the subscriptions were bound from, by subscription id (absent: bound from none), in two queries whatever their number. */
export async function boundQuotesOf(subscriptions: readonly Subscription[]): Promise<Map<string, BoundQuoteView>> {
  const quoteIds = subscriptions.flatMap((subscription) => (subscription.quoteId ? [subscription.quoteId] : []));
  if (quoteIds.length === 0) return new Map();
  const quotes = await Quote.findAll({
    where: { id: quoteIds },
    attributes: ['id', 'requestedById', 'policyholderId', 'ratingVersionId', 'risk', 'breakdown'],
  });
  const versionById = await ratingVersionSummaries(quotes.map((quote) => quote.ratingVersionId));
  const quoteById = new Map(quotes.map((quote) => [quote.id, quote]));
  const views = new Map<string, BoundQuoteView>();
  for (const subscription of subscriptions) {
    const quote = subscription.quoteId ? quoteById.get(subscription.quoteId) : undefined;
    if (!quote) continue;
    views.set(subscription.id, {
      id: quote.id,
      requestedById: quote.requestedById,
      policyholderId: quote.policyholderId,
      ratingVersion: (quote.ratingVersionId && versionById.get(quote.ratingVersionId)) || null,
      risk: quote.risk,
      breakdown: quote.breakdown,
    });
  }
  return views;
}
