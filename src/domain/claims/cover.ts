/**
 * Which policy version covers a claim (docs/claims.md, Cover by policy version): a claim is judged
 * by the terms in force on its incident date, not by the policy's latest terms, except that a change
 * agreed after the incident never gives it more cover than the policy had then: cover is not bought
 * after the loss, while a cut takes effect as agreed. A change that would move the cover of a claim
 * already made is refused before it is applied. Filing a claim and applying a change both hold the
 * subscription's row, so each judges what the other committed.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ClaimStage } from '../../contracts/claim';
import { Claim, type Subscription, SubscriptionVersion } from '../../models';

/** The terms that judge a claim: the version chosen by the rule above and the cover it gives. */
export interface Cover {
  /** Null only for a subscription not yet dated, which has no version yet and covers nothing (`coverageRefusal` refuses it). */
  version: SubscriptionVersion | null;
  coverageAmount: string;
}

/**
 * The instant a claim's incident is taken to have happened: the start (00:00 UTC) of its day. A claim keeps
 * only the day; the hour a holder names is their word alone, and read as it is a holder who raised their cover
 * in the afternoon could name an evening hour for a loss of the night before. So a change agreed on the
 * incident's own day never raises its cover (the holder's loss at worst: a raise agreed that morning does not
 * reach a loss of that evening), and a raise agreed on an earlier day, a scheduled one too, does.
 */
const incidentInstant = (day: string) => `CAST(${day} AS timestamp) AT TIME ZONE 'UTC'`;

/**
 * When a version was agreed: its change's confirmation, else when it was written. A scheduled change is
 * agreed when it is confirmed; its version is written by the run on its day, after some of that day has gone.
 */
const AGREED_AT = 'COALESCE(ch.confirmed_at, v.created_at)';

/**
 * SQL: the id and cover of the version of `subscription` in force on `day` (SQL expressions), the highest
 * number effective by then; with `agreedBy`, among those agreed by the incident's instant. Version 1, the
 * policy as issued, always counts as agreed by then: a policy covers whole days from its start date, so one
 * issued on the incident's day covers it (that it was bought after the loss is not a question of versions).
 */
function versionInForceSql(subscription: string, day: string, agreedBy: boolean): string {
  const agreed = agreedBy ? `AND (v.number = 1 OR ${AGREED_AT} <= ${incidentInstant(day)})` : '';
  return `SELECT v.id, v.coverage_amount FROM subscription_versions v
    LEFT JOIN subscription_changes ch ON ch.id = v.change_id
    WHERE v.subscription_id = ${subscription} AND v.effective_from <= ${day} ${agreed}
    ORDER BY v.number DESC LIMIT 1`;
}

/**
 * SQL, one row (none before the policy's first day): the version that judges a claim on `subscription` for an
 * incident on `day` and its cover (`version_id`, `coverage_amount`), and the cover of the version in force that
 * day among those agreed by the incident (`agreed_coverage`). The version in force on the day judges, unless
 * the one agreed by the incident covers less: then that one does (a raise agreed after the loss). A cut agreed
 * after the loss covers less than the policy had, and judges as agreed.
 */
function judgingVersionSql(subscription: string, day: string): string {
  return `SELECT CASE WHEN agreed.coverage_amount < in_force.coverage_amount THEN agreed.id ELSE in_force.id END AS version_id,
      LEAST(in_force.coverage_amount, agreed.coverage_amount) AS coverage_amount,
      agreed.coverage_amount AS agreed_coverage
    FROM (${versionInForceSql(subscription, day, false)}) in_force
    LEFT JOIN (${versionInForceSql(subscription, day, true)}) agreed ON true`;
}

/**
 * The cover of the subscription for an incident on `incidentDate` (the rule above; the row's own for a
 * subscription not yet dated). Filing and approval both ask it, so a claim is judged by the same terms from
 * start to end.
 */
export async function coverOn(subscription: Subscription, incidentDate: string, transaction?: Transaction): Promise<Cover> {
  const sequelize = SubscriptionVersion.sequelize!;
  const [judging] = await sequelize.query<{ version_id: string }>(
    judgingVersionSql('CAST(:subscriptionId AS uuid)', 'CAST(:incidentDate AS date)'),
    { type: QueryTypes.SELECT, replacements: { subscriptionId: subscription.id, incidentDate }, transaction },
  );
  const version = judging ? await SubscriptionVersion.findByPk(judging.version_id, { transaction, rejectOnEmpty: true }) : null;
  return { version, coverageAmount: version?.coverageAmount ?? subscription.coverageAmount };
}

/**
 * The stages in which a claim's outcome is settled: nothing is left to pay, so a change of cover
 * no longer matters to it. An approved claim still waits for its payment, so it is not among them.
 */
const SETTLED_STAGES: ClaimStage[] = ['denied', 'paid', 'closed'];

/** A change of cover as the guard weighs it: from `effectiveDate` on, to `coverageAfter` (a decimal string), agreed at `agreedAt`. */
export interface CoverChange {
  effectiveDate: string;
  coverageAfter: string;
  /** Its confirmation; now for one not yet confirmed (a quote, a confirmation being applied). */
  agreedAt?: Date;
}

/**
 * The claims of the subscription with an incident on or after `effectiveDate` whose cover the change
 * would move, each judged as `coverOn` judges it before and after: `loses`, the claims not settled it
 * leaves with less cover; `gains`, every claim (a loss already reported, whatever became of it) it
 * gives more. After the change, its version is in force on their incident date; it is agreed by the
 * incident only for an incident whose day starts after the change is agreed. Ordered by claim number,
 * so a refusal names them in a stable order.
 */
export function claimsWhoseCoverMoves(
  sequelize: Sequelize,
  subscriptionId: string,
  { effectiveDate, coverageAfter, agreedAt = new Date(), way }: CoverChange & { way: 'loses' | 'gains' },
  transaction?: Transaction,
): Promise<Claim[]> {
  const moves = way === 'loses' ? 'c.status NOT IN (:settled) AND changed.coverage_amount <' : 'changed.coverage_amount >';
  return sequelize.query<Claim>(
    `SELECT c.* FROM claims c
     CROSS JOIN LATERAL (${judgingVersionSql('c.subscription_id', 'c.incident_date')}) judging
     CROSS JOIN LATERAL (
       SELECT LEAST(CAST(:coverageAfter AS numeric),
                    CASE WHEN ${incidentInstant('c.incident_date')} < :agreedAt THEN judging.agreed_coverage END) AS coverage_amount
     ) changed
     WHERE c.subscription_id = :subscriptionId AND c.incident_date >= :effectiveDate
       AND ${moves} judging.coverage_amount
     ORDER BY c.claim_number`,
    {
      type: QueryTypes.SELECT,
      model: Claim,
      mapToModel: true,
      replacements: { subscriptionId, effectiveDate, coverageAfter, agreedAt, settled: SETTLED_STAGES },
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
 * Whether a change of cover would move the cover of claims already made (`claimsWhoseCoverMoves`,
 * either way), read in `transaction` when it is given.
 */
export async function coverMoveOf(
  sequelize: Sequelize,
  subscriptionId: string,
  change: CoverChange,
  transaction?: Transaction,
): Promise<CoverMove | null> {
  for (const way of ['loses', 'gains'] as const) {
    const claims = await claimsWhoseCoverMoves(sequelize, subscriptionId, { ...change, way }, transaction);
    if (claims.length > 0) return { way, claims };
  }
  return null;
}

/**
 * SQL: the claim `c` did not end denied, so it used the policy's cover: not denied, nor closed with nothing approved,
 * issued or paid (a payment approved but not issued is voided as the claim closes, src/workflows/claim/ledger.ts).
 */
const NOT_ENDED_DENIED = `c.status <> 'denied'
  AND (c.status <> 'closed' OR c.amount_approved IS NOT NULL
       OR EXISTS (SELECT 1 FROM payments p WHERE p.claim_id = c.id AND p.status IN ('issued', 'cleared')))`;

/**
 * Whether a claim made on the policy for a loss in the term [`termStart`, `termEnd`) was approved, or had money
 * approved, issued or paid: the term's premium is then earned in full and a cancellation refunds none of it
 * (docs/premiums.md, Refunds). A claim only filed or under review does not count (it may yet be denied), nor one
 * denied, nor one closed with nothing approved, issued or paid.
 */
export async function claimPaidInTerm(
  sequelize: Sequelize,
  subscriptionId: string,
  { termStart, termEnd }: { termStart: string; termEnd: string },
  transaction?: Transaction,
): Promise<boolean> {
  const [row] = await sequelize.query<{ paid: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM claims c
        WHERE c.subscription_id = :subscriptionId AND c.incident_date >= :termStart AND c.incident_date < :termEnd
          AND ${NOT_ENDED_DENIED}
          AND (c.status IN ('approved', 'payment_processing', 'paid') OR c.amount_approved IS NOT NULL
               OR EXISTS (SELECT 1 FROM payments p WHERE p.claim_id = c.id AND p.status IN ('approved', 'issued', 'cleared')))
     ) AS paid`,
    { type: QueryTypes.SELECT, replacements: { subscriptionId, termStart, termEnd }, transaction },
  );
  return row?.paid === true;
}
