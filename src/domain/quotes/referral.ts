/**
 * A referred quote's decision (docs/quotes.md, Referral): the run `quote-referral-<quoteId>` is
 * opened with the quote, an underwriter accepts it (with or without a loading) or declines it
 * through the run's Updates, and nobody deciding by the deadline lapses it.
 */
import type { Transaction } from 'sequelize';
import {
  acceptQuoteReferralUpdate,
  declineQuoteReferralUpdate,
  quoteReferralRun,
  type QuoteReferralWorkflow,
} from '../../contracts/quote-referral';
import type { BreakdownLine } from '../../contracts/quote';
import { findVisible } from '../../access/core';
import { quoteAccess } from '../../access/quotes';
import { Plan, type Quote, RatingVersion, TenantSettings } from '../../models';
import type { QuoteInstalment } from '../../models/quote';
import { decideOnRun } from '../../services/run-decisions';
import type { AuthUser } from '../../shared/caller';
import { conflict, dependencyUnavailable, samePerson } from '../../shared/errors';
import { instalmentsOf } from '../../shared/instalments';
import { dueInstant } from '../calendars/business-time';
import { calendarOfTenant } from '../calendars/tenant-calendars';
import { isOnePersonWith } from '../identity/mailboxes';
import type { Command, CommandDeps } from '../command';
import { priceRisk } from './rating/price';
import { utcDay } from '../../shared/time';

/**
 * Opens the referral of a quote written `referred`: its due instant (the tenant's
 * quoteReferralBusinessDays in its default calendar) on the quote and the start of its run, in one
 * transaction through the outbox, which delivers the start once the transaction commits and, if
 * Temporal is out of reach then, keeps delivering it (the relay, with back-off) until the run
 * exists: the quote stays `referred` meanwhile and the request is not failed. Given the
 * transaction that writes the quote, no referred quote is ever left without its run, whatever
 * crashes when. The run's ID follows from the quote's, so a repeated delivery reaches the same run.
 */
export async function openReferral(
  quote: Quote,
  deps: Pick<CommandDeps, 'outbox' | 'sequelize'>,
  transaction?: Transaction,
): Promise<void> {
  if (!transaction) {
    await deps.sequelize.transaction((own) => openReferral(quote, deps, own));
    return;
  }
  const settings = await TenantSettings.forTenant(quote.tenantId);
  const calendar = await calendarOfTenant(quote.tenantId);
  const dueAt = dueInstant({ start: new Date(), amount: settings.quoteReferralBusinessDays, unit: 'business_days', calendar });
  await quote.update({ referralDueAt: dueAt }, { transaction });
  const start = await deps.outbox.enqueueStart<QuoteReferralWorkflow>(
    quoteReferralRun.id(quote.id),
    {
      workflowType: quoteReferralRun.type,
      args: [{ tenantId: quote.tenantId, quoteId: quote.id, requestedById: quote.requestedById ?? null, dueAt: dueAt.toISOString() }],
      tenantId: quote.tenantId,
      status: 'referred',
      summary: `Referral of quote ${quote.id}: ${quote.referralReasons.join('; ')}`,
      dueAt: dueAt.toISOString(),
    },
    transaction,
  );
  // Never throws: what it does not deliver now is the relay's.
  transaction.afterCommit(async () => {
    await deps.outbox.deliver(start);
  });
}

/** A quote's price as an accepted referral sets it: its risk priced again by its own rating version, with the loading. */
export interface AcceptedPrice {
  premiumMinor: number;
  breakdown: BreakdownLine[];
  instalments: QuoteInstalment[];
}

/**
 * The referred quote priced again with the underwriter's loading: the same rating version, the
 * building's age counted on the day it was quoted, the instalments by the terms it was quoted on.
 * A loading that would lift the premium past the bound is refused (422, priceRisk).
 */
export async function priceAccepted(quote: Quote, loading: string | undefined, transaction?: Transaction): Promise<AcceptedPrice> {
  // Only rating tables refer a quote, so a referred quote always has its version.
  const version = await RatingVersion.findByPk(quote.ratingVersionId!, { transaction, rejectOnEmpty: true });
  const plan = await Plan.findByPk(quote.planId, { transaction, paranoid: false, rejectOnEmpty: true });
  const onDate = utcDay(quote.createdAt);
  const { premiumMinor, breakdown } = priceRisk(version.tables, quote.risk, { currency: quote.currency, onDate, loading });
  // By the terms it was quoted on, which binding holds the plan to; the plan's for a quote recorded without them.
  const schedule = instalmentsOf({
    premiumMinor,
    frequency: quote.billingFrequency ?? plan.billingFrequency,
    termStart: onDate,
    durationMonths: quote.durationMonths ?? plan.durationMonths,
  });
  return { premiumMinor, breakdown, instalments: schedule.map((due) => ({ number: due.sequence, amountMinor: due.amountMinor })) };
}

/**
 * The refusal of a decision on a quote without a run: one decided, lapsed or never referred says
 * why (409); one still referred has its run's start waiting in the outbox for Temporal (503).
 */
const notReferred = (quote: Quote) =>
  quote.status === 'referred'
    ? dependencyUnavailable('temporal')
    : conflict(`The quote is ${quote.status}, not waiting for an underwriter`, [{ field: 'status', message: `is ${quote.status}` }]);

/**
 * The quote the caller may decide: one they see (404 otherwise) that they did not ask for under another
 * account on their mailbox (403 `same_person`). The run's validator knows the requester's account alone,
 * so an underwriter's policyholder account on a sub-address of their mailbox would otherwise have them
 * price their own risk; the same person is judged as claims judge a claimant (`isOnePersonWith`).
 */
async function findQuoteToDecide(caller: AuthUser, id: string): Promise<Quote> {
  const quote = await findVisible(caller, quoteAccess, id);
  // The requester's own account is the run's to refuse.
  if (!quote.requestedById || quote.requestedById === caller.id) return quote;
  if (await isOnePersonWith(caller.id, [quote.requestedById]))
    throw samePerson('Whoever asked for a quote may not decide its referral, under any of their accounts: another underwriter must');
  return quote;
}

/**
 * Accepts a referred quote (a person's decision, as declining it: src/access/verbs/person-decisions.ts), with or without a loading: the run prices it again, quotes it
 * (valid for the tenant's quoteValidityDays from now) and mails the requester. A loading the
 * pricer refuses is refused here before the decision is sent (422), as is the requester under another
 * account on their mailbox (403); the run's validators refuse
 * the requester, a role that may not decide and a decision once one was taken (the run, not the
 * row, is asked: a repeat of the request that decided gets its answer).
 */
export const acceptReferral: Command<{ id: string; loading?: string; note?: string }, Quote> = async (
  caller,
  { id, loading, note },
  deps,
) => {
  const quote = await findQuoteToDecide(caller, id);
  // Only a referred quote has a version to price by; any other is refused by its run's end (409).
  if (quote.status === 'referred') await priceAccepted(quote, loading);
  const request = { userId: caller.id, role: caller.role, ...(loading !== undefined && { loading }), ...(note && { note }) };
  return (await decideOnRun(deps, quote, quoteReferralRun.id(quote.id), acceptQuoteReferralUpdate, request, notReferred)).row;
};

/** Declines a referred quote with a note the requester is told. */
export const declineReferral: Command<{ id: string; note: string }, Quote> = async (caller, { id, note }, deps) => {
  const quote = await findQuoteToDecide(caller, id);
  const request = { userId: caller.id, role: caller.role, reason: note };
  return (await decideOnRun(deps, quote, quoteReferralRun.id(quote.id), declineQuoteReferralUpdate, request, notReferred)).row;
};
