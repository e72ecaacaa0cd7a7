import type { Sequelize } from 'sequelize';
import type { MigrationModule } from '../../src/models/migrations/helpers';
import { testDatabaseOfBlock } from './database';

export interface MigrationOnExistingRows {
  /** The test file's database, once its `beforeAll` has made it. */
  readonly sequelize: Sequelize;
  /**
   * Takes the database back to before the migration, writes the rows as the release before wrote them
   * (`write`), then migrates again; answers what `write` answered (the rows' ids, for the assertions).
   */
  migrate<T>(write: (sequelize: Sequelize) => Promise<T>): Promise<T>;
}

/**
 * A migration tried on rows written before it (real PostgreSQL), as a test file's describe block declares
 * it: a fresh database copied from the migrated template is made before the file's tests and closed after.
 */
export function migrationOnExistingRows(migration: MigrationModule): MigrationOnExistingRows {
  const db = testDatabaseOfBlock();
  return {
    get sequelize() {
      return db.sequelize;
    },
    async migrate(write) {
      await migration.down(db.sequelize.getQueryInterface());
      const written = await write(db.sequelize);
      await migration.up(db.sequelize.getQueryInterface());
      return written;
    },
  };
}
