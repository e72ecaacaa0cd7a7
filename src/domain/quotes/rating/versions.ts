/**
 * A plan's rating versions (docs/quotes.md, Rating tables): each is the plan's tables from a date
 * on, numbered 1, 2, … per plan and never changed once saved, so a quote or a bound policy keeps the
 * tables that priced it. A new version starts today or later and after the latest one: a version
 * already in force is never displaced, and whatever was priced before its date keeps its price.
 */
import { Op, type Transaction } from 'sequelize';
import { planAccess } from '../../../access/catalog';
import { findVisible } from '../../../access/core';
import type { RatingTables } from '../../../contracts/quote';
import { Plan, RatingVersion } from '../../../models';
import type { AuthUser } from '../../../shared/caller';
import { conflict, unprocessable } from '../../../shared/errors';
import { DAY_MS, utcDay } from '../../../shared/time';
import { audited } from '../../audited';
import { announcePlanChange } from '../../catalog/plan-cache';
import type { Command } from '../../command';
import { assertRatingTables } from './tables';

/** How far ahead a version may start: a mistyped year (2062) would otherwise hold back every later version for good. */
const MAX_DAYS_AHEAD = 731;

export interface NewRatingVersion {
  /** The plan. */
  id: string;
  /** YYYY-MM-DD: quotes from this day on are priced by these tables. */
  effectiveFrom: string;
  tables: RatingTables;
}

/**
 * Saves a plan's new rating version: a plan of the caller's tenant (else 404), tables that price
 * sensibly in the plan's currency (else 422 naming each problem), a first day from today (UTC) to
 * MAX_DAYS_AHEAD ahead (else 422) and after the latest version's (else 409). Versions of one plan
 * are numbered under the plan's row lock, so two saves at once get 1 and 2 or a 409, never the same number.
 */
export const saveRatingVersion: Command<NewRatingVersion, RatingVersion> = async (caller, { id, effectiveFrom, tables }, deps) => {
  const plan = await findVisible(caller, planAccess, id);
  const now = new Date();
  const today = utcDay(now);
  const latestDay = utcDay(new Date(now.getTime() + MAX_DAYS_AHEAD * DAY_MS));
  if (effectiveFrom < today || effectiveFrom > latestDay)
    throw unprocessable(`A rating version starts from today (${today}) to ${latestDay}`, [
      { field: 'effectiveFrom', message: `${effectiveFrom} is not from ${today} to ${latestDay}` },
    ]);
  assertRatingTables(tables, plan.currency);
  return audited(
    deps,
    async (transaction) => {
      await Plan.findByPk(plan.id, { lock: transaction.LOCK.UPDATE, transaction });
      const latest = await RatingVersion.findOne({ where: { planId: plan.id }, order: [['number', 'DESC']], transaction });
      if (latest && effectiveFrom <= latest.effectiveFrom)
        throw conflict(`The plan's latest rating version (${latest.number}) starts on ${latest.effectiveFrom}: a new one starts after it`, [
          { field: 'effectiveFrom', message: `must be after ${latest.effectiveFrom}` },
        ]);
      // The API processes keep the version in force with the plan (src/domain/quotes/request.ts): they forget it at the commit.
      await announcePlanChange(deps.sequelize, plan.tenantId, transaction);
      return RatingVersion.create(
        { tenantId: plan.tenantId, planId: plan.id, number: (latest?.number ?? 0) + 1, effectiveFrom, tables, createdById: caller.id },
        { transaction },
      );
    },
    (version) => ({
      tenantId: plan.tenantId,
      action: 'plan.rating_version',
      entityType: 'plan',
      entityId: plan.id,
      after: { ratingVersionId: version.id, number: version.number, effectiveFrom: version.effectiveFrom, tables },
    }),
  );
};

/** A plan's rating versions, newest first (a plan the caller does not see is 404). */
export async function listRatingVersions(caller: AuthUser, planId: string): Promise<RatingVersion[]> {
  const plan = await findVisible(caller, planAccess, planId);
  const [versions] = await ratingVersionsOfEach([plan.id]);
  return versions;
}

/** The rating versions of each plan, newest first, in one statement (GraphQL reads a page of plans' at once). */
export async function ratingVersionsOfEach(planIds: readonly string[]): Promise<RatingVersion[][]> {
  const rows = await RatingVersion.findAll({ where: { planId: [...planIds] }, order: [['number', 'DESC']] });
  return planIds.map((planId) => rows.filter((row) => row.planId === planId));
}

/** The version that prices a risk of the plan on `date` (YYYY-MM-DD): the latest that starts on or before it; null: the plan's fixed premium. */
export function ratingVersionInForce(planId: string, date: string, transaction?: Transaction): Promise<RatingVersion | null> {
  return RatingVersion.findOne({
    where: { planId, effectiveFrom: { [Op.lte]: date } },
    order: [['effectiveFrom', 'DESC']],
    transaction,
  });
}

/** A rating version as quotes and policies name it: which one priced them, from when. */
export interface RatingVersionSummary {
  id: string;
  number: number;
  effectiveFrom: string;
}

/** The summaries of the versions `ids` names, by id, in one query (none for no ids). */
export async function ratingVersionSummaries(ids: readonly (string | null)[]): Promise<Map<string, RatingVersionSummary>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const versions = await RatingVersion.findAll({ where: { id: wanted }, attributes: ['id', 'number', 'effectiveFrom'] });
  return new Map(versions.map(({ id, number, effectiveFrom }) => [id, { id, number, effectiveFrom: String(effectiveFrom) }]));
}
