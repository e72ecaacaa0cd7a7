/**
 * Trigram search: each searchable table has one "search document" expression, indexed with a
 * pg_trgm GIN index (migration 0009). A query matches when its text appears anywhere in the
 * document, ignoring case and accents. The query must use the very expression the index was
 * built on, so both read it from here; changing one means a new migration rebuilding the index.
 */

/**
 * `search_text(text)` = lower(unaccent(text)). unaccent() itself is only STABLE (its dictionary
 * could change), which PostgreSQL refuses in an index; the wrapper pins the dictionary and is
 * declared IMMUTABLE.
 */
export const SEARCH_FUNCTION = 'search_text';

export const SEARCH_DOCUMENTS = {
  claims: `${SEARCH_FUNCTION}(claim_number || ' ' || description)`,
  subscriptions: `${SEARCH_FUNCTION}(id::text)`,
  users: `${SEARCH_FUNCTION}(full_name || ' ' || email)`,
} as const;

export type SearchableTable = keyof typeof SEARCH_DOCUMENTS;

/** The index of each table's document. */
export const searchIndexName = (table: SearchableTable) => `${table}_search_trgm`;
