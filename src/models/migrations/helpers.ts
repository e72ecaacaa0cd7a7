import { DataTypes, QueryInterface, Sequelize } from 'sequelize';

export type MigrationFn = (queryInterface: QueryInterface) => Promise<void>;
export interface MigrationModule {
  up: MigrationFn;
  down: MigrationFn;
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
