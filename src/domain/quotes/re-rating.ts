/**
 * Pricing a bound policy again (docs/quotes.md, Binding): a policy bound from a quote is rated for
 * the risk of the quote it is priced from. Its renewal is priced with the plan's rating version in
 * force on the renewal's first day; a change during a term (another plan, the insured property at
 * another postcode) with the version in force on the day that term was priced (the day the policy was
 * bound for its first term, the term's first day after a renewal), so a newer version never reaches
 * into a term already priced, and refused when that version refers the risk to an underwriter (who
 * decides quotes, not changes). A property moved is a change of risk: once applied, its risk is
 * recorded as the quote the policy is priced from (`recordMovedRisk`). A policy bound from no quote
 * keeps the plan's fixed terms, as before quotes.
 */
import type { Transaction } from 'sequelize';
import { POSTCODE_PATTERN, type BreakdownLine, type Risk } from '../../contracts/quote';
import type { PropertyAddress } from '../../contracts/subscription';
import { Quote, type Plan, type Subscription } from '../../models';
import { termStartOf, type TermOfRow } from '../../models/invoice';
import { idFromRequest } from '../../shared/deterministic-id';
import { ApiError, unprocessable } from '../../shared/errors';
import { instalmentsOf } from '../../shared/instalments';
import { formatMinorUnits, toMinorUnits } from '../../shared/money';
import { beyondFixedCover, priceRisk } from './rating/price';
import { ratingVersionInForce } from './rating/versions';
import { utcDay } from '../../shared/time';

/**
 * Whether two amounts of `currency` (premiums, covers) are one, however written: a price is written with the
 * currency's decimals ("475" yen), a plan's premium with two ("475.00"), a row's as it was written (with two in any
 * before migrations 0097 and 0099). Compared in minor units, never as text or floats.
 */
export function sameAmount(a: string, b: string, currency: string): boolean {
  const minor = toMinorUnits(a, currency);
  return minor !== null && minor === toMinorUnits(b, currency);
}

/** The quote a policy's risk is priced from, with the loading an underwriter set on it; null for a policy of fixed terms. */
async function boundQuote(subscription: Pick<Subscription, 'quoteId'>, transaction?: Transaction): Promise<Quote | null> {
  if (!subscription.quoteId) return null;
  return Quote.findByPk(subscription.quoteId, { transaction });
}

/** A risk priced by a rating version: the premium as a row writes it, and what the quote of it records. */
interface RatedPrice {
  premium: string;
  premiumMinor: number;
  breakdown: BreakdownLine[];
  referralReasons: string[];
  ratingVersionId: string;
}

/**
 * The premium of plan `planId` for `risk` (the quote's own, or the quote's risk elsewhere) with the
 * version in force on `onDate`, the quote's loading kept (an underwriter accepted the risk at that
 * price), and the referral rules of that version the risk meets (the quote's own rule, priceRisk);
 * null when the plan has no rating tables in force then.
 */
async function ratedPrice(
  quote: Quote,
  risk: Risk,
  planId: string,
  currency: string,
  onDate: string,
  transaction?: Transaction,
): Promise<RatedPrice | null> {
  const version = await ratingVersionInForce(planId, onDate, transaction);
  if (!version) return null;
  const price = priceRisk(version.tables, risk, { currency, onDate, ...(quote.loading && { loading: quote.loading }) });
  return { ...price, premium: formatMinorUnits(price.premiumMinor, currency), ratingVersionId: version.id };
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
    const rated = await ratedPrice(quote, quote.risk, subscription.planId, currency, firstDay, transaction);
    return rated !== null && !sameAmount(rated.premium, subscription.premium, currency) ? rated.premium : null;
  } catch (err) {
    // Tables that no longer accept the risk (a zone or category dropped, an erased holder's postcode):
    // the run's renewal cannot be refused here, so the term keeps its premium (docs/quotes.md, Binding).
    if (err instanceof ApiError && err.status === 422) return null;
    throw err;
  }
}

/** The plan a change leaves the policy on, as its price reads it. */
export type PlanOfChange = Pick<Plan, 'id' | 'name' | 'premium' | 'currency' | 'coverageAmount'>;

/** A rated policy's risk at another postcode, as the rating of its term prices it: the quote the policy is priced from once the change is applied. */
export interface MovedRisk extends RatedPrice {
  planId: string;
  risk: Risk;
}

/** What the current term costs after a change: its premium, and the risk it moves to if it moves a rated policy's. */
export interface ChangePrice {
  premium: string;
  movedRisk?: MovedRisk;
}

const POSTAL_CODE = 'propertyAddress.postalCode';

/**
 * The policy's risk with its property at `address`: the same risk while the address keeps its postcode
 * (as a quote writes one, upper case) and its country, a street or correspondence line being contact
 * data; else the risk at the new postcode (a country is no rating factor of its own, but a property
 * elsewhere is another risk, priced again).
 */
function riskAt(risk: Risk, current: PropertyAddress | null, address: PropertyAddress): Risk {
  const postcode = address.postalCode.toUpperCase();
  if (postcode === risk.postcode && (!current || current.country === address.country)) return risk;
  return { ...risk, postcode };
}

/** A postal code no quote's risk could name (a zone's prefix may start it all the same: "75011/2") is 422 on it. */
function refuseUnreadablePostcode(address: PropertyAddress): void {
  if (POSTCODE_PATTERN.test(address.postalCode.toUpperCase())) return;
  const message = `${address.postalCode} is no postcode a rating reads: letters, digits, space and hyphen, at most 10`;
  throw unprocessable(`The property's postal code cannot be rated: ${message}`, [{ field: POSTAL_CODE, message }]);
}

/** A moved risk's refusal by the tables (a postcode no zone reaches), named on the address's postal code, as the change asked it. */
function onPostalCode(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.details[0]?.field !== 'risk.postcode') return err;
  return unprocessable(err.message, [{ field: POSTAL_CODE, message: err.details[0].message }]);
}

/**
 * The price of the current term were the policy on `plan` (its own or another) with its property at
 * `address` (given: the change asks for it). For a rated policy, its risk (at the new postcode when
 * the address moves it, riskAt) priced with `plan`'s version in force on the day the term was priced:
 * 422 naming the field when the tables do not accept the risk (`propertyAddress.postalCode` for a
 * postcode no zone reaches, as a quote of it is refused on `risk.postcode`). A referral rule of those
 * tables the risk meets is 422, one detail per reason, as a quote of the risk is referred: on another
 * plan any reason (`planId`: no underwriter saw the risk there, and a holder would otherwise get round
 * underwriting by binding a lenient plan and changing); on its own plan a reason the risk as it stands
 * does not meet (`propertyAddress.postalCode`: a move into a referred zone), an underwriter's
 * acceptance of the rest standing, as its loading does. Another plan without tables in force takes its
 * fixed premium when its cover holds the risk's sum insured, which the policy keeps (else 422 on
 * `planId`, as a quote of the risk on that plan is refused: 300,000 of cover was kept for a plan's 50.00
 * that buys 50,000); on its own plan without tables the policy is not rated and its address is contact
 * data. For a policy of fixed terms, `plan`'s premium.
 */
export async function changePrice(
  subscription: Subscription,
  plan: PlanOfChange,
  address?: PropertyAddress,
  transaction?: Transaction,
): Promise<ChangePrice> {
  const samePlan = plan.id === subscription.planId;
  const quote = await boundQuote(subscription, transaction);
  if (!quote) return { premium: samePlan ? subscription.premium : plan.premium };
  const risk = address ? riskAt(quote.risk, subscription.propertyAddress, address) : quote.risk;
  const moves = risk !== quote.risk;
  if (samePlan && !moves) return { premium: subscription.premium };
  const pricedOn = subscription.renewalCount === 0 ? utcDay(subscription.createdAt) : termStartOf(subscription as TermOfRow)!;
  const priceOf = (priced: Risk) => ratedPrice(quote, priced, plan.id, plan.currency, pricedOn, transaction);
  const rated = await priceOf(risk).catch((err: unknown) => {
    throw moves ? onPostalCode(err) : err;
  });
  if (rated === null) {
    if (samePlan) return { premium: subscription.premium };
    const beyond = beyondFixedCover(risk.sumInsured, plan, 'planId');
    if (beyond)
      throw unprocessable(`The plan's fixed premium does not cover this policy's risk: ${beyond}`, [{ field: 'planId', message: beyond }]);
    return { premium: plan.premium };
  }
  if (moves) refuseUnreadablePostcode(address!);
  const standing = samePlan && rated.referralReasons.length > 0 ? await standingReasons(priceOf, quote.risk) : [];
  const reasons = rated.referralReasons.filter((reason) => !standing.includes(reason));
  if (reasons.length > 0)
    throw unprocessable(
      `${plan.name} refers this policy's risk to an underwriter: ${reasons.join('; ')}. Ask for a quote on that plan; an underwriter decides it`,
      reasons.map((message) => ({ field: samePlan ? POSTAL_CODE : 'planId', message })),
    );
  return { premium: rated.premium, ...(moves && { movedRisk: { ...rated, planId: plan.id, risk } }) };
}

/** The referral rules the policy's risk as it stands meets under the same rating; none when that rating no longer accepts it. */
async function standingReasons(priceOf: (risk: Risk) => Promise<RatedPrice | null>, risk: Risk): Promise<string[]> {
  try {
    return (await priceOf(risk))?.referralReasons ?? [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return [];
    throw err;
  }
}

/** The quote a policy's moved risk is recorded as, one per change (a retried carry-out finds it). */
export const movedRiskQuoteId = (changeId: string): string => idFromRequest('moved-risk', changeId);

/**
 * Records a change's moved risk as the quote the policy is priced from from then on (`bound`, named by
 * the policy's `quote_id`): its answers (`quote`), its schedule and its renewals read the risk there.
 * Its `subscription_id` stays empty: that column names the one quote a policy was bound from (unique),
 * which keeps it. The underwriter's decision on the quote it replaces (its loading, who, when, the note)
 * stays with it, as its price keeps the loading; its requester is the holder, whose risk it is
 * (exported, erased and deleted with their records, docs/privacy.md).
 */
export async function recordMovedRisk(
  subscription: Subscription,
  moved: MovedRisk,
  change: { id: string; appliedAt: Date },
  transaction: Transaction,
): Promise<Quote> {
  const replaced = await boundQuote(subscription, transaction);
  return Quote.create(
    {
      id: movedRiskQuoteId(change.id),
      tenantId: subscription.tenantId,
      planId: moved.planId,
      ratingVersionId: moved.ratingVersionId,
      requestedById: subscription.policyholderId,
      policyholderId: subscription.policyholderId,
      status: 'bound',
      risk: moved.risk,
      currency: subscription.currency,
      premiumMinor: moved.premiumMinor,
      breakdown: moved.breakdown,
      instalments: instalmentsOf({
        premiumMinor: moved.premiumMinor,
        frequency: subscription.billingFrequency!,
        termStart: termStartOf(subscription as TermOfRow)!,
        durationMonths: subscription.durationMonths,
      }).map(({ sequence, amountMinor }) => ({ number: sequence, amountMinor })),
      billingFrequency: subscription.billingFrequency,
      durationMonths: subscription.durationMonths,
      referralReasons: moved.referralReasons,
      loading: replaced?.loading ?? null,
      decisionNote: replaced?.decisionNote ?? null,
      decidedById: replaced?.decidedById ?? null,
      decidedAt: replaced?.decidedAt ?? null,
      validUntil: change.appliedAt,
    },
    { transaction },
  );
}

/** The sum insured of the policy were it on `plan`: a rated policy keeps its risk's, a policy of fixed terms takes the plan's. */
export const coverageOnPlan = (
  subscription: Pick<Subscription, 'quoteId' | 'coverageAmount'>,
  plan: Pick<Plan, 'coverageAmount'>,
): string => (subscription.quoteId ? subscription.coverageAmount : plan.coverageAmount);
