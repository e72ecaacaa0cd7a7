import { DataTypes, type ModelAttributes, QueryInterface, Sequelize, type Transaction } from 'sequelize';

/**
 * Sealing under the key derived from JWT_SECRET (src/services/sealed-secret.ts), for a migration
 * that rewrites secrets: the models layer cannot seal, so whoever runs the migrations hands it in.
 */
export interface SecretSealer {
  seal(purpose: string, owner: string, secret: string): string;
  /** The secret, or null when it cannot be read (another key, another owner). */
  open(purpose: string, owner: string, stored: string): string | null;
}

/** What the runner of the migrations gives them: the sealer where it has JWT_SECRET (scripts/migrate.ts, scripts/admin.ts). */
export interface MigrationContext {
  sealer?: SecretSealer;
}

export type MigrationFn = (queryInterface: QueryInterface, context?: MigrationContext) => Promise<void>;
export interface MigrationModule {
  up: MigrationFn;
  down: MigrationFn;
}

/**
 * Runs a migration's steps in one transaction, so they commit together or not at all: `sql` runs
 * a statement in it, and `transaction` goes to the query interface's own calls (createTable…).
 */
export function inOneTransaction(
  qi: QueryInterface,
  steps: (sql: (statement: string) => Promise<unknown>, transaction: Transaction) => Promise<void>,
): Promise<void> {
  return qi.sequelize.transaction((transaction) => steps((statement) => qi.sequelize.query(statement, { transaction }), transaction));
}

export const uuidPrimaryKey = {
  type: DataTypes.UUID,
  primaryKey: true,
  allowNull: false,
  defaultValue: Sequelize.literal('gen_random_uuid()'),
};

export const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
  updated_at: { type: DataTypes.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
};

export function references(table: string, onDelete: 'CASCADE' | 'RESTRICT' | 'SET NULL' = 'RESTRICT') {
  return { references: { model: table, key: 'id' }, onDelete, onUpdate: 'CASCADE' };
}

/**
 * Builds indexes without locking their tables against writes (`CREATE INDEX CONCURRENTLY`). An
 * attempt that failed half-way leaves an invalid index behind, dropped before the build is tried
 * again. `indexes` are `[name, "table (columns) [WHERE …]"]`.
 */
export function concurrentIndexes(indexes: ReadonlyArray<[name: string, definition: string]>): MigrationModule {
  return {
    up: async (qi) => {
      for (const [name, definition] of indexes) {
        await qi.sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
        await qi.sequelize.query(`CREATE INDEX CONCURRENTLY ${name} ON ${definition}`);
      }
    },
    down: async (qi) => {
      for (const [name] of indexes) await qi.sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    },
  };
}

/**
 * A value added to the CHECK constraint `constraint` of `table` that lists what `column` may hold
 * (`earlier` before it): the check is replaced in one transaction and added NOT VALID, then validated in a
 * transaction of its own, as reading every row takes no lock that stops new rows being written
 * (docs/deploying.md, the migration check). Down turns rows holding `value` into `fallback`, then
 * restores the earlier check.
 */
export function valueAddedToCheck(
  check: { table: string; constraint: string; column: string },
  earlier: readonly string[],
  value: string,
  fallback: string,
): MigrationModule {
  const { table, constraint, column } = check;
  const replace = (values: readonly string[], sql: (statement: string) => Promise<unknown>) =>
    sql(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${column} IN (${values.map((v) => `'${v}'`).join(', ')})) NOT VALID`);
  const validate = (qi: QueryInterface) => qi.sequelize.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${constraint}`);
  return {
    up: async (qi) => {
      await inOneTransaction(qi, async (sql) => {
        await sql(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
        await replace([...earlier, value], sql);
      });
      await validate(qi);
    },
    down: async (qi) => {
      await inOneTransaction(qi, async (sql) => {
        await sql(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
        await sql(`UPDATE ${table} SET ${column} = '${fallback}' WHERE ${column} = '${value}'`);
        await replace(earlier, sql);
      });
      await validate(qi);
    },
  };
}

/**
 * One statement trigger per kind of row write on `table`, named `<fn>_insert|update|delete`, each
 * calling the function `<fn>()` with the statement's rows as transition tables (`new_rows`,
 * `old_rows`): what to create, and what to drop.
 */
export function statementTriggers(table: string, fn: string): { create: string[]; drop: string[] } {
  const writes = [
    ['insert', 'INSERT', 'NEW TABLE AS new_rows'],
    ['update', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
    ['delete', 'DELETE', 'OLD TABLE AS old_rows'],
  ] as const;
  return {
    create: writes.map(
      ([suffix, event, transition]) =>
        `CREATE OR REPLACE TRIGGER ${fn}_${suffix} AFTER ${event} ON ${table} REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    ),
    drop: writes.map(([suffix]) => `DROP TRIGGER IF EXISTS ${fn}_${suffix} ON ${table}`),
  };
}

/**
 * A table that statement triggers keep from another (`source`): the table created, `source` locked
 * against writes, the triggers' function (`functionSql`, named as the trigger) and one trigger per
 * kind of write created, and the table filled (`fill`, its tenant bound as $1: null for all), all
 * in one transaction, so no row of `source` falls between the fill and the triggers.
 *
 * The triggers fire once per statement with its rows as transition tables (`new_rows`,
 * `old_rows`), so the function changes each kept row once per statement: a row trigger would
 * update the same kept row once per written row, and a statement writing 100,000 rows of one
 * tenant would make 100,000 versions of it, each update walking the versions before it.
 */
export function keptByTrigger(kept: {
  table: string;
  columns: ModelAttributes;
  source: string;
  trigger: string;
  functionSql: string;
  fill: string;
}): MigrationModule {
  const triggers = statementTriggers(kept.source, kept.trigger);
  return {
    up: async (qi) => {
      await inOneTransaction(qi, async (sql, transaction) => {
        await qi.createTable(kept.table, kept.columns, { transaction });
        await sql(`LOCK TABLE ${kept.source} IN SHARE ROW EXCLUSIVE MODE`);
        await sql(kept.functionSql);
        for (const statement of triggers.create) await sql(statement);
        await qi.sequelize.query(kept.fill, { transaction, bind: [null] });
      });
    },
    down: async (qi) => {
      await qi.sequelize.transaction(async (transaction) => {
        for (const statement of triggers.drop) await qi.sequelize.query(statement, { transaction });
        await qi.sequelize.query(`DROP FUNCTION IF EXISTS ${kept.trigger}()`, { transaction });
        await qi.dropTable(kept.table, { transaction });
      });
    },
  };
}

/**
 * What depends on money columns whose type changes, and ALTER COLUMN TYPE would rebuild under the table's
 * ACCESS EXCLUSIVE lock (docs/deploying.md, the migration check): CHECK constraints naming them, `[table, name,
 * check]` as they are defined, and indexes holding them, `[name, definition]` as `concurrentIndexes` takes them.
 */
export interface ColumnDependents {
  checks?: ReadonlyArray<readonly [table: string, name: string, check: string]>;
  indexes?: ReadonlyArray<[name: string, definition: string]>;
}

/**
 * Money columns made exact (0097 cover, 0099 premium, 0115 claim money): each `[table, column]` becomes `numeric`,
 * which keeps an amount at the scale it was written with, under a check `<table>_<column>_decimals` of at most three
 * decimals (the most any currency has) and the integer digits its numeric(precision, 2) held (`precision`, 12 unless
 * given: ten digits). Dropping the type's precision rewrites nothing; the checks are added unchecked, then validated
 * outside the transaction, a scan that lets the tables' writes go on. The `dependents`' checks are dropped and added
 * again unchecked in the same transaction (new rows stay checked), then validated so; their indexes are dropped
 * concurrently before it and built concurrently after it (meanwhile the reads they serve take another path). Down:
 * numeric(precision, 2) again, rounding any third decimal as before (PostgreSQL rebuilds the dependents).
 */
export function exactDecimalColumns(
  columns: ReadonlyArray<readonly [table: string, column: string, precision?: number]>,
  { checks = [], indexes = [] }: ColumnDependents = {},
): MigrationModule {
  const checkName = (table: string, column: string) => `${table}_${column}_decimals`;
  const dependentIndexes = concurrentIndexes(indexes);
  return {
    up: async (qi) => {
      for (const [name] of indexes) await qi.sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
      await inOneTransaction(qi, async (sql) => {
        for (const [table, name] of checks) await sql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
        for (const [table, column, precision = 12] of columns) {
          const bound = `1${'0'.repeat(precision - 2)}`;
          await sql(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE numeric`);
          await sql(
            `ALTER TABLE ${table} ADD CONSTRAINT ${checkName(table, column)} CHECK (scale(${column}) <= 3 AND abs(${column}) < ${bound}) NOT VALID`,
          );
        }
        for (const [table, name, check] of checks) await sql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${check}) NOT VALID`);
      });
      for (const [table, column] of columns) {
        await qi.sequelize.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${checkName(table, column)}`);
      }
      for (const [table, name] of checks) await qi.sequelize.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`);
      await dependentIndexes.up(qi);
    },
    down: (qi) =>
      inOneTransaction(qi, async (sql) => {
        for (const [table, column, precision = 12] of columns) {
          await sql(`ALTER TABLE ${table} DROP CONSTRAINT ${checkName(table, column)}`);
          await sql(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE numeric(${precision}, 2)`);
        }
      }),
  };
}
