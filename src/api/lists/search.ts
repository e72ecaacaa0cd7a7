/**
 * `?q=` on lists: the rows whose search document (src/models/search.ts) contains the text,
 * ignoring case and accents, found through the trigram indexes.
 */
import Joi from 'joi';
import { literal, Op, WhereOptions } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { SEARCH_COLUMN, SEARCH_FUNCTION } from '../../models/search';

export const SEARCH_MIN_LENGTH = 3;
export const SEARCH_MAX_LENGTH = 100;

/**
 * Three characters make the first trigram: anything shorter cannot use the index and would
 * scan the whole tenant. Control characters are refused, not searched for.
 */
export const searchParam = Joi.string()
  .trim()
  .min(SEARCH_MIN_LENGTH)
  .max(SEARCH_MAX_LENGTH)
  // Printable characters of the Basic Multilingual Plane: the same class in every regex dialect
  // (the OpenAPI document shows it to clients), and a length counted the same way by all of them.
  .pattern(/^[\x20-\x7e\xa0-\ud7ff\ue000-\uffff]*$/, 'printable text')
  .description(`Partial, case- and accent-insensitive text search (${SEARCH_MIN_LENGTH} to ${SEARCH_MAX_LENGTH} characters)`);

/** A LIKE pattern matching `text` anywhere, its own % _ and \ taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** SQL: the search document of the row in scope contains `text`. */
function documentContains(sequelize: Sequelize, text: string): string {
  return `${SEARCH_COLUMN} LIKE ${SEARCH_FUNCTION}(${sequelize.escape(containsPattern(text))})`;
}

/**
 * The rows matching `text` by their own document or, with `holder`, by the name or e-mail of
 * the user that column points to. The matching users are collected first (ARRAY(...) runs once),
 * so PostgreSQL can OR two index scans: the trigram index and the index on the holder column.
 */
export function searchWhere(
  sequelize: Sequelize,
  tenantId: string,
  text: string,
  holder?: 'claimant_id' | 'policyholder_id',
): WhereOptions {
  const own = documentContains(sequelize, text);
  if (!holder) return { [Op.and]: [literal(own)] };
  const holders = `SELECT id FROM users WHERE tenant_id = ${sequelize.escape(tenantId)} AND ${documentContains(sequelize, text)}`;
  return { [Op.and]: [literal(`(${own} OR ${holder} = ANY (ARRAY(${holders})))`)] };
}
