/**
 * Pricing a bound policy again (docs/quotes.md, Binding): a policy bound from a quote is rated,
 * and keeps its risk (a changed risk needs a new quote). Its renewal is priced with the plan's
 * rating version in force on the renewal's first day; a change of plan during a term with the new
 * plan's version in force on the day that term was priced (the day the policy was bound for its
 * first term, the term's first day after a renewal), so a newer version never reaches into a term
 * already priced, and refused when that version refers the risk to an underwriter (who decides
 * quotes, not changes). A policy bound from no quote keeps the plan's fixed terms, as before quotes.
 */
import type { Transaction } from 'sequelize';
import { Quote, type Plan, type Subscription } from '../../models';
import { termStartOf, type TermOfRow } from '../../models/invoice';
import { ApiError, unprocessable } from '../../shared/errors';
import { formatMinorUnits, toMinorUnits } from '../../shared/money';
import { beyondFixedCover, priceRisk } from './rating/price';
import { ratingVersionInForce } from './rating/versions';
import { utcDay } from '../../shared/time';

/**
 * Whether two premiums of `currency` are one amount, however written: a price is written with the
 * currency's decimals ("475" yen), a row's premium with two in any ("475.00").
 */
export const samePremium = (a: string, b: string, currency: string): boolean => toMinorUnits(a, currency) === toMinorUnits(b, currency);

/** The quote a policy was bound from, with the loading an underwriter set on it; null for a policy of fixed terms. */
async function boundQuote(subscription: Pick<Subscription, 'quoteId'>, transaction?: Transaction): Promise<Quote | null> {
  if (!subscription.quoteId) return null;
  return Quote.findByPk(subscription.quoteId, { attributes: ['id', 'risk', 'loading'], transaction });
}

/**
 * The premium of plan `planId` for the quote's risk with the version in force on `onDate`, the
 * quote's loading kept (an underwriter accepted the risk at that price), and the referral rules of
 * that version the risk meets (the quote's own rule, priceRisk); null when the plan has no rating
 * tables in force then.
 */
async function ratedPrice(
  quote: Quote,
  planId: string,
  currency: string,
  onDate: string,
  transaction?: Transaction,
): Promise<{ premium: string; referralReasons: string[] } | null> {
  const version = await ratingVersionInForce(planId, onDate, transaction);
  if (!version) return null;
  const price = priceRisk(version.tables, quote.risk, { currency, onDate, ...(quote.loading && { loading: quote.loading }) });
  return { premium: formatMinorUnits(price.premiumMinor, currency), referralReasons: price.referralReasons };
}

/**
 * The premium of the term a rated policy is renewed into, whose first day is `firstDay`
 * ('YYYY-MM-DD': the end date of the term it follows); null when the premium stays as it is: the
 * policy is not rated, its plan has no tables in force that day, the tables refuse its risk, or
 * they price it at the premium it has. The tables' referral rules are not asked: the run's renewal
 * cannot wait for an underwriter.
 */
export async function renewalPremium(
  subscription: Pick<Subscription, 'quoteId' | 'planId' | 'currency' | 'premium'>,
  firstDay: string,
  transaction?: Transaction,
): Promise<string | null> {
  const quote = await boundQuote(subscription, transaction);
  if (!quote) return null;
  const currency = subscription.currency!;
  try {
    const rated = await ratedPrice(quote, subscription.planId, currency, firstDay, transaction);
    return rated !== null && !samePremium(rated.premium, subscription.premium, currency) ? rated.premium : null;
  } catch (err) {
    // Tables that no longer accept the risk (a zone or category dropped, an erased holder's postcode):
    // the run's renewal cannot be refused here, so the term keeps its premium (docs/quotes.md, Binding).
    if (err instanceof ApiError && err.status === 422) return null;
    throw err;
  }
}

/**
 * The premium of the current term were the policy on `plan`: for a rated policy its risk priced
 * with `plan`'s version in force on the day the term was priced (422 naming the field when that
 * plan's tables do not accept the risk; 422 on `planId` naming each reason when they refer it to an
 * underwriter, as a quote of the risk on that plan is referred: no underwriter saw it on that plan,
 * and a holder would otherwise get round underwriting by binding a lenient plan and changing), or
 * `plan`'s fixed premium when it has none and its cover holds the risk's sum insured, which the
 * policy keeps (else 422 on `planId`, as a quote of the risk on that plan is refused: 300,000 of
 * cover was kept for a plan's 50.00 that buys 50,000); for a policy of fixed terms, `plan`'s premium.
 */
export async function premiumOnPlan(
  subscription: Subscription,
  plan: Pick<Plan, 'id' | 'name' | 'premium' | 'currency' | 'coverageAmount'>,
): Promise<string> {
  const quote = await boundQuote(subscription);
  if (!quote) return plan.premium;
  const pricedOn = subscription.renewalCount === 0 ? utcDay(subscription.createdAt) : termStartOf(subscription as TermOfRow)!;
  const rated = await ratedPrice(quote, plan.id, plan.currency, pricedOn);
  if (rated !== null) {
    const reasons = rated.referralReasons;
    if (reasons.length > 0)
      throw unprocessable(
        `${plan.name} refers this policy's risk to an underwriter: ${reasons.join('; ')}. Ask for a quote on that plan; an underwriter decides it`,
        reasons.map((message) => ({ field: 'planId', message })),
      );
    return rated.premium;
  }
  const beyond = beyondFixedCover(quote.risk.sumInsured, plan, 'planId');
  if (beyond)
    throw unprocessable(`The plan's fixed premium does not cover this policy's risk: ${beyond}`, [{ field: 'planId', message: beyond }]);
  return plan.premium;
}

/** The sum insured of the policy were it on `plan`: a rated policy keeps its risk's, a policy of fixed terms takes the plan's. */
export const coverageOnPlan = (
  subscription: Pick<Subscription, 'quoteId' | 'coverageAmount'>,
  plan: Pick<Plan, 'coverageAmount'>,
): string => (subscription.quoteId ? subscription.coverageAmount : plan.coverageAmount);
