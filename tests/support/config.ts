import crypto from 'node:crypto';
import { Config, loadConfig } from '../../src/config';
import { AesGcmPayloadCodec } from '../../src/services/payload-codec';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** What the API and the workers must have in production besides JWT_SECRET: fresh random values, as an operator makes them. */
export function productionSecrets(): Record<'METRICS_TOKEN' | 'PAYLOAD_CODEC_KEYS' | 'PAYLOAD_CODEC_ACTIVE_KEY', string> {
  return {
    METRICS_TOKEN: crypto.randomBytes(24).toString('hex'),
    PAYLOAD_CODEC_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
    PAYLOAD_CODEC_ACTIVE_KEY: 'k1',
  };
}

/** The codec of those secrets' one payload key: for a harness's own Temporal client reading what the processes wrote. */
export function payloadCodecOf(secrets: Pick<ReturnType<typeof productionSecrets>, 'PAYLOAD_CODEC_KEYS'>): AesGcmPayloadCodec {
  const [id, key] = secrets.PAYLOAD_CODEC_KEYS.split(':');
  return new AesGcmPayloadCodec({ keys: new Map([[id, Buffer.from(key, 'base64')]]), activeKeyId: id });
}

export function testConfig(overrides: {
  databaseUrl: string;
  smtpPort?: number;
  temporalAddress?: string;
  taskQueue?: string;
  /** Further environment variables, e.g. tighter rate limits for the test that is about them. */
  env?: Record<string, string>;
}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: overrides.databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    SMTP_PORT: String(overrides.smtpPort ?? 2525),
    // The in-process sink speaks plain SMTP; without this the mailer would insist on STARTTLS.
    SMTP_INSECURE_LOCAL_RELAY: 'true',
    TEMPORAL_ADDRESS: overrides.temporalAddress ?? '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: overrides.taskQueue ?? 'insurflow-test',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000',
    RATE_LIMIT_REGISTRATION_PER_HOUR: '1000',
    // Test files send GraphQL requests from one address and as a few users far faster than anyone
    // would; tests/security/rate-limits.test.ts tightens these to see them refuse.
    RATE_LIMIT_GRAPHQL_ANONYMOUS_PER_MINUTE: '100000',
    RATE_LIMIT_GRAPHQL_PER_USER_PER_MINUTE: '100000',
    // Cheaper argon2id than production's OWASP cost keeps the suite fast; the algorithm is the same.
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_TIME_COST: '1',
    ...overrides.env,
  });
}
