/** Every migration, in order. A new migration is a new file here and a new line below. */
import { MigrationModule } from './helpers';
import * as foundation from './0001-foundation';

export const MIGRATIONS: Array<{ name: string } & MigrationModule> = [{ name: '0001-foundation', ...foundation }];
