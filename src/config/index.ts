/**
 * Configuration is read and validated once, at start-up, into a typed object.
 * A missing or malformed variable stops the process with a message naming it.
 */
import Joi from 'joi';
import { OWASP_ARGON2ID, type PasswordHashing } from './password-hashing';
import { KEY_BYTES, type PayloadCodecKeys } from './payload-codec-keys';
import { MESSAGES_WITHOUT_VALUES } from '../shared/validation-messages';
import { MAX_DOCUMENTS_PER_CLAIM } from '../shared/document-budget';
import { NOTIFICATION_DELIVERY_BUDGET_MS } from '../shared/notification-timing';
import { REPLAY_SINCE_MAX_DAYS, WEBHOOK_EVENT_DAYS_DEFAULT } from '../shared/webhook-retention';
import { MAX_INTERNAL_RECEIVERS, parseInternalReceivers } from '../shared/internal-receivers';

export interface Config {
  env: 'development' | 'test' | 'production';
  databaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /**
     * Where bulk work goes (a rollout's acknowledgement runs and their activities), polled by a
     * second, slot-bounded worker in the same process so interactive work never queues behind
     * it; equal to `taskQueue`: one queue for everything (docs/scaling.md, Bulk work).
     */
    bulkTaskQueue: string;
    tls?: { serverName?: string; clientCertPath?: string; clientKeyPath?: string; serverRootCaPath?: string };
    uiUrl?: string;
    /** The origin of the Temporal UI, the only one allowed to call the codec routes from a browser. */
    uiOrigin?: string;
    /** Unset: payloads go to Temporal in clear (local development and tests unless they set keys). */
    payloadCodec?: PayloadCodecKeys;
  };
  /** `drainSeconds`: after SIGTERM, how long readiness reports `draining` before the server stops accepting. */
  api: { host: string; port: number; corsOrigins: string[]; bodyLimit: string; publicUrl: string; drainSeconds: number };
  jwt: { secret: string; issuer: string; audience: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  /** Proxies in front of the API whose X-Forwarded-For entries are believed; 0 trusts none. */
  trustProxyHops: number;
  passwordHashing: Required<PasswordHashing>;
  rateLimit: {
    authPerMinute: number;
    registrationPerHour: number;
    /** Wrong passwords one client may try at one account before each further one is delayed. */
    loginFailuresPerAccountSource: number;
    /** Wrong passwords one client may try across all accounts before each further one is delayed. */
    loginFailuresPerSource: number;
    loginFailureWindowSeconds: number;
    /** The first delay, doubled at each further failure (at most the window). */
    loginFirstDelaySeconds: number;
    catalogPerMinute: number;
    /** Anonymous quotes on the public catalog per client address (docs/quotes.md). */
    quotesPerMinute: number;
    /** GraphQL requests per client address without a (valid) token. */
    graphqlAnonymousPerMinute: number;
    /** GraphQL requests per signed-in user, wherever they come from. */
    graphqlPerUserPerMinute: number;
    /** Requests (REST and GraphQL) per API key, wherever they come from. */
    apiKeyPerMinute: number;
    /** Wrong or unknown API keys one client may send before each further one is delayed (login's window and first delay). */
    apiKeyFailuresPerSource: number;
  };
  /** How long a mailed verification link works. */
  emailVerificationTtlMs: number;
  smtp: SmtpSettings;
  worker: {
    maxCachedWorkflows: number;
    maxConcurrentActivities?: number;
    maxConcurrentWorkflowTasks?: number;
    /** Slots of the bulk task queue's worker: what a rollout may take of the process at once. */
    bulkMaxConcurrentActivities: number;
    bulkMaxConcurrentWorkflowTasks: number;
    shutdownGraceSeconds: number;
    /** The Worker Deployment Version this worker joins (docs/deploying.md); unset: unversioned. */
    deployment?: { deploymentName: string; buildId: string };
  };
  /** What the retention schedule deletes, how often and in batches of how many rows (src/services/retention-schedule.ts). */
  retention: {
    intervalMs: number;
    idempotencyRecordHours: number;
    outboxDeliveredHours: number;
    batchSize: number;
    webhookEventDays: number;
  };
  /** How often the reconciler compares rows with their runs, and how much one run checks (src/services/reconciler-schedule.ts). */
  reconciler: { intervalMs: number; batchSize: number; maxBatches: number; graceSeconds: number };
  /**
   * `anonymousIntrospection`: whether a caller without a token may read the schema (`__schema`,
   * `__type`); off unless set, and refused in production (the start command sets it for GraphiQL).
   */
  graphql: { anonymousIntrospection: boolean };
  /** Where the worker serves Prometheus metrics (none without a port), and the bearer token /metrics asks for, if any. */
  metrics: { workerHost: string; workerPort?: number; token?: string };
  webhookTimeoutMs: number;
  /** Lets webhooks reach loopback and private networks (local receivers); refused in production. */
  webhookAllowPrivateNetworks: boolean;
  /** The operator's internal receivers webhooks may reach, as receiver keys (src/shared/internal-receivers.ts). */
  webhookAllowedInternalHosts: string[];
  documents: DocumentStorage;
  /** How much a tenant may upload: documents per claim and bytes over all its claims. */
  documentQuota: DocumentQuota;
  /** The payment provider (docs/premiums.md, Payment provider); unset: no payments are taken and its webhook route answers 404. */
  stripe?: StripeSettings;
  logLevel: string;
  deadlines: Deadlines;
  /**
   * Whether money movements post to the books (docs/ledger.md). On unless `LEDGER_POSTING=off`,
   * which exists only to measure what posting costs (bench `ledger`): off, the books miss movements.
   */
  ledgerPosting: boolean;
}

/**
 * Where claim documents are kept: a directory of this host (one API host only), or an
 * S3-compatible bucket every API host shares.
 */
export type DocumentStorage = { kind: 'local'; dir: string } | ({ kind: 's3' } & S3Settings);

export interface DocumentQuota {
  maxPerClaim: number;
  maxBytesPerTenant: number;
}

export interface S3Settings {
  /** Unset for AWS itself; the URL of MinIO or another S3-compatible server otherwise. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Unset: the AWS SDK's default credential chain (AWS_* variables, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Bucket in the path rather than the host name, as MinIO and most self-hosted servers need. */
  forcePathStyle: boolean;
  /** How long a request to the store may take before the API answers 503. */
  timeoutMs: number;
}

export interface StripeSettings {
  secretKey: string;
  /** The signing secret of the webhook endpoint (`whsec_…`), which every event's Stripe-Signature is checked against. */
  webhookSecret: string;
  /** Unset: Stripe itself; stripe-mock's address in local runs and tests. */
  apiBase?: { protocol: 'http' | 'https'; host: string; port: number };
  /** Each call's deadline; past it (retries included) the API answers 503. */
  timeoutMs: number;
  maxNetworkRetries: number;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  /** The relay is a local sink that speaks plain SMTP: mail (and any password) goes unencrypted. */
  insecureLocalRelay: boolean;
  /** Setting the session up, from connecting to the end of STARTTLS. */
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** Longest silence of the server once the session has begun. */
  socketTimeoutMs: number;
  /** SMTP sessions a process keeps open and sends through, each reused for many messages. */
  maxConnections: number;
}

/** How long the API waits on each dependency before answering 503 (milliseconds unless named). */
export interface Deadlines {
  temporalRpcMs: number;
  temporalUpdateMs: number;
  temporalQueryMs: number;
  dbAcquireMs: number;
  dbStatementMs: number;
  dbConnectMs: number;
  /** The API's reads (SELECTs outside a transaction): statement, answer and new connection alike. */
  dbReadMs: number;
  /** The longest a request may hold its Idempotency-Key before a repeat may take it over. */
  requestMs: number;
  retryAfterSeconds: number;
}

/**
 * Workflow runs a worker keeps in memory (its sticky cache). Each cached subscription run takes a
 * few hundred KiB of RSS, so this bound keeps the worker well under 1 GB however many runs are
 * open (twice as many came too close); an evicted run is replayed from its history when its next
 * timer or message arrives, at a cost of milliseconds (bench `workerMemory`; the figures are in
 * docs/performance.md, "Worker memory").
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1000;

/**
 * Slots of the bulk task queue's worker. A rollout's acknowledgement runs need one short
 * workflow task each, then wait for days; a few slots drain a 10,000-run backlog in seconds to
 * minutes while leaving the process's CPU to the interactive queue (bench `rollout`, figures in
 * docs/performance.md, "One tenant cannot slow another").
 */
export const DEFAULT_BULK_MAX_CONCURRENT_ACTIVITIES = 4;
export const DEFAULT_BULK_MAX_CONCURRENT_WORKFLOW_TASKS = 2;

/**
 * How long a stopping worker lets its running activities finish before cancelling them. The
 * container platform must wait longer before it kills the process (docker-compose.yml's
 * stop_grace_period for the worker, kept above this by tests/deployment/compose.test.ts).
 */
export const DEFAULT_WORKER_SHUTDOWN_GRACE_SECONDS = 30;

/**
 * The longest an access token may live. A login ended by a logout or a replayed refresh token
 * (src/services/authority.ts) is remembered this long, so that its access tokens are refused until
 * the last of them has expired, and no longer: a bound lets that be read with the user's authority.
 */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 3600;

const INTERVAL_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** How often a schedule runs: a whole number of minutes, hours or days (`30m`, `1h`, `1d`). */
function scheduleInterval(name: string, fallback: string) {
  return Joi.string()
    .pattern(/^[1-9][0-9]*[mhd]$/)
    .default(fallback)
    .messages({ 'string.pattern.base': `"${name}" must be a whole number of minutes, hours or days, e.g. 30m, 1h, 1d` });
}

function intervalMs(interval: string): number {
  return Number(interval.slice(0, -1)) * INTERVAL_UNIT_MS[interval.slice(-1) as 'm' | 'h' | 'd'];
}

/** A deadline or timeout in milliseconds: a whole number, at least 100 (a shorter one would fail every call). */
function deadlineMs(description: string) {
  return Joi.number().description(description).integer().min(100);
}

const schema = Joi.object({
  NODE_ENV: Joi.string()
    .description(
      'the environment: production refuses development-only settings (placeholder secrets, private webhooks, anonymous introspection)',
    )
    .valid('development', 'test', 'production')
    .default('development'),
  DATABASE_URL: Joi.string()
    .description('PostgreSQL connection URL; the start command points it at its embedded PostgreSQL (required for the API or worker alone)')
    .uri({ scheme: ['postgres', 'postgresql'] })
    .required(),
  TEMPORAL_ADDRESS: Joi.string().description('Temporal frontend (the start command: its embedded dev server)').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: Joi.string().description('Temporal namespace').default('default'),
  TEMPORAL_TASK_QUEUE: Joi.string().description('task queue of all workflows and activities').default('insurflow'),
  TEMPORAL_BULK_TASK_QUEUE: Joi.string()
    .description(
      "task queue of bulk work (a rollout's acknowledgement runs and their activities), polled by every worker process beside the main queue; default `<TEMPORAL_TASK_QUEUE>-bulk`; set it equal to `TEMPORAL_TASK_QUEUE` for one queue (docs/scaling.md, Bulk work)",
    )
    .max(200)
    .default((parent: { TEMPORAL_TASK_QUEUE: string }) => `${parent.TEMPORAL_TASK_QUEUE}-bulk`),
  TEMPORAL_TLS: Joi.boolean()
    .description('mTLS to a secured cluster or Temporal Cloud, with the four `TEMPORAL_TLS_*` settings below')
    .default(false),
  TEMPORAL_TLS_SERVER_NAME: Joi.string().description("server name checked against the cluster's certificate (with `TEMPORAL_TLS`)"),
  TEMPORAL_TLS_CERT_PATH: Joi.string().description('client certificate file (with `TEMPORAL_TLS`)'),
  TEMPORAL_TLS_KEY_PATH: Joi.string().description('client key file (with `TEMPORAL_TLS`)'),
  TEMPORAL_TLS_CA_PATH: Joi.string().description('CA certificate of the cluster (with `TEMPORAL_TLS`)'),
  TEMPORAL_UI_URL: Joi.string().description("the Temporal UI, shown in links (the start command: the dev server's UI)").uri(),
  TEMPORAL_UI_ORIGIN: Joi.string()
    .description(
      "the Temporal UI's origin (`http://localhost:8080`, no path; on the API's site, for the codec session cookie), the only one `POST /api/v1/codec/decode` and `/encode` answer cross-origin, with credentials; unset: no browser may call the codec routes",
    )
    .max(200)
    .uri({ scheme: ['http', 'https'] })
    .pattern(/^https?:\/\/[^/?#]+$/, 'origin')
    .messages({ 'string.pattern.name': '"TEMPORAL_UI_ORIGIN" must be an origin: scheme, host and port only, e.g. http://127.0.0.1:8080' }),
  PAYLOAD_CODEC_KEYS: Joi.string()
    .description(
      'workflow payloads encrypted with AES-256-GCM before they reach Temporal: comma-separated `id:key` pairs, ids of letters, digits, `_` and `-`, each key 32 bytes in base64 (`openssl rand -base64 32`); every key listed can decrypt, so rotation adds a key (docs/security.md, Payload encryption). API and workers must list the same keys. Required in production (the API and the workers refuse to start without it); unset elsewhere: payloads stored in clear (the start command and the tests)',
    )
    .max(4000)
    .custom((value: string, helpers) => (parsePayloadKeys(value) ? value : helpers.error('codec.keys')))
    .when('$productionService', {
      is: true,
      then: Joi.required().messages({
        'any.required': `"PAYLOAD_CODEC_KEYS" is required in production, or every workflow payload reaches Temporal in clear: set it to id:key pairs, e.g. k1:$(openssl rand -base64 ${KEY_BYTES}), the same in the API and every worker`,
      }),
    })
    .messages({
      'codec.keys': `"PAYLOAD_CODEC_KEYS" must be id:key pairs separated by commas, ids unique (letters, digits, _ and -), each key ${KEY_BYTES} bytes in base64 (openssl rand -base64 ${KEY_BYTES})`,
    }),
  PAYLOAD_CODEC_ACTIVE_KEY: Joi.string()
    .description('the id of the key new payloads are encrypted with (required with `PAYLOAD_CODEC_KEYS`; compose: `k1`)')
    .max(64)
    .when('PAYLOAD_CODEC_KEYS', { is: Joi.exist(), then: Joi.required(), otherwise: Joi.forbidden() })
    .messages({ 'any.unknown': '"PAYLOAD_CODEC_ACTIVE_KEY" needs PAYLOAD_CODEC_KEYS' }),
  API_HOST: Joi.string().description('where the API listens').default('127.0.0.1'),
  API_PORT: Joi.number().description('where the API listens').port().default(3000),
  API_DRAIN_SECONDS: Joi.number()
    .description(
      'after SIGTERM, how long `/readyz` answers 503 `draining` before the API stops accepting; then requests in flight finish and it exits (a second signal exits at once); the start command sets `0`',
    )
    .integer()
    .min(0)
    .max(120)
    .default(5),
  API_PUBLIC_URL: Joi.string()
    .description('base URL used in e-mails (default `http://API_HOST:API_PORT`); https makes the codec session cookie `Secure`')
    .uri(),
  CORS_ORIGINS: Joi.string().description('comma-separated allow-list of browser origins; empty: none').allow('').default(''),
  BODY_LIMIT: Joi.string().description('largest JSON body').default('1mb'),
  JWT_SECRET: Joi.string()
    .description(
      'HS256 key, at least 32 characters, not a known placeholder outside development (`openssl rand -base64 48`); the start command generates one into `.data/jwt-secret`',
    )
    .min(32)
    .required()
    .when('NODE_ENV', {
      is: 'development',
      otherwise: Joi.string().custom((value: string, helpers) =>
        looksLikePlaceholder(value) ? helpers.error('secret.placeholder') : value,
      ),
    })
    .messages({ 'secret.placeholder': '"JWT_SECRET" is a known placeholder; set a long random value (e.g. openssl rand -base64 48)' }),
  JWT_ISSUER: Joi.string().description('token issuer, checked on every token').default('insurflow'),
  JWT_AUDIENCE: Joi.string().description('token audience, checked on every token').default('insurflow-api'),
  JWT_ACCESS_TTL_SECONDS: Joi.number()
    .description('access token lifetime')
    .integer()
    .min(30)
    .max(MAX_ACCESS_TOKEN_TTL_SECONDS)
    .default(900),
  JWT_REFRESH_TTL_SECONDS: Joi.number()
    .description('session lifetime: a refresh token family ends this long after its login, however often it is refreshed')
    .integer()
    .min(60)
    .default(30 * 24 * 3600),
  RATE_LIMIT_AUTH_PER_MINUTE: Joi.number()
    .description('auth route requests per client address, counted in PostgreSQL')
    .integer()
    .min(1)
    .default(20),
  RATE_LIMIT_REGISTRATION_PER_HOUR: Joi.number()
    .description('company registrations per client address, counted in PostgreSQL')
    .integer()
    .min(1)
    .default(10),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: Joi.number()
    .description(
      'wrong passwords one client address may send at one account before each further attempt is delayed (429 with `Retry-After`); the account itself is never locked',
    )
    .integer()
    .min(1)
    .default(5),
  RATE_LIMIT_LOGIN_FAILURES_PER_SOURCE: Joi.number()
    .description('wrong passwords one client address may send across all accounts before each further attempt is delayed')
    .integer()
    .min(1)
    .default(20),
  RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS: Joi.number()
    .description(
      'how long failures are remembered (also the longest delay, and the period of at most one "several failed sign-ins" e-mail per account)',
    )
    .integer()
    .min(1)
    .default(15 * 60),
  RATE_LIMIT_LOGIN_FIRST_DELAY_SECONDS: Joi.number()
    .description('the first delay, doubled at each further failure or early attempt')
    .integer()
    .min(1)
    .default(2),
  EMAIL_VERIFICATION_TTL_MINUTES: Joi.number()
    .description("how long the link mailed to confirm a new account's or a company registration's address works")
    .integer()
    .min(5)
    .max(7 * 24 * 60)
    .default(24 * 60),
  TRUST_PROXY_HOPS: Joi.number()
    .description('proxies in front of the API whose `X-Forwarded-For` entries are believed; 0: the header is ignored')
    .integer()
    .min(0)
    .max(10)
    .default(0),
  PASSWORD_HASH_MEMORY_KIB: Joi.number()
    .description('argon2id memory cost (OWASP); lower only for tests')
    .integer()
    .min(1024)
    .default(OWASP_ARGON2ID.memoryCost),
  PASSWORD_HASH_TIME_COST: Joi.number()
    .description('argon2id passes (OWASP); lower only for tests')
    .integer()
    .min(1)
    .default(OWASP_ARGON2ID.timeCost),
  PASSWORD_HASH_QUEUE_LIMIT: Joi.number()
    .description(
      'password hashes (logins, password changes) that may wait for a hashing slot; past it a login answers `503 overloaded` with `Retry-After` at once instead of waiting behind a flood',
    )
    .integer()
    .min(0)
    .default(50),
  RATE_LIMIT_CATALOG_PER_MINUTE: Joi.number().description('public catalog requests per client address').integer().min(1).default(120),
  RATE_LIMIT_QUOTES_PER_MINUTE: Joi.number()
    .description(
      'anonymous quotes (`POST /catalog/:tenantSlug/quotes`) per client address; 429 with `Retry-After` past it. Pricing is CPU only, but each quote is a row',
    )
    .integer()
    .min(1)
    .default(30),
  RATE_LIMIT_GRAPHQL_ANONYMOUS_PER_MINUTE: Joi.number()
    .description(
      '`/api/graphql` requests per client address without a token (a refused token counts here too); 429 with `Retry-After` past it',
    )
    .integer()
    .min(1)
    .default(60),
  RATE_LIMIT_GRAPHQL_PER_USER_PER_MINUTE: Joi.number()
    .description('`/api/graphql` requests per signed-in user, wherever they come from; 429 with `Retry-After` past it')
    .integer()
    .min(1)
    .default(600),
  RATE_LIMIT_API_KEY_PER_MINUTE: Joi.number()
    .description('requests per API key per minute, REST and GraphQL')
    .integer()
    .min(1)
    .default(600),
  RATE_LIMIT_API_KEY_FAILURES_PER_SOURCE: Joi.number()
    .description(
      'wrong API keys one client address may send before its attempts are delayed (the window and first delay of the login limits)',
    )
    .integer()
    .min(1)
    .default(20),
  SMTP_HOST: Joi.string().description('outgoing mail server (the start command: its embedded MailDev)').default('127.0.0.1'),
  SMTP_PORT: Joi.number().description('outgoing mail server port').port().default(1025),
  SMTP_SECURE: Joi.boolean()
    .description('TLS from the first byte (port 465); otherwise STARTTLS is required unless `SMTP_INSECURE_LOCAL_RELAY`')
    .default(false),
  SMTP_USER: Joi.string().description('SMTP user name, if the relay asks for one'),
  SMTP_PASSWORD: Joi.string().description('SMTP password, if the relay asks for one'),
  MAIL_FROM: Joi.string().description('sender of every e-mail').default('Insurflow <no-reply@insurflow.local>'),
  SMTP_INSECURE_LOCAL_RELAY: Joi.boolean()
    .description(
      'the relay is a local sink speaking plain SMTP (the start command, compose and the tests set `true` for their mail sinks); otherwise mail goes only over TLS (`SMTP_SECURE=true`, or STARTTLS required: a server that does not offer it gets nothing)',
    )
    .default(false),
  SMTP_CONNECTION_TIMEOUT_MS: deadlineMs(
    'how long the mailer may take to set a session up (connect, greeting, STARTTLS); the sum of the three SMTP timeouts (at most 60000) also bounds a whole send',
  ).default(10_000),
  SMTP_GREETING_TIMEOUT_MS: deadlineMs("how long the mailer waits for the server's greeting").default(10_000),
  SMTP_SOCKET_TIMEOUT_MS: deadlineMs('longest silence of the server once the session has begun').default(30_000),
  SMTP_MAX_CONNECTIONS: Joi.number()
    .description(
      "SMTP sessions each API or worker process keeps open and reuses for many messages (a rollout's notices pay no new connection, greeting or TLS handshake each); a relay that limits sessions per client may need fewer",
    )
    .integer()
    .min(1)
    .max(100)
    .default(5),
  WORKER_MAX_CACHED_WORKFLOWS: Joi.number()
    .description(
      'workflow runs the worker keeps in memory (250-320 KiB each; evicted runs are replayed when they next wake, docs/performance.md). The worker runs with `--max-old-space-size=768 --max-semi-space-size=16` (compose, `npm run start:worker`, the start command); a larger cache needs a larger heap, and a worker whose cache cannot fit it refuses to start',
    )
    .integer()
    .min(0)
    .default(DEFAULT_MAX_CACHED_WORKFLOWS),
  WORKER_MAX_CONCURRENT_ACTIVITIES: Joi.number()
    .description("activity slots of the main queue's worker; unset: the SDK default")
    .integer()
    .min(1),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: Joi.number()
    .description("workflow task slots of the main queue's worker; unset: the SDK default")
    .integer()
    .min(2),
  WORKER_BULK_MAX_CONCURRENT_ACTIVITIES: Joi.number()
    .description("activity slots of the bulk queue's worker: how much of a worker process bulk work may take at once")
    .integer()
    .min(1)
    .default(DEFAULT_BULK_MAX_CONCURRENT_ACTIVITIES),
  WORKER_BULK_MAX_CONCURRENT_WORKFLOW_TASKS: Joi.number()
    .description("workflow task slots of the bulk queue's worker")
    .integer()
    .min(2)
    .default(DEFAULT_BULK_MAX_CONCURRENT_WORKFLOW_TASKS),
  WORKER_SHUTDOWN_GRACE_SECONDS: Joi.number()
    .description(
      'after SIGTERM, how long running activities may finish before they are cancelled and retried elsewhere (a second signal exits at once); a container platform must wait longer before it kills the worker',
    )
    .integer()
    .min(0)
    .default(DEFAULT_WORKER_SHUTDOWN_GRACE_SECONDS),
  WORKER_DEPLOYMENT_NAME: Joi.string()
    .description(
      'the Temporal Worker Deployment the worker joins, with `WORKER_BUILD_ID` (both or neither; docs/deploying.md, Worker Versioning); unset: the worker is unversioned',
    )
    .max(100)
    .pattern(/^[A-Za-z0-9_-]+$/),
  WORKER_BUILD_ID: Joi.string()
    .description("the release's build id within `WORKER_DEPLOYMENT_NAME`: its image tag or commit")
    .max(100)
    .pattern(/^[A-Za-z0-9._+-]+$/),
  RETENTION_SCHEDULE_INTERVAL: scheduleInterval('RETENTION_SCHEDULE_INTERVAL', '1h').description(
    'how often the retention schedule runs: whole minutes, hours or days (`30m`, `1h`, `1d`)',
  ),
  RETENTION_IDEMPOTENCY_HOURS: Joi.number()
    .description('how long an Idempotency-Key and its stored response are kept; must exceed `REQUEST_DEADLINE_MS`')
    .integer()
    .min(1)
    .default(24),
  RETENTION_OUTBOX_DELIVERED_HOURS: Joi.number().description('how long a delivered outbox message is kept').integer().min(1).default(24),
  RETENTION_BATCH_SIZE: Joi.number().description('rows per retention DELETE statement').integer().min(1).max(10_000).default(1000),
  RETENTION_WEBHOOK_EVENT_DAYS: Joi.number()
    .description(
      'how many days a webhook event, its deliveries and their attempts are kept (none pending); more than the 30 days a replay since a time reaches',
    )
    .integer()
    .min(REPLAY_SINCE_MAX_DAYS + 1)
    .max(3650)
    .default(WEBHOOK_EVENT_DAYS_DEFAULT),
  RECONCILER_INTERVAL: scheduleInterval('RECONCILER_INTERVAL', '5m').description(
    'how often the reconciler compares open rows with their runs: whole minutes, hours or days',
  ),
  RECONCILER_BATCH_SIZE: Joi.number()
    .description('rows one reconciler activity checks, one describe each')
    .integer()
    .min(1)
    .max(1000)
    .default(100),
  RECONCILER_MAX_BATCHES: Joi.number()
    .description('batches per table per reconciler run, the bound on one run; the rest wait for the next run, least recently checked first')
    .integer()
    .min(1)
    .max(1000)
    .default(20),
  RECONCILER_GRACE_SECONDS: Joi.number()
    .description('rows younger than this are not checked: their outbox start may still be on its way')
    .integer()
    .min(0)
    .max(86_400)
    .default(120),
  WORKER_METRICS_HOST: Joi.string().description('where the worker serves Prometheus metrics').default('127.0.0.1'),
  WORKER_METRICS_PORT: Joi.number()
    .description("the worker's Prometheus port; unset: no endpoint (the start command picks 9464 or a free port)")
    .port(),
  METRICS_TOKEN: Joi.string()
    .description(
      "printable characters; the API's `/metrics` and the worker's then require `Authorization: Bearer <token>`. Required in production (the API and the workers refuse to start without it); unset elsewhere: `/metrics` open",
    )
    .min(16)
    .max(200)
    .pattern(/^[\x21-\x7e]+$/)
    .when('$productionService', {
      is: true,
      then: Joi.required().messages({
        'any.required':
          '"METRICS_TOKEN" is required in production, or anyone who reaches /metrics reads it: set it to a random value, e.g. openssl rand -hex 24',
      }),
    }),
  WEBHOOK_TIMEOUT_MS: deadlineMs('compliance webhook delivery timeout').max(NOTIFICATION_DELIVERY_BUDGET_MS).default(5000),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: Joi.boolean()
    .description('lets webhooks reach loopback and private addresses, for a local receiver; refused in production')
    .default(false)
    .when('NODE_ENV', {
      is: 'production',
      then: Joi.valid(false).messages({ 'any.only': '"WEBHOOK_ALLOW_PRIVATE_NETWORKS" must stay false in production' }),
    }),
  WEBHOOK_ALLOWED_INTERNAL_HOSTS: Joi.string()
    .description(
      `comma-separated internal receivers webhook deliveries may reach although their address is loopback or private, each an IP address and a port, exactly (\`10.0.4.7:8443\`, \`[fd00::7]:443\`; no name, no range), at most ${MAX_INTERNAL_RECEIVERS}; allowed in production (an operator's setting: no tenant can change it, but every tenant's endpoints may then name these receivers); every other internal address stays refused; empty: none (docs/webhooks.md, Internal receivers)`,
    )
    .allow('')
    .max(1000)
    .default('')
    .custom((value: string, helpers) => (parseInternalReceivers(value) ? value : helpers.error('receivers.list')))
    .messages({
      'receivers.list': `"WEBHOOK_ALLOWED_INTERNAL_HOSTS" must be at most ${MAX_INTERNAL_RECEIVERS} distinct internal (not public) IP addresses with a port, separated by commas (10.0.4.7:8443,[fd00::7]:443): no host name, no range, no public address`,
    }),
  GRAPHQL_ANONYMOUS_INTROSPECTION: Joi.boolean()
    .description(
      'lets a caller without a token read the GraphQL schema (`__schema`, `__type`), as GraphiQL does before a token is typed in (docs/graphql.md); refused in production; `npm start` sets `true`',
    )
    .default(false)
    .when('NODE_ENV', {
      is: 'production',
      then: Joi.valid(false).messages({ 'any.only': '"GRAPHQL_ANONYMOUS_INTROSPECTION" must stay false in production' }),
    }),
  DOCUMENTS_STORAGE: Joi.string()
    .description(
      'where claim documents are kept: `local` (files under `DOCUMENTS_DIR`, one API host) or `s3` (a bucket every API host shares); see Document storage below',
    )
    .valid('local', 's3')
    .default('local'),
  DOCUMENTS_DIR: Joi.string().description('the directory of `DOCUMENTS_STORAGE=local`').default('.data/documents'),
  S3_ENDPOINT: Joi.string()
    .description('URL of an S3-compatible server (MinIO: `http://minio:9000`); unset: AWS S3')
    .uri({ scheme: ['http', 'https'] }),
  S3_REGION: Joi.string().description("the bucket's region").default('us-east-1'),
  // S3's bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens.
  S3_BUCKET: Joi.string()
    .description("the documents' bucket, created at start-up if missing (required with `s3`)")
    .pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3 bucket name')
    .when('DOCUMENTS_STORAGE', { is: 's3', then: Joi.required() }),
  S3_ACCESS_KEY_ID: Joi.string().description(
    "the store's access key; both keys or neither; unset: the AWS SDK's default credentials (`AWS_*` variables, instance or task role)",
  ),
  S3_SECRET_ACCESS_KEY: Joi.string().description("the store's secret key; both keys or neither"),
  S3_FORCE_PATH_STYLE: Joi.boolean()
    .description('bucket in the URL path instead of the host name (`true` for MinIO and most self-hosted servers)')
    .default(false),
  S3_TIMEOUT_MS: deadlineMs(
    'deadline of each S3 call (retries included), of connecting and of silence mid-download; past it the request answers 503',
  ).default(5000),
  // Above the bound the claim's run takes no more documents (src/shared/document-budget.ts).
  DOCUMENTS_MAX_PER_CLAIM: Joi.number()
    .description("documents one claim may hold (at most what a claim's run takes); past it an upload answers 422 `quota_exceeded`")
    .integer()
    .min(1)
    .max(MAX_DOCUMENTS_PER_CLAIM)
    .default(100),
  DOCUMENTS_MAX_BYTES_PER_TENANT: Joi.number()
    .description(
      'bytes of documents one tenant may hold over all its claims (default 10 GiB); past it an upload answers 422 `quota_exceeded`',
    )
    .integer()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .default(10 * 1024 ** 3),
  STRIPE_SECRET_KEY: Joi.string()
    .description(
      'the Stripe secret key (`sk_…`) payments are taken with (docs/premiums.md, Payment provider); set with `STRIPE_WEBHOOK_SECRET` or neither; unset: no payment provider, and `POST /payments/webhooks/stripe` answers 404; the start command sets a test key for its stripe-mock',
    )
    .max(255)
    .pattern(/^[\x21-\x7e]+$/),
  STRIPE_WEBHOOK_SECRET: Joi.string()
    .description(
      "the signing secret of Insurflow's Stripe webhook endpoint (`whsec_…`), which every event's `Stripe-Signature` is checked against; the start command generates one into `.data/stripe-webhook-secret`",
    )
    .min(16)
    .max(255)
    .pattern(/^[\x21-\x7e]+$/),
  STRIPE_API_BASE: Joi.string()
    .description(
      "where Stripe's API is reached, `http://127.0.0.1:12111` for stripe-mock (the start command and the tests set it); unset: Stripe itself",
    )
    .uri({ scheme: ['http', 'https'] })
    .pattern(/^https?:\/\/[^/?#]+\/?$/, 'base URL')
    .messages({ 'string.pattern.name': '"STRIPE_API_BASE" must be scheme, host and port only, e.g. http://127.0.0.1:12111' }),
  STRIPE_TIMEOUT_MS: deadlineMs('deadline of one call to Stripe, its retries included; past it the request answers 503')
    .max(30_000)
    .default(5000),
  STRIPE_MAX_NETWORK_RETRIES: Joi.number()
    .description(
      'how often a call to Stripe that could not connect or timed out is retried (with the same idempotency key); few, so an unreachable Stripe answers 503 fast',
    )
    .integer()
    .min(0)
    .max(3)
    .default(1),
  LOG_LEVEL: Joi.string().description('pino level').valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  TEMPORAL_RPC_TIMEOUT_MS: deadlineMs("deadline of the API's Temporal calls that start, signal or describe").default(5000),
  TEMPORAL_UPDATE_TIMEOUT_MS: deadlineMs("deadline of the API's Temporal updates").default(5000),
  TEMPORAL_QUERY_TIMEOUT_MS: deadlineMs("deadline of the API's live-state queries").default(2000),
  DB_POOL_ACQUIRE_TIMEOUT_MS: deadlineMs('PostgreSQL: how long to wait for a pooled connection (API and worker)').default(5000),
  DB_STATEMENT_TIMEOUT_MS: deadlineMs('PostgreSQL statement timeout (API and worker)').default(10_000),
  DB_CONNECT_TIMEOUT_MS: deadlineMs(
    'PostgreSQL connect timeout (API and worker): a connection is made in milliseconds, so a frozen server is known within 2 s',
  ).default(2000),
  DB_READ_TIMEOUT_MS: deadlineMs(
    "the API's reads (SELECTs outside a transaction, on a pool of their own): statement, answer and new connection each give up after this long, so a stalled PostgreSQL answers a GET with `503` within 3 s; transactions and the worker keep the deadlines above",
  ).default(2500),
  REQUEST_DEADLINE_MS: Joi.number()
    .description('how long a request holds its Idempotency-Key before a repeat may take it over')
    .integer()
    .min(1000)
    .default(30_000),
  RETRY_AFTER_SECONDS: Joi.number().description('`Retry-After` of a 503/504').integer().min(1).default(5),
  LEDGER_POSTING: Joi.string()
    .description(
      '`off` only to measure what posting to the books costs (bench `ledger`, docs/performance.md): the API and the worker then record every money movement but post none of them, so the books miss those movements and the ledger reconciliation reports the difference. The start command and compose never set it; leave it `on` everywhere else',
    )
    .valid('on', 'off')
    .default('on'),
})
  .and('S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY')
  .and('STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET')
  .and('WORKER_DEPLOYMENT_NAME', 'WORKER_BUILD_ID')
  .custom((value: Record<string, string>, helpers) =>
    value.PAYLOAD_CODEC_KEYS && !parsePayloadKeys(value.PAYLOAD_CODEC_KEYS)?.has(value.PAYLOAD_CODEC_ACTIVE_KEY)
      ? helpers.error('codec.active')
      : value,
  )
  .custom((value: Record<string, number>, helpers) => {
    const smtpDeadline = value.SMTP_CONNECTION_TIMEOUT_MS + value.SMTP_GREETING_TIMEOUT_MS + value.SMTP_SOCKET_TIMEOUT_MS;
    return smtpDeadline > NOTIFICATION_DELIVERY_BUDGET_MS ? helpers.error('smtp.deadline', { smtpDeadline }) : value;
  })
  .messages({
    // The activity that sends must outlast its delivery (src/shared/notification-timing.ts).
    'codec.active': '"PAYLOAD_CODEC_ACTIVE_KEY" must be one of the ids in PAYLOAD_CODEC_KEYS',
    'smtp.deadline': `SMTP_CONNECTION_TIMEOUT_MS + SMTP_GREETING_TIMEOUT_MS + SMTP_SOCKET_TIMEOUT_MS is {{#smtpDeadline}} ms; at most ${NOTIFICATION_DELIVERY_BUDGET_MS} ms`,
  })
  .unknown(true);

/** `http://127.0.0.1:12111` as the Stripe SDK's protocol, host and port options. */
function stripeApiBase(base: string): NonNullable<StripeSettings['apiBase']> {
  const url = new URL(base);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443 };
}

const PAYLOAD_KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `id1:base64,id2:base64` as keys by id; undefined if any pair is malformed, a key is not 32 bytes or an id repeats. */
function parsePayloadKeys(list: string): Map<string, Buffer> | undefined {
  const keys = new Map<string, Buffer>();
  for (const pair of list.split(',')) {
    const [id, encoded, ...rest] = pair.trim().split(':');
    if (rest.length > 0 || !id || !encoded || !PAYLOAD_KEY_ID.test(id) || keys.has(id)) return undefined;
    const key = Buffer.from(encoded, 'base64');
    // Node's base64 decoder skips what it does not understand: only a key that encodes back to itself is well-formed.
    if (key.length !== KEY_BYTES || key.toString('base64') !== encoded) return undefined;
    keys.set(id, key);
  }
  return keys;
}

/** Values copied from examples and compose files: anyone who read them could sign tokens. */
const PLACEHOLDER_SECRET = /change[-_ ]?me|placeholder|example|your[-_ ]?(jwt[-_ ]?)?secret|^(.)\2*$/i;

function looksLikePlaceholder(secret: string): boolean {
  return PLACEHOLDER_SECRET.test(secret);
}

export class ConfigError extends Error {}

function configError(error: Joi.ValidationError): ConfigError {
  const lines = error.details.map((d) => `  - ${d.message}`).join('\n');
  return new ConfigError(`Invalid configuration (environment variables):\n${lines}`);
}

/**
 * The configuration of a process from its environment; a ConfigError lists every variable that is
 * wrong. In production the API and the workers must have METRICS_TOKEN and PAYLOAD_CODEC_KEYS;
 * an `operator` command (scripts/admin.ts: migrations, platform admins) serves no /metrics and
 * sends nothing to Temporal, so it starts without them.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, { operator = false }: { operator?: boolean } = {}): Config {
  const { value, error } = schema.validate(env, {
    abortEarly: false,
    convert: true,
    messages: MESSAGES_WITHOUT_VALUES,
    context: { productionService: env.NODE_ENV === 'production' && !operator },
  });
  if (error) throw configError(error);
  const apiPort = value.API_PORT as number;
  // A record younger than its request's deadline may belong to a request still running: deleting
  // it would let a repeat run the same request a second time alongside it.
  if (value.RETENTION_IDEMPOTENCY_HOURS * 3_600_000 <= value.REQUEST_DEADLINE_MS) {
    throw new ConfigError(
      'Invalid configuration (environment variables):\n  - "RETENTION_IDEMPOTENCY_HOURS" must be longer than "REQUEST_DEADLINE_MS"',
    );
  }
  return {
    env: value.NODE_ENV,
    databaseUrl: value.DATABASE_URL,
    temporal: {
      address: value.TEMPORAL_ADDRESS,
      namespace: value.TEMPORAL_NAMESPACE,
      taskQueue: value.TEMPORAL_TASK_QUEUE,
      bulkTaskQueue: value.TEMPORAL_BULK_TASK_QUEUE,
      tls: value.TEMPORAL_TLS
        ? {
            serverName: value.TEMPORAL_TLS_SERVER_NAME,
            clientCertPath: value.TEMPORAL_TLS_CERT_PATH,
            clientKeyPath: value.TEMPORAL_TLS_KEY_PATH,
            serverRootCaPath: value.TEMPORAL_TLS_CA_PATH,
          }
        : undefined,
      uiUrl: value.TEMPORAL_UI_URL,
      uiOrigin: value.TEMPORAL_UI_ORIGIN,
      payloadCodec: value.PAYLOAD_CODEC_KEYS
        ? { keys: parsePayloadKeys(value.PAYLOAD_CODEC_KEYS)!, activeKeyId: value.PAYLOAD_CODEC_ACTIVE_KEY }
        : undefined,
    },
    api: {
      host: value.API_HOST,
      port: apiPort,
      corsOrigins: (value.CORS_ORIGINS as string)
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      bodyLimit: value.BODY_LIMIT,
      publicUrl: value.API_PUBLIC_URL ?? `http://${value.API_HOST}:${apiPort}`,
      drainSeconds: value.API_DRAIN_SECONDS,
    },
    jwt: {
      secret: value.JWT_SECRET,
      issuer: value.JWT_ISSUER,
      audience: value.JWT_AUDIENCE,
      accessTtlSeconds: value.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: value.JWT_REFRESH_TTL_SECONDS,
    },
    trustProxyHops: value.TRUST_PROXY_HOPS,
    passwordHashing: {
      memoryCost: value.PASSWORD_HASH_MEMORY_KIB,
      timeCost: value.PASSWORD_HASH_TIME_COST,
      queueLimit: value.PASSWORD_HASH_QUEUE_LIMIT,
    },
    rateLimit: {
      authPerMinute: value.RATE_LIMIT_AUTH_PER_MINUTE,
      registrationPerHour: value.RATE_LIMIT_REGISTRATION_PER_HOUR,
      loginFailuresPerAccountSource: value.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE,
      loginFailuresPerSource: value.RATE_LIMIT_LOGIN_FAILURES_PER_SOURCE,
      loginFailureWindowSeconds: value.RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS,
      loginFirstDelaySeconds: value.RATE_LIMIT_LOGIN_FIRST_DELAY_SECONDS,
      catalogPerMinute: value.RATE_LIMIT_CATALOG_PER_MINUTE,
      quotesPerMinute: value.RATE_LIMIT_QUOTES_PER_MINUTE,
      graphqlAnonymousPerMinute: value.RATE_LIMIT_GRAPHQL_ANONYMOUS_PER_MINUTE,
      graphqlPerUserPerMinute: value.RATE_LIMIT_GRAPHQL_PER_USER_PER_MINUTE,
      apiKeyPerMinute: value.RATE_LIMIT_API_KEY_PER_MINUTE,
      apiKeyFailuresPerSource: value.RATE_LIMIT_API_KEY_FAILURES_PER_SOURCE,
    },
    emailVerificationTtlMs: value.EMAIL_VERIFICATION_TTL_MINUTES * 60_000,
    smtp: {
      host: value.SMTP_HOST,
      port: value.SMTP_PORT,
      secure: value.SMTP_SECURE,
      user: value.SMTP_USER,
      password: value.SMTP_PASSWORD,
      from: value.MAIL_FROM,
      insecureLocalRelay: value.SMTP_INSECURE_LOCAL_RELAY,
      connectionTimeoutMs: value.SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeoutMs: value.SMTP_GREETING_TIMEOUT_MS,
      socketTimeoutMs: value.SMTP_SOCKET_TIMEOUT_MS,
      maxConnections: value.SMTP_MAX_CONNECTIONS,
    },
    worker: {
      maxCachedWorkflows: value.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivities: value.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: value.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      bulkMaxConcurrentActivities: value.WORKER_BULK_MAX_CONCURRENT_ACTIVITIES,
      bulkMaxConcurrentWorkflowTasks: value.WORKER_BULK_MAX_CONCURRENT_WORKFLOW_TASKS,
      shutdownGraceSeconds: value.WORKER_SHUTDOWN_GRACE_SECONDS,
      deployment: value.WORKER_DEPLOYMENT_NAME
        ? { deploymentName: value.WORKER_DEPLOYMENT_NAME, buildId: value.WORKER_BUILD_ID }
        : undefined,
    },
    retention: {
      intervalMs: intervalMs(value.RETENTION_SCHEDULE_INTERVAL),
      idempotencyRecordHours: value.RETENTION_IDEMPOTENCY_HOURS,
      outboxDeliveredHours: value.RETENTION_OUTBOX_DELIVERED_HOURS,
      batchSize: value.RETENTION_BATCH_SIZE,
      webhookEventDays: value.RETENTION_WEBHOOK_EVENT_DAYS,
    },
    reconciler: {
      intervalMs: intervalMs(value.RECONCILER_INTERVAL),
      batchSize: value.RECONCILER_BATCH_SIZE,
      maxBatches: value.RECONCILER_MAX_BATCHES,
      graceSeconds: value.RECONCILER_GRACE_SECONDS,
    },
    graphql: { anonymousIntrospection: value.GRAPHQL_ANONYMOUS_INTROSPECTION },
    metrics: { workerHost: value.WORKER_METRICS_HOST, workerPort: value.WORKER_METRICS_PORT, token: value.METRICS_TOKEN },
    webhookTimeoutMs: value.WEBHOOK_TIMEOUT_MS,
    webhookAllowPrivateNetworks: value.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    webhookAllowedInternalHosts: parseInternalReceivers(value.WEBHOOK_ALLOWED_INTERNAL_HOSTS) ?? [],
    documents:
      value.DOCUMENTS_STORAGE === 'local'
        ? { kind: 'local', dir: value.DOCUMENTS_DIR }
        : {
            kind: 's3',
            endpoint: value.S3_ENDPOINT,
            region: value.S3_REGION,
            bucket: value.S3_BUCKET,
            credentials: value.S3_ACCESS_KEY_ID
              ? { accessKeyId: value.S3_ACCESS_KEY_ID, secretAccessKey: value.S3_SECRET_ACCESS_KEY }
              : undefined,
            forcePathStyle: value.S3_FORCE_PATH_STYLE,
            timeoutMs: value.S3_TIMEOUT_MS,
          },
    documentQuota: { maxPerClaim: value.DOCUMENTS_MAX_PER_CLAIM, maxBytesPerTenant: value.DOCUMENTS_MAX_BYTES_PER_TENANT },
    stripe: value.STRIPE_SECRET_KEY
      ? {
          secretKey: value.STRIPE_SECRET_KEY,
          webhookSecret: value.STRIPE_WEBHOOK_SECRET,
          apiBase: value.STRIPE_API_BASE ? stripeApiBase(value.STRIPE_API_BASE) : undefined,
          timeoutMs: value.STRIPE_TIMEOUT_MS,
          maxNetworkRetries: value.STRIPE_MAX_NETWORK_RETRIES,
        }
      : undefined,
    logLevel: value.LOG_LEVEL,
    deadlines: {
      temporalRpcMs: value.TEMPORAL_RPC_TIMEOUT_MS,
      temporalUpdateMs: value.TEMPORAL_UPDATE_TIMEOUT_MS,
      temporalQueryMs: value.TEMPORAL_QUERY_TIMEOUT_MS,
      dbAcquireMs: value.DB_POOL_ACQUIRE_TIMEOUT_MS,
      dbStatementMs: value.DB_STATEMENT_TIMEOUT_MS,
      dbConnectMs: value.DB_CONNECT_TIMEOUT_MS,
      dbReadMs: value.DB_READ_TIMEOUT_MS,
      requestMs: value.REQUEST_DEADLINE_MS,
      retryAfterSeconds: value.RETRY_AFTER_SECONDS,
    },
    ledgerPosting: value.LEDGER_POSTING === 'on',
  };
}

/** The PostgreSQL role the API and workers connect as when they must not change the schema (docker-compose.yml). */
export interface AppRole {
  name: string;
  password: string;
}

const appRoleSchema = Joi.object({
  DB_APP_ROLE: Joi.string()
    .description(
      'read by the migrations only: migration 0014 creates this PostgreSQL role (lower-case name) with rights to read and write rows and none to change the schema, for the API and workers to connect as (docker-compose.yml); unset: nothing created',
    )
    .pattern(/^[a-z_][a-z0-9_]{0,62}$/)
    .messages({ 'string.pattern.base': '"DB_APP_ROLE" must be a lower-case PostgreSQL role name (a-z, 0-9, _; at most 63 characters)' }),
  DB_APP_ROLE_PASSWORD: Joi.string().description('the password of `DB_APP_ROLE` (both or neither)'),
})
  .and('DB_APP_ROLE', 'DB_APP_ROLE_PASSWORD')
  .unknown(true);

/**
 * Read by the migrations (migration 0014 creates the role), which run without the rest of the
 * configuration; undefined when DB_APP_ROLE is unset.
 */
export function loadAppRole(env: NodeJS.ProcessEnv = process.env): AppRole | undefined {
  const { value, error } = appRoleSchema.validate(env, { abortEarly: false, messages: MESSAGES_WITHOUT_VALUES });
  if (error) throw configError(error);
  return value.DB_APP_ROLE ? { name: value.DB_APP_ROLE, password: value.DB_APP_ROLE_PASSWORD } : undefined;
}

/** Every variable the processes read and the migrations' own, as docs/configuration.md documents them (scripts/config-doc.ts). */
export const CONFIGURATION_SCHEMAS: readonly Joi.ObjectSchema[] = [schema, appRoleSchema];
