/**
 * What every chaos test runs against: the suite's servers (from the global setup), an SMTP sink
 * and clients of its own, the deadlines its API and worker run with, and the tokens it signs.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { benchDataConverter } from '../../bench/production-secrets';
import { initModels, type User } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { issueAccessToken } from '../../src/services/tokens';
import { requiredEnv } from '../support/env';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink';

/** Deadlines short enough that every outage answers well inside the 10 s contract. */
export const DEADLINES = {
  TEMPORAL_RPC_TIMEOUT_MS: '3000',
  TEMPORAL_UPDATE_TIMEOUT_MS: '3000',
  TEMPORAL_QUERY_TIMEOUT_MS: '1000',
  DB_POOL_ACQUIRE_TIMEOUT_MS: '2000',
  DB_STATEMENT_TIMEOUT_MS: '3000',
  DB_CONNECT_TIMEOUT_MS: '2000',
  REQUEST_DEADLINE_MS: '8000',
  RETRY_AFTER_SECONDS: '1',
};

/** What the suite runs against: its servers (from the global setup), its SMTP sink and its own clients. */
export interface ChaosInfra {
  sequelize: Sequelize;
  temporal: Client;
  smtp: SmtpSink;
  jwtSecret: string;
  /** What the API and worker processes need to reach them. */
  env: Record<string, string>;
}

export async function connectInfra(): Promise<ChaosInfra> {
  const sequelize = createSequelize(requiredEnv('CHAOS_DATABASE_URL'));
  initModels(sequelize);
  const address = requiredEnv('CHAOS_TEMPORAL_ADDRESS');
  const temporal = new Client({ connection: await Connection.connect({ address }), dataConverter: benchDataConverter() });
  const smtp = await startSmtpSink();
  const jwtSecret = crypto.randomBytes(32).toString('hex');
  return {
    sequelize,
    temporal,
    smtp,
    jwtSecret,
    env: { DATABASE_URL: requiredEnv('CHAOS_DATABASE_URL'), TEMPORAL_ADDRESS: address, JWT_SECRET: jwtSecret, ...smtp.env },
  };
}

export async function closeInfra(infra: ChaosInfra | undefined): Promise<void> {
  await infra?.temporal.connection.close();
  await infra?.smtp.stop();
  await infra?.sequelize.close();
}

/** An access token of `user` the suite's API processes accept. */
export function tokenOf(infra: ChaosInfra, user: User): string {
  return issueAccessToken(
    { secret: infra.jwtSecret, issuer: 'insurflow', audience: 'insurflow-api', accessTtlSeconds: 3600, refreshTtlSeconds: 60 },
    user,
  );
}
