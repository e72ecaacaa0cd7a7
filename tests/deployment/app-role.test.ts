/**
 * Migration 0014 on the real PostgreSQL, the way docker-compose.yml runs it: every migration
 * applied by a table owner that is not a superuser (docker/postgres-init.sh gives it CREATEROLE
 * and nothing more), with DB_APP_ROLE set. The role it creates reads and writes rows, including
 * tables created by later migrations, and can change no schema.
 */
import crypto from 'node:crypto';
import { Client } from 'pg';
import { ConfigError, loadAppRole } from '../../src/config';
import { createSequelize } from '../../src/models/database';
import { migrateUp } from '../../src/models/migrator';
import * as appRoleMigration from '../../src/models/migrations/0014-app-role';
import { createTestDatabase } from '../support/database';
import { requiredEnv } from '../support/env';

const suffix = crypto.randomBytes(4).toString('hex');
const OWNER = { name: `owner_${suffix}`, password: crypto.randomBytes(12).toString('hex') };
const APP = { name: `app_${suffix}`, password: `it's ${crypto.randomBytes(12).toString('hex')}` };
const DATABASE = `app_role_${suffix}`;

function urlAs(role: { name: string; password: string }, database: string): string {
  const url = new URL(requiredEnv('INSURFLOW_TEST_PG_URL'));
  url.username = role.name;
  url.password = role.password;
  url.pathname = `/${database}`;
  return url.toString();
}

async function connectAs(role: { name: string; password: string }): Promise<Client> {
  const client = new Client({ connectionString: urlAs(role, DATABASE) });
  await client.connect();
  return client;
}

async function superuser(): Promise<Client> {
  const client = new Client({ connectionString: requiredEnv('INSURFLOW_TEST_PG_URL').replace(/\/[^/]+$/, '/postgres') });
  await client.connect();
  return client;
}

describe('the application role of migration 0014', () => {
  let app: Client;
  let owner: Client;

  beforeAll(async () => {
    const admin = await superuser();
    await admin.query(`CREATE ROLE ${OWNER.name} LOGIN CREATEROLE PASSWORD '${OWNER.password}'`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${OWNER.name}`);
    await admin.end();
    process.env.DB_APP_ROLE = APP.name;
    process.env.DB_APP_ROLE_PASSWORD = APP.password;
    const sequelize = createSequelize(urlAs(OWNER, DATABASE));
    try {
      expect(await migrateUp(sequelize)).toContain('0014-app-role');
    } finally {
      await sequelize.close();
      delete process.env.DB_APP_ROLE;
      delete process.env.DB_APP_ROLE_PASSWORD;
    }
    app = await connectAs(APP);
    owner = await connectAs(OWNER);
  }, 120_000);

  afterAll(async () => {
    await app?.end();
    await owner?.end();
  });

  it('is an ordinary login role: no superuser, no database or role creation', async () => {
    const { rows } = await owner.query('SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = $1', [
      APP.name,
    ]);
    expect(rows).toEqual([{ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true }]);
  });

  it('reads, inserts (sequences included), updates and deletes rows', async () => {
    const tenant = await app.query(`INSERT INTO tenants (name, slug) VALUES ('Role Test', 'role-test-${suffix}') RETURNING id`);
    const tenantId = tenant.rows[0].id as string;
    await app.query(`UPDATE tenants SET name = 'Role Test renamed' WHERE id = $1`, [tenantId]);
    expect((await app.query('SELECT name FROM tenants WHERE id = $1', [tenantId])).rows).toEqual([{ name: 'Role Test renamed' }]);
    // audit_events.id comes from a sequence.
    const event = await app.query(
      `INSERT INTO audit_events (tenant_id, actor_type, action, entity_type, entity_id) VALUES ($1, 'system', 'role.test', 'tenant', $2) RETURNING id`,
      [tenantId, tenantId],
    );
    expect(Number(event.rows[0].id)).toBeGreaterThan(0);
    await app.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
    expect((await app.query('SELECT count(*)::int AS n FROM tenants WHERE id = $1', [tenantId])).rows).toEqual([{ n: 0 }]);
  });

  it('may not create, alter or drop tables', async () => {
    await expect(app.query('CREATE TABLE intruder (id int)')).rejects.toMatchObject({ code: '42501' });
    await expect(app.query('DROP TABLE tenants')).rejects.toMatchObject({ code: '42501' });
    // Not even to switch off the audit trail's append-only trigger.
    await expect(app.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change')).rejects.toMatchObject({ code: '42501' });
    expect((await owner.query(`SELECT to_regclass('intruder') AS intruder, to_regclass('tenants') IS NOT NULL AS tenants`)).rows).toEqual([
      { intruder: null, tenants: true },
    ]);
  });

  it('reads and writes a table the owner creates later, as a later migration would', async () => {
    await owner.query('CREATE TABLE later_table (id bigserial PRIMARY KEY, note text)');
    await app.query(`INSERT INTO later_table (note) VALUES ('granted by default privileges')`);
    expect((await app.query('SELECT note FROM later_table')).rows).toEqual([{ note: 'granted by default privileges' }]);
  });

  it('is not created when DB_APP_ROLE is unset (tests, the embedded stack)', async () => {
    const db = await createTestDatabase();
    try {
      const roles = () => db.sequelize.query('SELECT rolname FROM pg_roles ORDER BY rolname', { plain: false, raw: true });
      const before = await roles();
      await appRoleMigration.up(db.sequelize.getQueryInterface());
      expect(await roles()).toEqual(before);
    } finally {
      await db.close();
    }
  });

  it('refuses a malformed role name, and a name without a password, naming the variable', () => {
    expect(() => loadAppRole({ DB_APP_ROLE: 'app"; DROP TABLE tenants; --', DB_APP_ROLE_PASSWORD: 'x' })).toThrow(ConfigError);
    expect(() => loadAppRole({ DB_APP_ROLE: 'Insurflow_App', DB_APP_ROLE_PASSWORD: 'x' })).toThrow(
      /"DB_APP_ROLE" must be a lower-case PostgreSQL role name/,
    );
    expect(() => loadAppRole({ DB_APP_ROLE: 'insurflow_app' })).toThrow(/DB_APP_ROLE_PASSWORD/);
    expect(loadAppRole({})).toBeUndefined();
  });
});
