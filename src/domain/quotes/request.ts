/**
 * Asking for a quote (docs/quotes.md, Quotes): a signed-in person, or a visitor on the public
 * catalog, describes a risk on one active plan and gets its price with a breakdown, valid for the
 * tenant's `quoteValidityDays`. The plan's rating version in force today prices it; a plan without
 * one quotes its fixed premium. A risk the tables' referral rules catch is stored `referred` (its
 * premium still shown) and goes to an underwriter (./referral.ts).
 */
import crypto from 'node:crypto';
import { UniqueConstraintError, type Attributes } from 'sequelize';
import { tenantOf } from '../../access/core';
import { may } from '../../access/may';
import { quoteHolderFor } from '../../access/quotes';
import { PROPERTY_CATEGORIES, type BreakdownLine, type PropertyCategory, type Risk } from '../../contracts/quote';
import { Plan, Quote, RatingVersion } from '../../models';
import { findOneWhere } from '../../models/prepared-statement';
import type { AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import { assertPremiumPayableByCard } from '../../shared/card-minimum';
import { forbidden, unprocessable } from '../../shared/errors';
import { instalmentsOf } from '../../shared/instalments';
import { formatMinorUnits, toMinorUnits } from '../../shared/money';
import { keptPlanReads } from '../catalog/plan-cache';
import { catalogTenant } from '../catalog/public-catalog';
import type { Command, CommandDeps, PublicCommand } from '../command';
import { beyondFixedCover, EARLIEST_YEAR_BUILT, priceRisk, type Price } from './rating/price';
import { ratingVersionInForce } from './rating/versions';
import { recordQuote, recordQuoteIn, type NewQuote, type RecordedQuote } from './recording';
import { openReferral } from './referral';
import { namedPolicyholder } from '../subscriptions/issue';
import { utcDay } from '../../shared/time';

/** A risk as a request describes it: its category is any code until checked against the known ones. */
export type RiskInput = Omit<Risk, 'propertyCategory'> & { propertyCategory: string };

/** What a quote prices: a plan of the tenant and the risk; for whom, when staff name the policyholder. */
export interface QuoteRequest {
  tenantId: string;
  planId: string;
  risk: RiskInput;
  policyholderId?: string;
}

/**
 * The policyholder a signed-in caller's quote is for (docs/quotes.md, Quotes): staff may name one of their tenant, as
 * when issuing a policy (404 for anyone else, `namedPolicyholder`); a policyholder's quote is their own, and naming
 * anyone else is 403, as subscribe answers.
 */
async function holderOfQuote(caller: AuthUser, named: string | undefined): Promise<string | null> {
  if (named !== undefined) {
    if (may(caller, 'requestQuoteForOthers')) await namedPolicyholder(tenantOf(caller), named);
    else if (named !== caller.id)
      throw forbidden('A policyholder asks for quotes for themselves; staff name the policyholder a quote is for');
  }
  return quoteHolderFor(caller, named ?? null);
}

/** The risk, once its category is one a risk may name (422 naming it otherwise, whatever the plan). */
function knownRisk(risk: RiskInput): Risk {
  const { propertyCategory } = risk;
  if (!(PROPERTY_CATEGORIES as readonly string[]).includes(propertyCategory)) {
    throw unprocessable(`Unknown property category ${propertyCategory}`, [
      { field: 'risk.propertyCategory', message: `${propertyCategory} is not one of ${PROPERTY_CATEGORIES.join(', ')}` },
    ]);
  }
  return { ...risk, propertyCategory: propertyCategory as PropertyCategory };
}

/** A rating version as this process keeps it: plain values, never changed once saved. */
export type KeptRatingVersion = Pick<Attributes<RatingVersion>, 'id' | 'number' | 'effectiveFrom' | 'tables'>;

/** A quote as recorded, with the rating version that priced it (null: the plan's fixed premium). */
export interface RequestedQuote {
  quote: RecordedQuote;
  ratingVersion: KeptRatingVersion | null;
}

/** An active plan of the tenant as plain values, read once per change of its plans (src/domain/catalog/plan-cache.ts); 422 otherwise, as subscribe answers. */
async function activePlan(tenantId: string, planId: string): Promise<Attributes<Plan>> {
  const scope = { tenantId, isActive: true };
  const read = async () => (await findOneWhere(Plan, scope, { id: planId }))?.get({ plain: true }) ?? null;
  const plan = await keptPlanReads.read(tenantId, `plan ${planId} ${JSON.stringify(scope)}`, read, (row) => (row ? 1 : 0));
  if (!plan) throw unprocessable('No active plan with this id in this company', [{ field: 'planId', message: 'unknown or inactive plan' }]);
  return plan;
}

/**
 * The plan's rating version in force on `today`, read once per change of the tenant's plans and per
 * day, like the plan itself: a version is never changed, and saving a new one is announced as a
 * change of its tenant's plans (./rating/versions.ts), so no process keeps pricing with the old one.
 */
function versionInForce(tenantId: string, planId: string, today: string): Promise<KeptRatingVersion | null> {
  const read = async (): Promise<KeptRatingVersion | null> => {
    const version = await ratingVersionInForce(planId, today);
    return version && { id: version.id, number: version.number, effectiveFrom: version.effectiveFrom, tables: version.tables };
  };
  return keptPlanReads.read(tenantId, `rating ${planId} ${today}`, read, (version) => (version ? 1 : 0));
}

/**
 * The plan's fixed premium as one breakdown line. Its risk is not priced, but what no plan could
 * insure is still refused: a building from before EARLIEST_YEAR_BUILT or from a year to come. The
 * premium prices the plan's cover, and a policy bound from the quote covers the risk's sum insured:
 * one above the plan's cover is refused too (it was bound at the plan's premium, whatever its size).
 */
function fixedPrice(plan: Attributes<Plan>, risk: Risk, today: string): Price {
  const year = Number(today.slice(0, 4));
  if (risk.yearBuilt < EARLIEST_YEAR_BUILT || risk.yearBuilt > year) {
    throw unprocessable(`yearBuilt must be from ${EARLIEST_YEAR_BUILT} to ${year}`, [
      { field: 'risk.yearBuilt', message: `${risk.yearBuilt} is not a year a building can have been built in` },
    ]);
  }
  const beyond = beyondFixedCover(risk.sumInsured, plan, 'risk.sumInsured');
  if (beyond)
    throw unprocessable(`The plan's fixed premium does not cover this risk: ${beyond}`, [{ field: 'risk.sumInsured', message: beyond }]);
  const premiumMinor = toMinorUnits(plan.premium, plan.currency);
  if (premiumMinor === null) throw new Error(`plan ${plan.id}: premium ${plan.premium} is not an amount in ${plan.currency}`);
  const line: BreakdownLine = { step: 'fixed', label: 'The plan’s premium', amount: formatMinorUnits(premiumMinor, plan.currency) };
  return { premiumMinor, breakdown: [line], referralReasons: [] };
}

/**
 * Prices `risk` on the plan and records the quote. `caller` null is a visitor on the public
 * catalog: the quote has no requester and no mail. A signed-in caller's Idempotency-Key names the
 * quote, so a repeat after its stored answer is gone still records one.
 *
 * The plan and its rating version come from what this process keeps (no read), and a quoted quote
 * is written, with its mail handed to the worker through the outbox, by one autocommitted
 * statement shared with the quotes priced at the same moment (./recording.ts): no transaction is
 * held open over round trips, and no audit event is written, since a quote changes no insured
 * business (docs/audit.md). A referred quote is written in a transaction with the start of its
 * referral run (./referral.ts).
 */
export async function requestQuote(caller: AuthUser | null, input: QuoteRequest, deps: CommandDeps): Promise<RequestedQuote> {
  const { tenantId } = input;
  const risk = knownRisk(input.risk);
  const plan = await activePlan(tenantId, input.planId);
  const now = new Date();
  // The day a quote is priced on (UTC) picks the rating version and counts the building's age.
  const today = utcDay(now);
  const ratingVersion = await versionInForce(tenantId, plan.id, today);
  const price = ratingVersion
    ? priceRisk(ratingVersion.tables, risk, { currency: plan.currency, onDate: today })
    : fixedPrice(plan, risk, today);
  // A premium whose instalments no card could pay is no offer (docs/quotes.md): refused before anything is recorded.
  const { currency, billingFrequency, durationMonths } = plan;
  assertPremiumPayableByCard({ premiumMinor: price.premiumMinor, currency, billingFrequency, durationMonths }, 'planId');
  const key = caller && deps.idempotencyKey;
  const id = key ? idFromRequest('quote', caller.id, key, plan.id) : crypto.randomUUID();
  const values: NewQuote = {
    id,
    tenantId,
    planId: plan.id,
    ratingVersionId: ratingVersion?.id ?? null,
    requestedById: caller?.id ?? null,
    policyholderId: caller && (await holderOfQuote(caller, input.policyholderId)),
    status: price.referralReasons.length > 0 ? 'referred' : 'quoted',
    risk,
    currency: plan.currency,
    premiumMinor: price.premiumMinor,
    breakdown: price.breakdown,
    instalments: instalmentsOf({
      premiumMinor: price.premiumMinor,
      frequency: plan.billingFrequency,
      termStart: today,
      durationMonths: plan.durationMonths,
    }).map(({ sequence, amountMinor }) => ({ number: sequence, amountMinor })),
    // What the instalments were cut by: binding holds the plan to them (./binding.ts).
    billingFrequency: plan.billingFrequency,
    durationMonths: plan.durationMonths,
    referralReasons: price.referralReasons,
    createdAt: now,
  };
  let quote: RecordedQuote;
  try {
    quote =
      values.status === 'quoted'
        ? await recordQuote(deps.sequelize, values)
        : // In one transaction: a referred quote never commits without the start of its run.
          await deps.sequelize.transaction(async (transaction) => {
            const created = await recordQuoteIn(deps.sequelize, values, transaction);
            await openReferral(created, deps, transaction);
            return created;
          });
  } catch (err) {
    // The same key again after its first request recorded the quote: that quote is the answer.
    if (!(err instanceof UniqueConstraintError && caller)) throw err;
    const recorded = await Quote.findOne({ where: { id, tenantId, requestedById: caller.id } });
    if (!recorded) throw err;
    return { quote: recorded, ratingVersion: recorded.ratingVersionId ? await RatingVersion.findByPk(recorded.ratingVersionId) : null };
  }
  return { quote, ratingVersion };
}

/** A signed-in caller's quote, on a plan of their tenant. */
export const requestOwnQuote: Command<{ planId: string; risk: RiskInput; policyholderId?: string }, RequestedQuote> = (
  caller,
  input,
  deps,
) => requestQuote(caller, { tenantId: tenantOf(caller), ...input }, deps);

/** A visitor's quote on a company's public catalog. */
export const requestCatalogQuote: PublicCommand<{ tenantSlug: string; planId: string; risk: RiskInput }, RequestedQuote> = async (
  { tenantSlug, planId, risk },
  deps,
) => requestQuote(null, { tenantId: (await catalogTenant(tenantSlug)).id, planId, risk }, deps);
