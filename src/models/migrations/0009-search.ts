/**
 * Trigram search on claims, subscriptions and users (see src/models/search.ts). pg_trgm and
 * unaccent ship with PostgreSQL (contrib) and are trusted extensions: a database owner may
 * create them without superuser rights.
 */
import { SEARCH_DOCUMENTS, SEARCH_FUNCTION, SearchableTable, searchIndexName } from '../search';
import { MigrationFn } from './helpers';

const TABLES = Object.keys(SEARCH_DOCUMENTS) as SearchableTable[];

export const up: MigrationFn = async (qi) => {
  const sql = (text: string) => qi.sequelize.query(text);
  await sql('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await sql('CREATE EXTENSION IF NOT EXISTS unaccent');
  // Schema-qualified so the function means the same thing whatever the caller's search_path.
  await sql(`CREATE OR REPLACE FUNCTION ${SEARCH_FUNCTION}(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$`);
  for (const table of TABLES) {
    await sql(`CREATE INDEX ${searchIndexName(table)} ON ${table} USING gin ((${SEARCH_DOCUMENTS[table]}) gin_trgm_ops)`);
  }
};

export const down: MigrationFn = async (qi) => {
  for (const table of TABLES) await qi.sequelize.query(`DROP INDEX IF EXISTS ${searchIndexName(table)}`);
  await qi.sequelize.query(`DROP FUNCTION IF EXISTS ${SEARCH_FUNCTION}(text)`);
};
