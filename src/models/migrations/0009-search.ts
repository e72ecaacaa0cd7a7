/**
 * Trigram search on claims, subscriptions and users (see src/models/search.ts). pg_trgm and
 * unaccent ship with PostgreSQL (contrib) and are trusted extensions: a database owner may
 * create them without superuser rights.
 */
import { SEARCH_COLUMN, SEARCH_FUNCTION, SearchableTable } from '../search';
import { MigrationFn } from './helpers';

/** What each table's search document is made of. */
const SOURCES: Record<SearchableTable, string> = {
  claims: `claim_number || ' ' || description`,
  subscriptions: 'id::text',
  users: `full_name || ' ' || email`,
};
const TABLES = Object.keys(SOURCES) as SearchableTable[];

export const up: MigrationFn = async (qi) => {
  const sql = (text: string) => qi.sequelize.query(text);
  await sql('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await sql('CREATE EXTENSION IF NOT EXISTS unaccent');
  // Schema-qualified so the function means the same thing whatever the caller's search_path.
  await sql(`CREATE OR REPLACE FUNCTION ${SEARCH_FUNCTION}(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$`);
  for (const table of TABLES) {
    await sql(`ALTER TABLE ${table} ADD COLUMN ${SEARCH_COLUMN} text GENERATED ALWAYS AS (${SEARCH_FUNCTION}(${SOURCES[table]})) STORED`);
    await sql(`CREATE INDEX ${table}_search_trgm ON ${table} USING gin (${SEARCH_COLUMN} gin_trgm_ops)`);
  }
};

export const down: MigrationFn = async (qi) => {
  for (const table of TABLES) await qi.removeColumn(table, SEARCH_COLUMN);
  await qi.sequelize.query(`DROP FUNCTION IF EXISTS ${SEARCH_FUNCTION}(text)`);
};
