import type { LocalPostgres } from '../../scripts/local/postgres';
import type { DevServer } from '../../scripts/local/temporal-dev-server';

export default async function chaosGlobalTeardown(): Promise<void> {
  const { postgres, temporal } = (globalThis as unknown as { __chaos: { postgres: LocalPostgres; temporal: DevServer } }).__chaos;
  await temporal.stop();
  await postgres.stop();
}
