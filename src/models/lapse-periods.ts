/**
 * A subscription's lapse periods (migration 0044): written by its run, read when a claim is filed and by a cancellation's refund.
 * Each write is one guarded statement, so a retried activity changes nothing more.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export interface LapsePeriod {
  startedOn: string;
  /** The day coverage came back; null while the lapse lasts. */
  endedOn: string | null;
}

/** Records that coverage is suspended from `startedOn` (once per start day). */
export async function recordLapseStart(
  sequelize: Sequelize,
  lapse: { tenantId: string; subscriptionId: string; startedOn: string },
): Promise<void> {
  await sequelize.query(
    `INSERT INTO lapse_periods (tenant_id, subscription_id, started_on) VALUES (:tenantId, :subscriptionId, :startedOn)
     ON CONFLICT (subscription_id, started_on) DO NOTHING`,
    { replacements: lapse },
  );
}

/** Closes the open lapse of the subscription: it covers again from `endedOn`. */
export async function endLapse(sequelize: Sequelize, subscriptionId: string, endedOn: string): Promise<void> {
  await sequelize.query(
    `UPDATE lapse_periods SET ended_on = greatest(:endedOn::date, started_on), updated_at = now()
     WHERE subscription_id = :subscriptionId AND ended_on IS NULL`,
    { replacements: { subscriptionId, endedOn } },
  );
}

/** The lapse of the subscription that the day falls in, if any. */
export async function lapseOn(
  sequelize: Sequelize,
  subscriptionId: string,
  day: string,
  transaction?: Transaction,
): Promise<LapsePeriod | null> {
  const [lapse] = await sequelize.query<LapsePeriod>(
    `SELECT started_on::text AS "startedOn", ended_on::text AS "endedOn" FROM lapse_periods
     WHERE subscription_id = :subscriptionId AND started_on <= :day AND (ended_on IS NULL OR ended_on > :day)
     ORDER BY started_on LIMIT 1`,
    { type: QueryTypes.SELECT, replacements: { subscriptionId, day }, transaction },
  );
  return lapse ?? null;
}

/** The subscription's lapses that overlap the days from `from` to `until` (exclusive), in order. */
export function lapsesWithin(
  sequelize: Sequelize,
  subscriptionId: string,
  days: { from: string; until: string },
  transaction?: Transaction,
): Promise<LapsePeriod[]> {
  return sequelize.query<LapsePeriod>(
    `SELECT started_on::text AS "startedOn", ended_on::text AS "endedOn" FROM lapse_periods
     WHERE subscription_id = :subscriptionId AND started_on < :until AND (ended_on IS NULL OR ended_on > :from)
     ORDER BY started_on`,
    { type: QueryTypes.SELECT, replacements: { subscriptionId, ...days }, transaction },
  );
}
