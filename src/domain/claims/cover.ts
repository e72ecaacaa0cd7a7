/**
 * Which policy version covers a claim (docs/claims.md, Cover by policy version): a claim is judged
 * by the terms in force on its incident date, not by the policy's latest terms, and a change that
 * would take cover away from a claim still being worked on is refused before it is applied. Filing a
 * claim and applying a change both hold the subscription's row, so each judges what the other committed.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ClaimStage } from '../../contracts/claim';
import { Claim, type Subscription, SubscriptionVersion } from '../../models';

/** The terms that judge a claim: the policy version in force on its incident date and the cover it gives. */
export interface Cover {
  /** Null only for a subscription not yet dated, which has no version yet and covers nothing (`coverageRefusal` refuses it). */
  version: SubscriptionVersion | null;
  coverageAmount: string;
}

/**
 * The cover of the subscription on `incidentDate`: that of the version in force then, whatever was
 * changed later (the row's own for a subscription not yet dated). Filing and approval both ask
 * it, so a claim is judged by the same terms from start to end.
 */
export async function coverOn(subscription: Subscription, incidentDate: string, transaction?: Transaction): Promise<Cover> {
  const version = await SubscriptionVersion.versionInForce(subscription.id, incidentDate, transaction);
  return { version, coverageAmount: version?.coverageAmount ?? subscription.coverageAmount };
}

/**
 * The stages in which a claim's outcome is settled: nothing is left to pay, so a change of cover
 * no longer matters to it. An approved claim still waits for its payment, so it is not among them.
 */
const SETTLED_STAGES: ClaimStage[] = ['denied', 'paid', 'closed'];

/**
 * The claims of the subscription with an incident on or after `effectiveDate` whose cover a change
 * to `coverageAfter` (a decimal string) effective that day would move: `loses`, the claims not
 * settled that the version in force on their incident date covers for more; `gains`, every claim
 * (a loss already reported, whatever became of it) it covers for less. Ordered by claim number,
 * so a refusal names them in a stable order.
 */
export function claimsWhoseCoverMoves(
  sequelize: Sequelize,
  subscriptionId: string,
  { effectiveDate, coverageAfter, way }: { effectiveDate: string; coverageAfter: string; way: 'loses' | 'gains' },
  transaction?: Transaction,
): Promise<Claim[]> {
  const moves = way === 'loses' ? 'c.status NOT IN (:settled) AND in_force.coverage_amount >' : 'in_force.coverage_amount <';
  return sequelize.query<Claim>(
    `SELECT c.* FROM claims c
     CROSS JOIN LATERAL (
       SELECT v.coverage_amount FROM subscription_versions v
       WHERE v.subscription_id = c.subscription_id AND v.effective_from <= c.incident_date
       ORDER BY v.number DESC LIMIT 1
     ) in_force
     WHERE c.subscription_id = :subscriptionId AND c.incident_date >= :effectiveDate
       AND ${moves} CAST(:coverageAfter AS numeric)
     ORDER BY c.claim_number`,
    {
      type: QueryTypes.SELECT,
      model: Claim,
      mapToModel: true,
      replacements: { subscriptionId, effectiveDate, coverageAfter, settled: SETTLED_STAGES },
      transaction,
    },
  );
}

/** What a change that moves claims' cover would do, as its refusals word it (409, a change's `notAppliedReason`). */
export const COVER_MOVES = { loses: 'reduce the cover of open claims', gains: 'raise the cover of claims already made' } as const;

/** How a change of cover would move claims already made: the first way that moves any, and those claims. */
export interface CoverMove {
  way: 'loses' | 'gains';
  claims: Claim[];
}

/**
 * Whether a change to `coverageAfter` effective on `effectiveDate` would move the cover of claims
 * already made (`claimsWhoseCoverMoves`, either way), read in `transaction` when it is given.
 */
export async function coverMoveOf(
  sequelize: Sequelize,
  subscriptionId: string,
  change: { effectiveDate: string; coverageAfter: string },
  transaction?: Transaction,
): Promise<CoverMove | null> {
  for (const way of ['loses', 'gains'] as const) {
    const claims = await claimsWhoseCoverMoves(sequelize, subscriptionId, { ...change, way }, transaction);
    if (claims.length > 0) return { way, claims };
  }
  return null;
}
