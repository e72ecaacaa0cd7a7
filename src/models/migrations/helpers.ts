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
