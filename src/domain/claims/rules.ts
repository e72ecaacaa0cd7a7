/**
 * Claim rules that are not about HTTP: whether a subscription covers a claim, whether a claim is
 * still open, who counts as its claimant, how a claim is numbered and named, and the tenant
 * settings its run starts with.
 */
import { Op, type Sequelize, type Transaction } from 'sequelize';
import type { Actor } from '../../contracts/actor';
import { type AssignmentRequest, ClaimSettings, claimRun } from '../../contracts/claim';
import { Claim, Subscription, Tenant, TenantSettings, User } from '../../models';
import { claimAccess } from '../../access/claims';
import { findVisible } from '../../access/core';
import type { AuthUser } from '../../shared/caller';
import type { Cover } from './cover';
import { type CoverEnd, coverStartOf, dayBefore } from '../subscriptions/cover';
import { lapseOn } from '../../models/lapse-periods';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { ownClaim, unprocessable } from '../../shared/errors';
import { formatClaimAmount } from '../../shared/money';
import { mailboxOf } from '../identity/mailboxes';
import { assertInvitationAccepted } from '../users/named-accounts';

/**
 * A closed claim's run has ended, so no validator is left to refuse a move: the refusal is the one
 * the claim rules give an illegal move (409 `invalid_transition`, no allowed stages).
 */
export function assertClaimOpen(claim: Claim): void {
  if (claim.status === 'closed') {
    throw businessFailure(BusinessErrorType.InvalidTransition, `Claim ${claim.claimNumber} is closed`, {
      field: 'to',
      from: 'closed',
      allowed: [],
    });
  }
}

export interface CoverageRefusal {
  field: 'subscriptionId' | 'incidentDate' | 'amountClaimed';
  summary: string;
  message: string;
}

/**
 * Why the subscription does not cover a claim for this incident and amount; null when it does. The
 * amount is judged by the cover on the incident date (`coverOn`, cover.ts), not by the latest terms.
 * A policy whose cover has ended (expired, cancelled) still covers the incidents before it ended
 * (`end`, from `coverEndOf`); one whose cover never began, or was cancelled on the day it began before
 * a loss of that day was claimed, covers nothing, and one whose cover began after its start date (its
 * first premium paid or waived later) covers from that day (`coverStartOf`). A cancelled one covers
 * its cancellation's day only for the losses claimed before the cancellation: this claim, filed after
 * it, is not one of them. A lapsed one covers the incidents outside its lapses (`lapseRefusal`).
 */
export function coverageRefusal(
  subscription: Subscription,
  cover: Cover,
  end: CoverEnd | null,
  incidentDate: string,
  amountClaimed: number,
): CoverageRefusal | null {
  const first = coverStartOf(subscription);
  if (!first || !subscription.startDate || !end) {
    return {
      field: 'subscriptionId',
      summary: 'Claims are filed against a policy whose cover has begun',
      message:
        subscription.status === 'cancelled'
          ? 'the policy was cancelled before its cover began'
          : `the subscription is ${subscription.status}`,
    };
  }
  if (incidentDate < first && first > subscription.startDate) {
    return {
      field: 'incidentDate',
      summary: 'The incident date is before the policy’s cover began',
      message: `the policy’s cover began on ${first}, once its first premium was paid or waived: it covers incidents from then`,
    };
  }
  if (end.cancelledOn && end.lastDay < first) {
    return {
      field: 'subscriptionId',
      summary: 'Claims are filed against a policy whose cover has begun',
      message: `the policy was cancelled on ${end.cancelledOn}, the day its cover was to begin: it covered no day`,
    };
  }
  if (end.cancelledOn && incidentDate >= end.cancelledOn && incidentDate <= end.lastDay) {
    return {
      field: 'incidentDate',
      summary: 'The policy’s cover ended with its cancellation',
      message: `the policy was cancelled on ${end.cancelledOn}: only the losses of ${incidentDate} claimed before the cancellation are covered`,
    };
  }
  const ended = subscription.status === 'expired' || subscription.status === 'cancelled';
  if (ended && incidentDate > end.lastDay) {
    return {
      field: 'incidentDate',
      summary: 'The incident date is after the policy’s cover ended',
      message: end.cancelledOn
        ? `the policy was cancelled on ${end.cancelledOn}: it covered ${coveredUntil(end.cancelledOn, end.lastDay, first)}`
        : `the policy expired: it covered incidents until ${end.lastDay}`,
    };
  }
  if (incidentDate < subscription.startDate || incidentDate > end.lastDay) {
    return {
      field: 'incidentDate',
      summary: 'The incident date is outside the coverage period',
      message: `must be between ${subscription.startDate} and ${end.lastDay}`,
    };
  }
  const { version, coverageAmount } = cover;
  if (amountClaimed > Number(coverageAmount)) {
    // Written as the answers write money: "3000000" yen, "40000.00" euros.
    const limit = formatClaimAmount(coverageAmount, version?.currency ?? subscription.currency ?? undefined);
    return {
      field: 'amountClaimed',
      summary: 'The amount claimed exceeds the coverage amount',
      message: version
        ? `must not exceed ${limit}, the cover of policy version ${version.number} in force on ${incidentDate}`
        : `must not exceed ${limit}`,
    };
  }
  return null;
}

/**
 * What a policy cancelled on `cancelledOn` covered, as a refusal words it: the incidents until the day before, and
 * from that day to `lastDay` (when not before it) only the losses claimed before the cancellation.
 */
function coveredUntil(cancelledOn: string, lastDay: string, first: string): string {
  const before = dayBefore(cancelledOn);
  if (lastDay <= before) return `incidents until ${lastDay}`;
  const claimed = `the losses of ${lastDay === cancelledOn ? cancelledOn : `${cancelledOn} to ${lastDay}`} claimed before the cancellation`;
  return before < first ? `only ${claimed}` : `incidents until ${before}, and ${claimed}`;
}

/**
 * Why an incident on this day is not covered because the subscription had lapsed for non-payment
 * then (docs/subscriptions.md, Premium timeline); null when it had not.
 */
export async function lapseRefusal(
  sequelize: Sequelize,
  subscriptionId: string,
  incidentDate: string,
  transaction?: Transaction,
): Promise<CoverageRefusal | null> {
  const lapse = await lapseOn(sequelize, subscriptionId, incidentDate, transaction);
  if (!lapse) return null;
  return {
    field: 'incidentDate',
    summary: 'The incident date falls in a lapse of the subscription: its premium was unpaid and coverage suspended',
    message: lapse.endedOn
      ? `coverage was suspended from ${lapse.startedOn} until ${lapse.endedOn}`
      : `coverage has been suspended since ${lapse.startedOn}`,
  };
}

/** The tenant's current claim durations and approval limits, fixed into the run at filing. */
export function claimSettingsOf(tenantId: string): Promise<ClaimSettings> {
  return TenantSettings.pickFor(tenantId, [
    'claimUnassignedEscalationHours',
    'claimDocumentsReminderDays',
    'claimDocumentsEscalationDays',
    'claimDocumentsAutoDenyDays',
    'claimDocumentsDeadlineUnit',
    'claimWaitingApprovalEscalationHours',
    'claimEscalationUnit',
    'approvalLimitAdjuster',
    'approvalLimitSeniorAdjuster',
    'reserveAuthorityAdjuster',
    'reserveAuthoritySeniorAdjuster',
  ]);
}

/**
 * The next claim number of the tenant for the filing year, and the run's workflow ID built from
 * it. Taken outside the filing's transaction so concurrent filings do not queue behind each
 * other; a failed filing leaves a gap in the numbering, never a duplicate.
 */
export async function numberClaim(tenantId: string, filedAt: Date): Promise<{ claimNumber: string; workflowId: string }> {
  const claimNumber = await Claim.nextClaimNumber(tenantId, filedAt.getUTCFullYear());
  const tenant = await Tenant.findByPk(tenantId, { rejectOnEmpty: true });
  return { claimNumber, workflowId: claimRun.id(tenant.slug, claimNumber) };
}

/**
 * Which of these users is the claim's claimant: the policyholder's own account, or another account
 * of the tenant on the same mailbox (the same person). Null when none is.
 */
export async function claimantAmong(claim: Claim, userIds: string[]): Promise<string | null> {
  if (userIds.includes(claim.claimantId)) return claim.claimantId;
  const users = await User.findAll({
    where: { tenantId: claim.tenantId, id: { [Op.in]: [claim.claimantId, ...userIds] } },
    attributes: ['id', 'email'],
  });
  const claimant = users.find((user) => user.id === claim.claimantId);
  if (!claimant) return null;
  return users.find((user) => user.id !== claimant.id && sameMailbox(user, claimant))?.id ?? null;
}

const sameMailbox = (a: Pick<User, 'email'>, b: Pick<User, 'email'>) => mailboxOf(a.email) === mailboxOf(b.email);

/**
 * What the API checks before it hands a person's decision on a claim to the claim's run, which
 * does not know the claimant's other accounts: the claim is still open and the actor is not its
 * claimant under any of their accounts (403 `own_claim`).
 */
export async function assertMayDecide(claim: Claim, actorId: string): Promise<void> {
  assertClaimOpen(claim);
  if (await claimantAmong(claim, [actorId])) throw ownClaim('You are the claimant of this claim: you cannot assign, review or decide it');
}

/**
 * The claim whose money (reserves, payments, the bank's answers, recoveries) the caller asks to
 * work: one they see (404 otherwise), of which they are not the claimant under any of their accounts
 * (403 `own_claim`). The run's validators know only the policyholder's own account, so another
 * account of the same person would otherwise set the reserve and ask for, or approve, payments on
 * their own claim.
 */
export async function findClaimToWorkMoneyOf(caller: AuthUser, id: string): Promise<Claim> {
  const claim = await findVisible(caller, claimAccess, id);
  if (await claimantAmong(claim, [caller.id])) throw ownClaim('You are the claimant of this claim: you cannot work its money');
  return claim;
}

/**
 * The assign Update's request once the API's checks pass (the claim's validator decides the
 * rest): `assertMayDecide`, the assignee an active user of the claim's tenant (422), and not its
 * claimant under any of their accounts (403 `own_claim`). One function for
 * `POST /claims/:id/assign` and for each item of a bulk reassignment, judged when it runs.
 */
export async function assignmentRequest(claim: Claim, actor: Actor, assigneeId: string, note?: string): Promise<AssignmentRequest> {
  await assertMayDecide(claim, actor.id);
  const assignee = await User.findOne({ where: { id: assigneeId, tenantId: claim.tenantId, isActive: true } });
  if (!assignee) throw unprocessable('No active user of the tenant has this id', [{ field: 'assigneeId', message: 'unknown user' }]);
  assertInvitationAccepted(assignee, 'assigneeId', 'The assignee');
  if (await claimantAmong(claim, [assigneeId]))
    throw ownClaim('The assignee is the claimant of this claim: the claimant cannot handle their own claim');
  return { actor, assigneeId, assigneeRole: assignee.role, note };
}
