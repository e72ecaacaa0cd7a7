/**
 * The role the API and workers connect as in docker-compose.yml: it reads and writes rows and
 * changes nothing else. No DDL (tables, indexes, triggers such as audit_events' append-only guard
 * stay as the migrations left them), while the migrations keep running as the owner. Name and
 * password come from DB_APP_ROLE and DB_APP_ROLE_PASSWORD; without them (tests, the embedded
 * stack, where one role does everything) this migration does nothing.
 */
import { loadAppRole } from '../../config';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  const role = loadAppRole();
  if (!role) return;
  const sql = (statement: string) => qi.sequelize.query(statement);
  const name = qi.quoteIdentifier(role.name);
  const password = qi.sequelize.escape(role.password);
  // A new role has PostgreSQL's defaults: no superuser, no CREATEDB, no CREATEROLE. One that exists
  // already (a database restored next to a running cluster) keeps its attributes and gets the password.
  await sql(`DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = ${qi.sequelize.escape(role.name)})
    THEN ALTER ROLE ${name} WITH LOGIN PASSWORD ${password};
    ELSE CREATE ROLE ${name} WITH LOGIN PASSWORD ${password};
    END IF;
  END $$`);
  const [[{ database }]] = (await qi.sequelize.query('SELECT current_database() AS database')) as [Array<{ database: string }>, unknown];
  await sql(`GRANT CONNECT ON DATABASE ${qi.quoteIdentifier(database)} TO ${name}`);
  await sql(`GRANT USAGE ON SCHEMA public TO ${name}`);
  await sql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${name}`);
  await sql(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${name}`);
  // Tables and sequences later migrations create (run by this same owner) are granted as they appear.
  await sql(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${name}`);
  await sql(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO ${name}`);
};

export const down: MigrationFn = async (qi) => {
  const role = loadAppRole();
  if (!role) return;
  const name = qi.quoteIdentifier(role.name);
  // Its grants and default privileges in this database; the role itself may serve other databases.
  await qi.sequelize.query(`DROP OWNED BY ${name}`);
};
