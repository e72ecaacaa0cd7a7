/**
 * Trigram search: each searchable table has a stored, generated `search_document` column (its
 * searchable text, lower-cased and without accents) with a pg_trgm GIN index (migration 0009).
 * A query matches when its text, normalised the same way, appears anywhere in the document.
 * Stored rather than computed in the index expression: every match is re-checked against the
 * row, and reading a column is far cheaper than running unaccent() again on thousands of rows.
 */

/**
 * `search_text(text)` = lower(unaccent(text)). unaccent() itself is only STABLE (its dictionary
 * could change), which PostgreSQL refuses in generated columns and indexes; the wrapper pins
 * the dictionary and is declared IMMUTABLE.
 */
export const SEARCH_FUNCTION = 'search_text';
export const SEARCH_COLUMN = 'search_document';

export type SearchableTable = 'claims' | 'subscriptions' | 'users';
