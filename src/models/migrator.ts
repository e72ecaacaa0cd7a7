import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { MIGRATIONS } from './migrations';
import type { MigrationContext } from './migrations/helpers';

/** `context`: what migrations that rewrite secrets need (the sealer, where the runner has JWT_SECRET). */
export function createMigrator(sequelize: Sequelize, context: MigrationContext = {}): Umzug<Sequelize> {
  return new Umzug({
    migrations: MIGRATIONS.map((m) => ({
      name: m.name,
      up: () => m.up(sequelize.getQueryInterface(), context),
      down: () => m.down(sequelize.getQueryInterface(), context),
    })),
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

export async function migrateUp(sequelize: Sequelize, context: MigrationContext = {}): Promise<string[]> {
  const applied = await createMigrator(sequelize, context).up();
  return applied.map((m) => m.name);
}
