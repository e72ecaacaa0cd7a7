/**
 * A quote as REST answers it (docs/quotes.md, Quotes): money as decimal strings of its currency,
 * the rating version that priced it, and its status as of now (a quoted one past `validUntil` is
 * `expired`, which is not stored).
 */
import { Op, type Attributes } from 'sequelize';
import { Quote, type RatingVersion } from '../../models';
import type { RequestedQuote } from '../../domain/quotes/request';
import { ratingVersionSummaries } from '../../domain/quotes/rating/versions';
import { formatMinorUnits } from '../../shared/money';
import type { AnsweredQuoteStatus } from './schemas';

/** The status a quote is answered with at `now`. */
export function answeredStatus(quote: Pick<Quote, 'status' | 'validUntil'>, now = Date.now()): AnsweredQuoteStatus {
  return quote.status === 'quoted' && quote.validUntil.getTime() <= now ? 'expired' : quote.status;
}

/** The rows of an answered status, as a filter of the stored ones. */
export function statusFilter(status: AnsweredQuoteStatus, now = new Date()) {
  if (status === 'expired') return { status: 'quoted', validUntil: { [Op.lte]: now } };
  if (status === 'quoted') return { status: 'quoted', validUntil: { [Op.gt]: now } };
  return { status };
}

/** A referred quote's deadline and the underwriter's decision (null for a quote never referred). */
export function referralOf(quote: Pick<Attributes<Quote>, 'referralReasons' | 'referralDueAt' | 'decidedAt' | 'loading' | 'decisionNote'>) {
  if (quote.referralReasons.length === 0) return null;
  return {
    dueAt: quote.referralDueAt,
    decidedAt: quote.decidedAt,
    loading: quote.loading,
    note: quote.decisionNote,
  };
}

type VersionSummary = Pick<RatingVersion, 'id' | 'number' | 'effectiveFrom'>;

export function presentQuote(quote: Attributes<Quote>, version: VersionSummary | null) {
  const money = (minor: number) => formatMinorUnits(minor, quote.currency);
  return {
    id: quote.id,
    status: answeredStatus(quote),
    planId: quote.planId,
    requestedById: quote.requestedById,
    policyholderId: quote.policyholderId,
    premium: money(quote.premiumMinor),
    currency: quote.currency,
    breakdown: quote.breakdown,
    instalments: quote.instalments.map(({ number, amountMinor }) => ({ number, amount: money(amountMinor) })),
    ratingVersion: version && { id: version.id, number: version.number, effectiveFrom: version.effectiveFrom },
    referralReasons: quote.referralReasons,
    referral: referralOf(quote),
    subscriptionId: quote.subscriptionId,
    validUntil: quote.validUntil,
    risk: quote.risk,
    createdAt: quote.createdAt,
  };
}

/** A quote just requested, with the version that priced it in hand. */
export const presentRequested = ({ quote, ratingVersion }: RequestedQuote) => presentQuote(quote, ratingVersion);

/** Quotes as answered, their rating versions read in one query. */
export async function presentQuotes(quotes: Quote[]) {
  const versions = await ratingVersionSummaries(quotes.map((quote) => quote.ratingVersionId));
  return quotes.map((quote) => presentQuote(quote, quote.ratingVersionId ? (versions.get(quote.ratingVersionId) ?? null) : null));
}
