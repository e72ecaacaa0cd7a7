/**
 * Configuration is read and validated once, at start-up, into a typed object.
 * A missing or malformed variable stops the process with a message naming it.
 */
import Joi from 'joi';

export interface Config {
  env: 'development' | 'test' | 'production';
  databaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    tls?: { serverName?: string; clientCertPath?: string; clientKeyPath?: string; serverRootCaPath?: string };
    uiUrl?: string;
  };
  api: { host: string; port: number; corsOrigins: string[]; bodyLimit: string; publicUrl: string };
  jwt: { secret: string; issuer: string; audience: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  rateLimit: { authPerMinute: number; registrationPerHour: number; catalogPerMinute: number };
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string; from: string };
  worker: { maxCachedWorkflows?: number; maxConcurrentActivities?: number; maxConcurrentWorkflowTasks?: number };
  webhookTimeoutMs: number;
  documentsDir: string;
  logLevel: string;
}

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'test', 'production').default('development'),
  DATABASE_URL: Joi.string().uri({ scheme: ['postgres', 'postgresql'] }).required(),
  TEMPORAL_ADDRESS: Joi.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: Joi.string().default('default'),
  TEMPORAL_TASK_QUEUE: Joi.string().default('insurflow'),
  TEMPORAL_TLS: Joi.boolean().default(false),
  TEMPORAL_TLS_SERVER_NAME: Joi.string(),
  TEMPORAL_TLS_CERT_PATH: Joi.string(),
  TEMPORAL_TLS_KEY_PATH: Joi.string(),
  TEMPORAL_TLS_CA_PATH: Joi.string(),
  TEMPORAL_UI_URL: Joi.string().uri(),
  API_HOST: Joi.string().default('127.0.0.1'),
  API_PORT: Joi.number().port().default(3000),
  API_PUBLIC_URL: Joi.string().uri(),
  CORS_ORIGINS: Joi.string().allow('').default(''),
  BODY_LIMIT: Joi.string().default('1mb'),
  JWT_SECRET: Joi.string().min(32).required(),
  JWT_ISSUER: Joi.string().default('insurflow'),
  JWT_AUDIENCE: Joi.string().default('insurflow-api'),
  JWT_ACCESS_TTL_SECONDS: Joi.number().integer().min(30).default(900),
  JWT_REFRESH_TTL_SECONDS: Joi.number().integer().min(60).default(30 * 24 * 3600),
  RATE_LIMIT_AUTH_PER_MINUTE: Joi.number().integer().min(1).default(20),
  RATE_LIMIT_REGISTRATION_PER_HOUR: Joi.number().integer().min(1).default(10),
  RATE_LIMIT_CATALOG_PER_MINUTE: Joi.number().integer().min(1).default(120),
  SMTP_HOST: Joi.string().default('127.0.0.1'),
  SMTP_PORT: Joi.number().port().default(1025),
  SMTP_SECURE: Joi.boolean().default(false),
  SMTP_USER: Joi.string(),
  SMTP_PASSWORD: Joi.string(),
  MAIL_FROM: Joi.string().default('Insurflow <no-reply@insurflow.local>'),
  WORKER_MAX_CACHED_WORKFLOWS: Joi.number().integer().min(0),
  WORKER_MAX_CONCURRENT_ACTIVITIES: Joi.number().integer().min(1),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: Joi.number().integer().min(2),
  WEBHOOK_TIMEOUT_MS: Joi.number().integer().min(100).default(5000),
  DOCUMENTS_DIR: Joi.string().default('.data/documents'),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
}).unknown(true);

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { value, error } = schema.validate(env, { abortEarly: false, convert: true });
  if (error) {
    const lines = error.details.map((d) => `  - ${d.message}`).join('\n');
    throw new ConfigError(`Invalid configuration (environment variables):\n${lines}`);
  }
  const apiPort = value.API_PORT as number;
  return {
    env: value.NODE_ENV,
    databaseUrl: value.DATABASE_URL,
    temporal: {
      address: value.TEMPORAL_ADDRESS,
      namespace: value.TEMPORAL_NAMESPACE,
      taskQueue: value.TEMPORAL_TASK_QUEUE,
      tls: value.TEMPORAL_TLS
        ? {
            serverName: value.TEMPORAL_TLS_SERVER_NAME,
            clientCertPath: value.TEMPORAL_TLS_CERT_PATH,
            clientKeyPath: value.TEMPORAL_TLS_KEY_PATH,
            serverRootCaPath: value.TEMPORAL_TLS_CA_PATH,
          }
        : undefined,
      uiUrl: value.TEMPORAL_UI_URL,
    },
    api: {
      host: value.API_HOST,
      port: apiPort,
      corsOrigins: (value.CORS_ORIGINS as string).split(',').map((o) => o.trim()).filter(Boolean),
      bodyLimit: value.BODY_LIMIT,
      publicUrl: value.API_PUBLIC_URL ?? `http://${value.API_HOST}:${apiPort}`,
    },
    jwt: {
      secret: value.JWT_SECRET,
      issuer: value.JWT_ISSUER,
      audience: value.JWT_AUDIENCE,
      accessTtlSeconds: value.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: value.JWT_REFRESH_TTL_SECONDS,
    },
    rateLimit: { authPerMinute: value.RATE_LIMIT_AUTH_PER_MINUTE, registrationPerHour: value.RATE_LIMIT_REGISTRATION_PER_HOUR, catalogPerMinute: value.RATE_LIMIT_CATALOG_PER_MINUTE },
    smtp: {
      host: value.SMTP_HOST,
      port: value.SMTP_PORT,
      secure: value.SMTP_SECURE,
      user: value.SMTP_USER,
      password: value.SMTP_PASSWORD,
      from: value.MAIL_FROM,
    },
    worker: {
      maxCachedWorkflows: value.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivities: value.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: value.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    },
    webhookTimeoutMs: value.WEBHOOK_TIMEOUT_MS,
    documentsDir: value.DOCUMENTS_DIR,
    logLevel: value.LOG_LEVEL,
  };
}
