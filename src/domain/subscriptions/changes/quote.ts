/**
 * Quoting a policy change (docs/subscriptions.md, Policy changes): the caller names an effective
 * date and what changes (another plan, the property's address, the holder's phone); the change is
 * checked against the policy as it stands, priced pro rata to the day (pricing.ts) and recorded as
 * `quoted` with its audit event. Nothing about the policy changes until it is confirmed (confirm.ts)
 * and the run carries it out.
 */
import crypto from 'node:crypto';
import type { Attributes, Transaction } from 'sequelize';
import type { PropertyAddress } from '../../../contracts/subscription';
import { findVisible, tenantOf } from '../../../access/core';
import { subscriptionAccess } from '../../../access/subscriptions';
import { roleMay } from '../../../access/verbs';
import { Invoice, Plan, Subscription, SubscriptionChange, SubscriptionVersion, TenantSettings } from '../../../models';
import { termStartOf, UNPAID_INVOICE_STATUSES, type TermOfRow } from '../../../models/invoice';
import type { RequestedChange } from '../../../models/subscription-change';
import type { AuthUser } from '../../../shared/caller';
import { idFromRequest } from '../../../shared/deterministic-id';
import { assertChargePayableByCard, cardMinimumMinor } from '../../../shared/card-minimum';
import { conflict, forbidden, unprocessable } from '../../../shared/errors';
import { toMinorUnits } from '../../../shared/money';
import { DAY_MS, utcDay } from '../../../shared/time';
import { audited } from '../../audited';
import type { Command, CommandDeps } from '../../command';
import { COVER_MOVES, coverMoveOf } from '../../claims/cover';
import { changePrice, coverageOnPlan, type ChangePrice, type PlanOfChange } from '../../quotes/re-rating';
import { changeInstalments, priceChange } from './pricing';

export interface ChangeInput extends RequestedChange {
  /** The subscription. */
  id: string;
  /** 'YYYY-MM-DD' */
  effectiveDate: string;
}

/**
 * The subscription with this id if the caller may change it: one they see (else 404, like a
 * missing one) and their own, or any of their tenant's for the staff of `changeAnyPolicy` (else 403).
 */
export async function changeableSubscription(caller: AuthUser, id: string): Promise<Subscription> {
  const subscription = await findVisible(caller, subscriptionAccess, id);
  if (subscription.policyholderId !== caller.id && !roleMay(caller.role, 'changeAnyPolicy'))
    throw forbidden('Only the policyholder, a claims agent or a tenant admin may change a policy');
  return subscription;
}

/** The current term of an active policy, for a change effective on `effectiveDate`. */
export interface ChangeTerm {
  termStart: string;
  termEnd: string;
}

/** Only an active policy is changed (409): not one cancelled, expired, lapsed or awaiting its first premium. */
function refuseUnlessActive(subscription: Pick<Subscription, 'status'>): void {
  if (subscription.status !== 'active') throw conflict(`The subscription is ${subscription.status}; only an active policy can be changed`);
}

/**
 * The policy's status read again as the quote is recorded, under a share lock: a cancellation (or expiry) written
 * while the quote was priced is seen (the lock waits for it to commit), and one that comes later waits for the
 * quote. Without it a quote priced from the row read before a cancellation committed was recorded `quoted` on the
 * cancelled policy.
 */
async function refuseUnlessStillActive(subscriptionId: string, transaction: Transaction): Promise<void> {
  const row = await Subscription.findByPk(subscriptionId, {
    attributes: ['id', 'status'],
    lock: transaction.LOCK.SHARE,
    transaction,
    rejectOnEmpty: true,
  });
  refuseUnlessActive(row);
}

/**
 * Checks that a change effective on `effectiveDate` may be made to the policy as it stands: the
 * policy is active (409), the date is inside the current term (422) and not more than the tenant's
 * `policyChangeBackdateDays` before today (422), and no version already applied takes effect after
 * it (409: versions never go back in time). Used when quoting and again when confirming.
 */
export async function checkEffectiveDate(
  subscription: Subscription,
  effectiveDate: string,
  transaction?: Transaction,
): Promise<ChangeTerm> {
  refuseUnlessActive(subscription);
  const termStart = termStartOf(subscription as TermOfRow);
  const termEnd = subscription.endDate;
  if (!termStart || !termEnd) throw conflict('The subscription has no term yet');
  const refuse = (message: string) => unprocessable(message, [{ field: 'effectiveDate', message }]);
  if (effectiveDate < termStart || effectiveDate >= termEnd)
    throw refuse(`The effective date must be inside the current term, from ${termStart} to before ${termEnd}`);
  const { policyChangeBackdateDays } = await TenantSettings.forTenant(subscription.tenantId, transaction);
  const earliest = utcDay(Date.now() - policyChangeBackdateDays * DAY_MS);
  if (effectiveDate < earliest)
    throw refuse(`The effective date may be at most ${policyChangeBackdateDays} days in the past (${earliest})`);
  const latest = await SubscriptionVersion.findOne({
    where: { subscriptionId: subscription.id },
    order: [['number', 'DESC']],
    transaction,
  });
  if (latest && effectiveDate < latest.effectiveFrom)
    throw conflict(`Version ${latest.number} of the policy takes effect on ${latest.effectiveFrom}; a change cannot take effect before it`);
  return { termStart, termEnd };
}

/** The plan a policy is on, to price a change that keeps it (a plan withdrawn from the catalog still prices its policies). */
export async function currentPlan(subscription: Subscription): Promise<Attributes<Plan>> {
  const plan = await Plan.findOne({ where: { id: subscription.planId }, paranoid: false, rejectOnEmpty: true });
  return plan.get({ plain: true });
}

/**
 * The plan a change moves the policy to: an active plan of the caller's tenant in the category of
 * the policy's plan, with its duration, currency and billing frequency (so the term and its money stay
 * as they are). Any other answers 422 alike, another tenant's plan as an unknown one. The term's
 * instalments were cut at the policy's frequency, a change's premium is spread over them and renewals
 * bill at the row's: a plan of another frequency would leave the policy billed at its own under a plan
 * that says otherwise.
 */
export async function targetPlan(subscription: Subscription, planId: string): Promise<Attributes<Plan>> {
  const refuse = (message: string) => unprocessable(`The plan cannot be changed to: ${message}`, [{ field: 'planId', message }]);
  const [plan, current] = await Promise.all([
    Plan.findOne({ where: { id: planId, tenantId: subscription.tenantId } }),
    Plan.findOne({ where: { id: subscription.planId }, paranoid: false }),
  ]);
  if (!plan || !plan.isActive) throw refuse('unknown or inactive plan');
  if (!current || plan.categoryId !== current.categoryId) throw refuse('a plan of another category');
  if (plan.durationMonths !== subscription.durationMonths) throw refuse('a plan of another duration');
  if (plan.currency !== subscription.currency) throw refuse('a plan in another currency');
  if (plan.billingFrequency !== subscription.billingFrequency)
    throw refuse(
      `a plan billed ${plan.billingFrequency}, the policy ${subscription.billingFrequency} (the billing frequency does not change during a term)`,
    );
  return plan.get({ plain: true });
}

/**
 * Refuses a raise of cover effective before today (422 on effectiveDate), as insurers never backdate one: a raise
 * agreed now reaches no loss of an earlier day (coverOn, docs/claims.md), so backdated it would be charged pro rata
 * for days it gives nothing. A cut, or a change that keeps the cover, may still be backdated (checkEffectiveDate).
 * Asked at the quote and again at the confirmation, by which a raise quoted for its own day may lie in the past.
 */
export function refuseBackdatedRaise(subscription: Subscription, effectiveDate: string, coverageAfter: string): void {
  const today = utcDay(Date.now());
  // A cover has at most ten integer digits and three decimals: exact as a number.
  if (effectiveDate >= today || Number(coverageAfter) <= Number(subscription.coverageAmount)) return;
  const message = `A raise of cover takes effect no earlier than today (${today}): a raise agreed after a loss would not cover it`;
  throw unprocessable(message, [{ field: 'effectiveDate', message }]);
}

/**
 * Refuses a change that would move the cover of a claim made on or after its effective date (409,
 * naming them), each claim judged as `coverOn` judges it: less cover for an open claim, or more for any claim
 * (a raise over a cut agreed after its loss: a raise agreed after a loss otherwise gives it nothing).
 */
export async function refuseIfClaimsCoverMoves(
  deps: Pick<CommandDeps, 'sequelize'>,
  subscriptionId: string,
  effectiveDate: string,
  coverageAfter: string,
): Promise<void> {
  const move = await coverMoveOf(deps.sequelize, subscriptionId, { effectiveDate, coverageAfter });
  if (!move) return;
  const numbers = move.claims.map((claim) => claim.claimNumber);
  const message = move.way === 'loses' ? 'an open claim would lose cover' : 'a claim already made would gain cover';
  throw conflict(
    `The change would ${COVER_MOVES[move.way]} on or after ${effectiveDate}: ${numbers.join(', ')}`,
    numbers.map((claimNumber) => ({ field: 'planId', message, claimNumber })),
  );
}

/** A decimal amount of the policy's currency in minor units; the plans' columns always fit. */
function minorOf(amount: string, currency: string): number {
  const minor = toMinorUnits(amount, currency);
  if (minor === null) throw unprocessable(`${amount} is not an amount of ${currency}`);
  return minor;
}

/**
 * An address as comparable text, its keys in one order: jsonb answers a stored address with its keys in an order of
 * its own, never the order a client writes them, so the policy's own address sent again read as a move (an applied
 * version that changed nothing, with its schedule and mail).
 */
const addressKey = (address: PropertyAddress | null | undefined): string =>
  JSON.stringify(Object.entries(address ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));

/** What the change asks for, as recorded: only the fields that differ from the policy as it stands. */
function requestedOf(subscription: Subscription, input: ChangeInput): RequestedChange {
  // A UUID in capitals names the same plan (the schema takes either case): recorded as the database writes it.
  const planId = input.planId?.toLowerCase();
  const requested: RequestedChange = {
    ...(planId !== undefined && planId !== subscription.planId && { planId }),
    ...(input.propertyAddress !== undefined &&
      addressKey(input.propertyAddress) !== addressKey(subscription.propertyAddress) && {
        propertyAddress: input.propertyAddress as PropertyAddress,
      }),
    ...(input.holderPhone !== undefined && input.holderPhone !== subscription.holderPhone && { holderPhone: input.holderPhone }),
  };
  if (Object.keys(requested).length === 0) throw unprocessable('The change changes nothing: every field named is already so');
  return requested;
}

/**
 * What the policy's term costs after the change: priced when it asks for another plan or moves the
 * property of a rated policy (changePrice, one pricing for both), else the premium as it is.
 */
export async function priceOfRequested(
  subscription: Subscription,
  requested: RequestedChange,
  plan: PlanOfChange | null,
): Promise<ChangePrice> {
  if (!plan && !requested.propertyAddress) return { premium: subscription.premium };
  return changePrice(subscription, plan ?? (await currentPlan(subscription)), requested.propertyAddress);
}

/**
 * Whether a change is priced: another plan, or a rated policy's property moved (its change keeps the
 * sum insured it was priced with). Anything else changes the holder's contact only.
 */
export const isPricedChange = (change: Pick<SubscriptionChange, 'requested' | 'coverageAfter'>): boolean =>
  Boolean(change.requested.planId) || change.coverageAfter !== null;

/**
 * A change of the holder's contact only goes to the run at once (confirm.ts), whose validator refuses
 * it while another change waits for its day: refused here first (409, as the run words it), so a
 * refusal records no quote. The run still decides a change confirmed in between.
 */
async function refuseContactChangeWhileScheduled(subscription: Subscription): Promise<void> {
  const scheduled = await SubscriptionChange.findOne({
    attributes: ['id', 'effectiveDate'],
    where: { subscriptionId: subscription.id, status: 'scheduled' },
  });
  if (scheduled) throw conflict(`Policy change ${scheduled.id} is scheduled for ${scheduled.effectiveDate}`);
}

/**
 * Prices and records a change of a policy (201 with the change, `quoted`). The holder's contact is
 * kept in the change only (erased with the holder, docs/privacy.md); the audit event names the
 * fields asked for and the price, not their values.
 */
export const quoteChange: Command<ChangeInput, SubscriptionChange> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  const subscription = await changeableSubscription(caller, input.id);
  // With an Idempotency-Key the change's ID follows from the request: a repeat of one that failed
  // after recording its quote (a contact change whose run did not answer) finds it, not quoting another.
  const key = deps.idempotencyKey;
  const changeId = key ? idFromRequest('policy-change', caller.id, key, subscription.id) : crypto.randomUUID();
  const recorded = key ? await SubscriptionChange.findOne({ where: { id: changeId, subscriptionId: subscription.id } }) : null;
  if (recorded) return recorded;
  const { termStart, termEnd } = await checkEffectiveDate(subscription, input.effectiveDate);
  const requested = requestedOf(subscription, input);
  const plan = requested.planId ? await targetPlan(subscription, requested.planId) : null;
  const coverageAfter = plan ? coverageOnPlan(subscription, plan) : null;
  if (coverageAfter) {
    refuseBackdatedRaise(subscription, input.effectiveDate, coverageAfter);
    await refuseIfClaimsCoverMoves(deps, subscription.id, input.effectiveDate, coverageAfter);
  }
  // A policy bound from a quote is rated again for its risk on the new plan, or at its property's new postcode (docs/quotes.md, Binding).
  const priced = await priceOfRequested(subscription, requested, plan);
  if (!plan && !priced.movedRisk) await refuseContactChangeWhileScheduled(subscription);

  const currency = subscription.currency;
  const premiumAfter = priced.premium;
  const deltaMinor = priceChange({
    premiumBeforeMinor: minorOf(subscription.premium, currency),
    premiumAfterMinor: minorOf(premiumAfter, currency),
    termStart,
    termEnd,
    effectiveDate: input.effectiveDate,
  });
  // A change effective so late, or so small, that its additional premium is below what a card can be charged is refused.
  assertChargePayableByCard(deltaMinor, currency, 'effectiveDate');
  const [{ policyChangeBilling }, unpaid] = await Promise.all([
    TenantSettings.forTenant(tenantId),
    Invoice.findAll({
      attributes: ['dueDate'],
      where: { subscriptionId: subscription.id, term: subscription.renewalCount, status: UNPAID_INVOICE_STATUSES },
    }),
  ]);
  const instalments = changeInstalments({
    deltaMinor,
    effectiveDate: input.effectiveDate,
    today: utcDay(Date.now()),
    billing: policyChangeBilling,
    unpaidDueDates: unpaid.map((invoice) => invoice.dueDate),
    minimumMinor: cardMinimumMinor(currency),
  });
  return audited(
    deps,
    async (transaction) => {
      await refuseUnlessStillActive(subscription.id, transaction);
      return SubscriptionChange.create(
        {
          id: changeId,
          tenantId,
          subscriptionId: subscription.id,
          status: 'quoted',
          term: subscription.renewalCount,
          effectiveDate: input.effectiveDate,
          requested,
          premiumBefore: subscription.premium,
          premiumAfter,
          coverageAfter: coverageAfter ?? (priced.movedRisk ? subscription.coverageAmount : null),
          premiumDeltaMinor: deltaMinor,
          currency,
          instalments,
          requestedById: caller.id,
        },
        { transaction },
      );
    },
    (change) => ({
      tenantId,
      action: 'subscription.change_quote',
      entityType: 'subscription',
      entityId: subscription.id,
      after: {
        changeId: change.id,
        effectiveDate: change.effectiveDate,
        fields: Object.keys(requested),
        ...(requested.planId && { planId: requested.planId }),
        premiumBefore: change.premiumBefore,
        premiumAfter: change.premiumAfter,
        premiumDeltaMinor: deltaMinor,
      },
    }),
  );
};
