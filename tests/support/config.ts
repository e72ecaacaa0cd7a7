import { Config, loadConfig } from '../../src/config';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export function testConfig(overrides: { databaseUrl: string; smtpPort?: number; temporalAddress?: string; taskQueue?: string }): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: overrides.databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    SMTP_PORT: String(overrides.smtpPort ?? 2525),
    TEMPORAL_ADDRESS: overrides.temporalAddress ?? '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: overrides.taskQueue ?? 'insurflow-test',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000',
    RATE_LIMIT_REGISTRATION_PER_HOUR: '1000',
  });
}
