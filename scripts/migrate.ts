/**
 * Applies pending migrations to DATABASE_URL. With JWT_SECRET (the API's), migrations that seal
 * secrets can (0074 needs it where a tenant has company sign-in set up).
 */
import { createSequelize } from '../src/models/database';
import { migrateUp } from '../src/models/migrator';
import { secretSealer } from '../src/services/sealed-secret';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const sequelize = createSequelize(url);
  const secret = process.env.JWT_SECRET;
  const applied = await migrateUp(sequelize, { sealer: secret ? secretSealer({ secret }) : undefined });
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  await sequelize.close();
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
