/**
 * Carrying out a confirmed policy change (docs/subscriptions.md, Policy changes), as the
 * subscription's run does on the change's effective date: in ONE transaction, the next version of
 * the policy, the subscription row's terms (the row always holds the latest terms: renewals bill
 * from it), the change marked `applied`, its premium delta billed or credited, the audit event
 * with the terms before and after, and the `subscription.changed` event. Idempotent by the change:
 * the subscription row is locked first, so a repeated or concurrent call (a worker that died
 * mid-change, an activity retried) waits, finds the change applied and changes nothing more. A
 * scheduled change that no longer fits the policy on its day is marked `not_applied` with the reason,
 * as is one that would move the cover of claims made since it was confirmed (checked under that lock).
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { ChangeRefusal } from '../../../contracts/subscription';
import { Plan, Subscription, SubscriptionChange, SubscriptionVersion } from '../../../models';
import type { ChangedFields } from '../../../models/subscription-version';
import { recordAudit, type AuditSource } from '../../audit/record';
import { settleChangePremium } from '../../premiums/policy-change-billing';
import { COVER_MOVES, coverMoveOf } from '../../claims/cover';
import { changePrice, coverageOnPlan, type MovedRisk, recordMovedRisk, sameAmount } from '../../quotes/re-rating';
import { recordPolicyChangedEvent } from '../webhook-events';

/** The terms a version keeps and a change may move. */
const CHANGEABLE = ['planId', 'coverageAmount', 'premium', 'propertyAddress', 'holderPhone'] as const;
type Terms = Pick<SubscriptionVersion, (typeof CHANGEABLE)[number]>;
/** The holder's contact among them: personal data. */
const CONTACT: readonly string[] = ['propertyAddress', 'holderPhone'];

const withoutContact = ({ planId, coverageAmount, premium }: Terms) => ({ planId, coverageAmount, premium });

export interface CarryOutRequest {
  changeId: string;
  /** Who confirmed the change (the run's Update caller). */
  confirmedById: string;
  /** The run's clock when it applies the change (ISO): a retry writes the same values. */
  appliedAt: string;
}

/**
 * What the run and its e-mail need of an applied change: no personal data (the holder's contact
 * stays in the rows), since it lands in the run's history.
 */
export interface AppliedPolicyChange {
  outcome: 'applied';
  subscriptionId: string;
  versionNumber: number;
  effectiveDate: string;
  planId: string;
  planName: string;
  coverageAmount: string;
  premium: string;
  premiumDeltaMinor: number;
  currency: string;
  /** The fields the change moved, by name. */
  changedFields: string[];
}

/** The English reason of a refusal, as `notAppliedReason` and the API have always given it. */
export function reasonOf(refusal: ChangeRefusal): string {
  switch (refusal.why) {
    case 'change_status':
      return `the change is ${refusal.status}`;
    case 'status':
      return `the subscription is ${refusal.status}`;
    case 'term':
      return `the change was priced for term ${refusal.pricedTerm}, the policy is in term ${refusal.term}`;
    case 'premium':
      return `the change was priced for a premium of ${refusal.pricedPremium}, the policy is at ${refusal.premium}`;
    case 'no_version':
      return 'the subscription has no version yet';
    case 'version':
      return `version ${refusal.version} is effective from ${refusal.versionFrom}`;
    case 'claims':
      return `the change would ${COVER_MOVES[refusal.way]} on or after ${refusal.effectiveDate}: ${refusal.claimNumbers}`;
  }
}

/** A change the run may no longer carry out: withdrawn, or priced for a term, a status or a premium the policy has left. */
export interface RefusedPolicyChange {
  outcome: 'refused';
  reason: string;
  /** The reason's facts, for the holder's mail; absent where only the English is known (a change ended before they were kept). */
  refusal?: ChangeRefusal;
  /** The change ended `not_applied` (a scheduled change on its day), now or on an earlier attempt: its holder is told. */
  notApplied?: { effectiveDate: string };
}

const termsOf = (row: Terms): Terms => ({
  planId: row.planId,
  coverageAmount: row.coverageAmount,
  premium: row.premium,
  propertyAddress: row.propertyAddress ?? null,
  holderPhone: row.holderPhone ?? null,
});

/** Whether a change leaves a term as it was: the cover and the premium as amounts ("30000.00" yen by a plan, "30000" by a price). */
function sameTerm(field: (typeof CHANGEABLE)[number], before: Terms, after: Terms, currency: string): boolean {
  if (field === 'coverageAmount' || field === 'premium') return sameAmount(before[field], after[field], currency);
  return JSON.stringify(before[field]) === JSON.stringify(after[field]);
}

function differences(before: Terms, after: Terms, currency: string): ChangedFields {
  const changed: ChangedFields = {};
  for (const field of CHANGEABLE) {
    if (!sameTerm(field, before, after, currency)) changed[field] = { before: before[field], after: after[field] };
  }
  return changed;
}

/**
 * The fields a version's change moved, in the order of CHANGEABLE (jsonb keeps its keys in an order
 * of its own).
 */
const changedFieldsOf = (version: SubscriptionVersion): string[] => CHANGEABLE.filter((field) => field in version.fieldChanges);

async function answerOf(version: SubscriptionVersion, change: SubscriptionChange, transaction: Transaction): Promise<AppliedPolicyChange> {
  // Deleted plans too: a policy keeps its plan when the plan is deleted (docs/subscriptions.md, Catalog).
  const plan = await Plan.findByPk(version.planId, { attributes: ['name'], paranoid: false, rejectOnEmpty: true, transaction });
  return {
    outcome: 'applied',
    subscriptionId: version.subscriptionId,
    versionNumber: version.number,
    effectiveDate: String(version.effectiveFrom),
    planId: version.planId,
    planName: plan.name,
    coverageAmount: version.coverageAmount,
    premium: version.premium,
    premiumDeltaMinor: change.premiumDeltaMinor,
    currency: change.currency,
    changedFields: changedFieldsOf(version),
  };
}

/** Why the change cannot be carried out now, if it cannot. */
function refusalOf(change: SubscriptionChange, subscription: Subscription, latest: SubscriptionVersion | null): ChangeRefusal | null {
  if (change.status !== 'quoted' && change.status !== 'scheduled') return { why: 'change_status', status: change.status };
  if (subscription.status !== 'active' && subscription.status !== 'lapsed') return { why: 'status', status: subscription.status };
  if (subscription.renewalCount !== change.term) return { why: 'term', pricedTerm: change.term, term: subscription.renewalCount };
  // The API refuses a stale quote, but two confirmed at once both pass its check: the second to get here is priced
  // on terms the first replaced, and would be applied and billed on top of it. Compared as amounts: a change that
  // left the premium as it was, written otherwise ("30000.00" yen by a plan, "30000" by a price), replaced nothing.
  if (!sameAmount(change.premiumBefore, subscription.premium, change.currency))
    return { why: 'premium', pricedPremium: change.premiumBefore, premium: subscription.premium, currency: change.currency };
  if (!latest) return { why: 'no_version' };
  if (change.effectiveDate < String(latest.effectiveFrom))
    return { why: 'version', version: latest.number, versionFrom: String(latest.effectiveFrom) };
  return null;
}

/**
 * Why the change may not move the cover of claims already made, if it may not (docs/claims.md, Cover
 * by policy version). Read under the subscription's lock, which filing a claim takes too: a claim
 * filed while the change was confirmed is either here, or waits and is then judged by the new version.
 */
async function claimsRefusalOf(
  sequelize: Sequelize,
  change: SubscriptionChange,
  coverageAfter: string,
  appliedAt: string,
  transaction: Transaction,
): Promise<ChangeRefusal | null> {
  const { effectiveDate } = change;
  // Agreed when confirmed (a scheduled change, days ago), or now as it is confirmed and applied at once.
  const agreedAt = change.confirmedAt ?? new Date(appliedAt);
  const move = await coverMoveOf(sequelize, change.subscriptionId, { effectiveDate, coverageAfter, agreedAt }, transaction);
  if (!move) return null;
  return { why: 'claims', way: move.way, effectiveDate, claimNumbers: move.claims.map((claim) => claim.claimNumber).join(', ') };
}

/** A scheduled change the run could not carry out on its day: `not_applied`, with the reason and its audit event. */
async function markNotApplied(
  change: SubscriptionChange,
  refusal: ChangeRefusal,
  request: CarryOutRequest,
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  const before = { status: change.status };
  const reason = reasonOf(refusal);
  // The facts too, so that a retry whose answer was lost tells the holder the same, in their language.
  await change.update(
    { status: 'not_applied', notAppliedReason: reason, notAppliedRefusal: refusal, notAppliedAt: new Date(request.appliedAt) },
    { transaction },
  );
  await recordAudit(
    source,
    {
      tenantId: change.tenantId,
      action: 'subscription.change_not_applied',
      entityType: 'subscription_change',
      entityId: change.id,
      before,
      after: { status: change.status, reason, effectiveDate: change.effectiveDate },
      dedupeKey: `${change.id}:not_applied`,
    },
    transaction,
  );
}

/**
 * The risk a change moves a rated policy's property to, priced on the plan it leaves the policy on as
 * its confirmation priced it (changePrice); none when the policy is not rated there.
 */
async function movedRiskOf(
  subscription: Subscription,
  change: SubscriptionChange,
  plan: Plan | null,
  transaction: Transaction,
): Promise<MovedRisk | undefined> {
  const on = plan ?? (await Plan.findByPk(subscription.planId, { paranoid: false, rejectOnEmpty: true, transaction }));
  return (await changePrice(subscription, on, change.requested.propertyAddress, transaction)).movedRisk;
}

export async function carryOutPolicyChange(
  sequelize: Sequelize,
  request: CarryOutRequest,
  source: AuditSource,
): Promise<AppliedPolicyChange | RefusedPolicyChange> {
  return sequelize.transaction(async (transaction) => {
    const found = await SubscriptionChange.findByPk(request.changeId, { attributes: ['subscriptionId'], transaction });
    if (!found) return { outcome: 'refused', reason: 'no such change' };
    // The subscription's lock first, as billing takes it: two carry-outs of one change queue here.
    const subscription = await Subscription.findByPk(found.subscriptionId, {
      lock: transaction.LOCK.UPDATE,
      transaction,
      rejectOnEmpty: true,
    });
    const change = await SubscriptionChange.findByPk(request.changeId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
    // An earlier attempt ended it and its answer was lost: the same answer, with the reason it recorded.
    if (change.status === 'not_applied')
      return {
        outcome: 'refused',
        reason: change.notAppliedReason ?? 'not applied',
        ...(change.notAppliedRefusal && { refusal: change.notAppliedRefusal }),
        notApplied: { effectiveDate: change.effectiveDate },
      };
    if (change.status === 'applied') {
      const version = await SubscriptionVersion.findOne({ where: { changeId: change.id }, rejectOnEmpty: true, transaction });
      return answerOf(version, change, transaction);
    }
    const latest = await SubscriptionVersion.findOne({
      where: { subscriptionId: subscription.id },
      order: [['number', 'DESC']],
      transaction,
    });
    const { planId, propertyAddress, holderPhone } = change.requested;
    let refused = refusalOf(change, subscription, latest);
    // Deleted since too: confirming checked the plan could be changed to; the change was agreed on it (docs/subscriptions.md, Catalog).
    const plan = planId && !refused ? await Plan.findByPk(planId, { paranoid: false, rejectOnEmpty: true, transaction }) : null;
    // The cover it was quoted with: the plan's may have been changed since.
    const coverageAfter = plan && (change.coverageAfter ?? coverageOnPlan(subscription, plan));
    if (coverageAfter) refused = await claimsRefusalOf(sequelize, change, coverageAfter, request.appliedAt, transaction);
    if (refused || !latest) {
      const refusal: ChangeRefusal = refused ?? { why: 'no_version' };
      const reason = reasonOf(refusal);
      // A change confirmed for a later day waited for nothing: it ends here, and says why, instead of staying `scheduled`.
      if (change.status !== 'scheduled') return { outcome: 'refused', reason, refusal };
      await markNotApplied(change, refusal, request, source, transaction);
      return { outcome: 'refused', reason, refusal, notApplied: { effectiveDate: change.effectiveDate } };
    }

    // A rated policy's property moved: its risk there, priced as the change was, is the quote the policy is priced from now.
    const priced =
      propertyAddress && change.coverageAfter !== null ? await movedRiskOf(subscription, change, plan, transaction) : undefined;
    const appliedAt = new Date(request.appliedAt);
    const riskQuote = priced && (await recordMovedRisk(subscription, priced, { id: change.id, appliedAt }, transaction));

    const before = termsOf(subscription);
    const after: Terms = {
      ...before,
      ...(plan && coverageAfter && { planId: plan.id, coverageAmount: coverageAfter, premium: change.premiumAfter }),
      ...(riskQuote && { premium: change.premiumAfter }),
      ...(propertyAddress !== undefined && { propertyAddress }),
      ...(holderPhone !== undefined && { holderPhone }),
    };
    const version = await SubscriptionVersion.create(
      {
        tenantId: subscription.tenantId,
        subscriptionId: subscription.id,
        number: latest.number + 1,
        effectiveFrom: change.effectiveDate,
        currency: subscription.currency,
        ...after,
        changeId: change.id,
        fieldChanges: differences(before, after, change.currency),
        premiumDeltaMinor: change.premiumDeltaMinor,
        changedById: request.confirmedById,
      },
      { transaction },
    );
    await subscription.update({ ...after, ...(riskQuote && { quoteId: riskQuote.id }) }, { transaction });
    await change.update(
      {
        status: 'applied',
        appliedAt,
        confirmedById: change.confirmedById ?? request.confirmedById,
        confirmedAt: change.confirmedAt ?? appliedAt,
      },
      { transaction },
    );
    await recordPolicyChangedEvent(subscription, version, change, changedFieldsOf(version), transaction);
    const applied = await answerOf(version, change, transaction);
    // Last but for the audit event that names its invoices: billing an additional premium numbers its invoices, which
    // holds the tenant's invoice counter to the commit, so every other billing of the tenant waits for this one's
    // remaining statements (docs/premiums.md, Invoices).
    const money = await settleChangePremium(sequelize, change, subscription, request.appliedAt.slice(0, 10), transaction);
    await recordAudit(
      source,
      {
        tenantId: subscription.tenantId,
        action: 'subscription.change',
        entityType: 'subscription',
        entityId: subscription.id,
        // The holder's contact is named, never kept: the trail is not rewritten by an erasure (docs/privacy.md).
        before: { ...withoutContact(before), version: latest.number },
        after: {
          ...withoutContact(after),
          contactChanged: changedFieldsOf(version).filter((field) => CONTACT.includes(field)),
          ...(riskQuote && { quoteId: riskQuote.id }),
          version: version.number,
          changeId: change.id,
          effectiveDate: change.effectiveDate,
          premiumDeltaMinor: change.premiumDeltaMinor,
          invoices: money.invoices.map(({ number }) => number),
          credits: money.credits,
          refunds: money.refunds.map(({ id }) => id),
          unsettledMinor: money.unsettledMinor,
        },
        dedupeKey: `${change.id}:applied`,
      },
      transaction,
    );
    return applied;
  });
}
