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

/** SQL: `document` (the search document of the row in scope, unless another is given) contains `text`. */
function documentContains(sequelize: Sequelize, text: string, document = SEARCH_COLUMN): string {
  return `${document} LIKE ${SEARCH_FUNCTION}(${sequelize.escape(containsPattern(text))})`;
}

/**
 * A `?q=` search of a list (src/api/lists/pagination.ts adds it to the list's filters): the rows
 * whose own document contains the text or, with a holder column, whose holder's name or e-mail
 * does. The same matches in three forms, one for each statement that reads them:
 *
 * - `where`, the page's sort of every match: the matching users are collected first (ARRAY(...)
 *   runs once), so PostgreSQL can OR two index scans, the trigram index and the holder column's.
 * - `walked`, the walk of the list's first rows (src/api/lists/search-walk.ts): each walked row's
 *   holder is read by its key, so the walk costs its rows, not every user bearing a common name
 *   (7,151 of them, 3.5 ms, at 1,000,000 policies: docs/performance.md, What keeps searches flat).
 * - `alternatives`, for the total (src/api/lists/capped-count.ts): conditions of their own whose
 *   union is the matches, each counted up to the cap, the holders' as a join that stops there.
 *   Counted as the OR, a common name first collected every policy of those users (71,510).
 */
export interface TextSearch {
  where: WhereOptions;
  /** SQL over the walked rows' columns. */
  walked: string;
  alternatives: WhereOptions[];
}

export function textSearch(sequelize: Sequelize, tenantId: string, text: string, holder?: 'claimant_id' | 'policyholder_id'): TextSearch {
  const own = documentContains(sequelize, text);
  const ownOnly = { [Op.and]: [literal(own)] };
  if (!holder) return { where: ownOnly, walked: own, alternatives: [ownOnly] };
  const tenant = sequelize.escape(tenantId);
  const holders = `SELECT id FROM users WHERE tenant_id = ${tenant} AND ${own}`;
  const holderDocument = `(SELECT holder.${SEARCH_COLUMN} FROM users AS holder WHERE holder.id = ${holder} AND holder.tenant_id = ${tenant})`;
  return {
    where: { [Op.and]: [literal(`(${own} OR ${holder} = ANY (ARRAY(${holders})))`)] },
    walked: `(${own} OR ${documentContains(sequelize, text, holderDocument)})`,
    alternatives: [ownOnly, { [Op.and]: [literal(`${holder} IN (${holders})`)] }],
  };
}
