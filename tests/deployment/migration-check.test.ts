/**
 * The migration check (scripts/migration-check.ts, docs/deploying.md, Migrations that never stop the
 * service) on a copy of the migrated template: each migration that would stop the running release
 * is refused with its rule and a message naming the table, and the expand-then-contract steps
 * that do the same changes without stopping it pass.
 */
import { DataTypes } from 'sequelize';
import { concurrentIndexes, type MigrationFn } from '../../src/models/migrations/helpers';
import { checkMigration, type MigrationRefusal } from '../../scripts/migration-check';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** A migration of raw statements, run one by one as a migration file would. */
function statements(...sql: string[]): MigrationFn {
  return async (qi) => {
    for (const statement of sql) await qi.sequelize.query(statement);
  };
}

describe('migration check', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase({ poolMax: 2 });
  });
  afterEach(() => db.close());

  /** The refusals of each migration in turn, as [rule, message]. */
  async function check(...ups: MigrationFn[]): Promise<Array<[MigrationRefusal['rule'], string]>> {
    const refusals: MigrationRefusal[] = [];
    for (const [i, up] of ups.entries()) refusals.push(...(await checkMigration(db.sequelize, { name: `9${i}-test`, up })));
    return refusals.map((r) => [r.rule, r.message]);
  }

  it('accepts an expand: nullable column, concurrent index, constraints NOT VALID then validated, NOT NULL proven by a check, new table', async () => {
    const refusals = await check(
      async (qi) => qi.addColumn('claims', 'triage_note', { type: DataTypes.TEXT, allowNull: true }),
      concurrentIndexes([['claims_triage_note', 'claims (triage_note)']]).up,
      statements(
        'ALTER TABLE claims ADD COLUMN triage_score integer NOT NULL DEFAULT 0',
        'ALTER TABLE claims ADD CONSTRAINT claims_triage_score CHECK (triage_score >= 0) NOT VALID',
        'ALTER TABLE claims VALIDATE CONSTRAINT claims_triage_score',
        'ALTER TABLE claims ADD COLUMN triage_by_id uuid',
        'ALTER TABLE claims ADD CONSTRAINT claims_triage_by FOREIGN KEY (triage_by_id) REFERENCES users (id) NOT VALID',
        'ALTER TABLE claims VALIDATE CONSTRAINT claims_triage_by',
      ),
      statements(
        'ALTER TABLE claims ADD CONSTRAINT claims_triage_note_present CHECK (triage_note IS NOT NULL) NOT VALID',
        'ALTER TABLE claims VALIDATE CONSTRAINT claims_triage_note_present',
        'ALTER TABLE claims ALTER COLUMN triage_note SET NOT NULL',
        'ALTER TABLE claims DROP CONSTRAINT claims_triage_note_present',
      ),
      statements(
        'CREATE TABLE claim_triage (id uuid PRIMARY KEY, claim_id uuid NOT NULL REFERENCES claims (id), score integer NOT NULL CHECK (score >= 0))',
        'CREATE INDEX claim_triage_claim ON claim_triage (claim_id)',
      ),
    );
    expect(refusals).toEqual([]);
  });

  it('accepts a contract: a column dropped once no model reads it', async () => {
    const refusals = await check(
      statements('ALTER TABLE claims ADD COLUMN legacy_code text'),
      statements('ALTER TABLE claims DROP COLUMN legacy_code'),
    );
    expect(refusals).toEqual([]);
  });

  it('refuses an index built without CONCURRENTLY on an existing table', async () => {
    expect(await check(statements('CREATE INDEX claims_by_created ON claims (created_at)'))).toEqual([
      ['index', expect.stringMatching(/^builds index claims_by_created on claims without CONCURRENTLY: writes to claims wait/)],
    ]);
    expect(await check(statements('ALTER TABLE users ADD CONSTRAINT users_email_once UNIQUE (id, email)'))).toEqual([
      ['index', expect.stringMatching(/^builds index users_email_once on users without CONCURRENTLY/)],
    ]);
  });

  it('refuses a column or table the models still read, dropped or renamed', async () => {
    expect(await check(statements('ALTER TABLE users DROP COLUMN locale'))).toEqual([
      ['drop', expect.stringMatching(/^drops or renames column users\.locale, which model User still reads/)],
    ]);
    expect(await check(statements('ALTER TABLE claim_notes RENAME TO claim_comments'))).toEqual([
      ['drop', expect.stringMatching(/^drops or renames table claim_notes, which model ClaimNote still reads/)],
    ]);
  });

  it('refuses NOT NULL added in one step, and a NOT NULL column without a default', async () => {
    expect(await check(statements('ALTER TABLE users ALTER COLUMN locale SET NOT NULL'))).toEqual([
      ['not-null', expect.stringMatching(/^users\.locale: SET NOT NULL scans the table under ACCESS EXCLUSIVE/)],
    ]);
    expect(await check(statements('ALTER TABLE claims ADD COLUMN triage_score integer NOT NULL'))).toEqual([
      ['not-null', 'claims.triage_score: added NOT NULL without a default: a table with rows refuses it'],
    ]);
  });

  it('refuses a CHECK or FOREIGN KEY validated by the statement that adds it', async () => {
    expect(await check(statements('ALTER TABLE claims ADD CONSTRAINT claims_amount_sane CHECK (created_at IS NOT NULL)'))).toEqual([
      ['constraint', expect.stringMatching(/^adds constraint claims_amount_sane to claims validated at once/)],
    ]);
    expect(
      await check(async (qi) =>
        qi.addColumn('claims', 'triage_by_id', { type: DataTypes.UUID, references: { model: 'users', key: 'id' } }),
      ),
    ).toEqual([['constraint', expect.stringMatching(/^adds constraint claims_triage_by_id_fkey to claims validated at once/)]]);
  });

  it('refuses a constraint added NOT VALID and validated in the same transaction, which still holds the lock', async () => {
    const inOneTransaction: MigrationFn = async (qi) => {
      await qi.sequelize.transaction(async (transaction) => {
        await qi.sequelize.query('ALTER TABLE claims ADD CONSTRAINT claims_created CHECK (created_at IS NOT NULL) NOT VALID', {
          transaction,
        });
        await qi.sequelize.query('ALTER TABLE claims VALIDATE CONSTRAINT claims_created', { transaction });
      });
    };
    expect(await check(inOneTransaction)).toEqual([
      [
        'constraint',
        expect.stringMatching(/^validates constraint claims_created on claims in a transaction holding a lock that blocks writes/),
      ],
    ]);
  });

  it('refuses a table rewrite', async () => {
    expect(await check(statements('ALTER TABLE claims ADD COLUMN triage_ref uuid NOT NULL DEFAULT gen_random_uuid()'))).toEqual([
      ['rewrite', 'rewrites table claims under ACCESS EXCLUSIVE: reads and writes wait for the whole copy'],
    ]);
  });

  it('refuses a migration that fails, naming its error', async () => {
    expect(await check(statements('ALTER TABLE no_such_table ADD COLUMN x text'))).toEqual([
      ['fails', expect.stringMatching(/^fails: .*no_such_table/)],
    ]);
  });
});
