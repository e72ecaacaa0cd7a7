import type { LocalPostgres } from '../../scripts/local/postgres';
import type { TemporalServer } from '../../scripts/local/temporal-server';

export default async function topologyGlobalTeardown(): Promise<void> {
  const servers = (globalThis as { __topology?: { postgres: LocalPostgres; temporal: TemporalServer } }).__topology;
  await servers?.temporal.stop();
  await servers?.postgres.stop();
}
