/**
 * Authentication events on the record (docs/accounts.md, Authentication events): one function,
 * `recordAuthEvent`, for every sign-in, sign-out, session refresh, credential change, API key,
 * second factor and company sign-in, written to the audit trail with category `authentication`,
 * the request's ID, client address and user agent. Never a password, code, token or key: an
 * event names the account, and a failure only its reason category.
 *
 * Failures are aggregated, so a storm of them is not a storm of writes: the failures of one
 * (type, tenant, account, client address, reason) within a minute are one row counting them,
 * `occurredAt` the first and `lastOccurredAt` the last seen (this process's clock). Each process adds them up in memory
 * and writes each row's count at most once a second (an upsert on its `dedupe_key`, which names
 * the window), so a flood costs one statement per row and second, whatever its rate. A process
 * that dies loses at most its last second of counts.
 */
import crypto from 'node:crypto';
import { QueryTypes, type CreationAttributes, type Transaction } from 'sequelize';
import type { Logger } from '../../config/logger';
import { AuditEvent } from '../../models';
import { auditEventValues, type AuditSource } from '../audit/record';
import { utcDay } from '../../shared/time';

/** Who records: the request's audit source, and the logger a count that could not be written is reported to (a command's deps have both). */
export interface AuthEventSource {
  auditSource: AuditSource;
  logger: Logger;
}

/**
 * Every authentication event this module records (the second factor's other `mfa.*` events are
 * recorded with its changes, src/domain/identity/mfa.ts); the failure types (FAILURE_TYPES) are aggregated.
 */
export type AuthEventType =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_out'
  | 'auth.refresh'
  | 'auth.refresh_reuse'
  | 'user.password_change'
  | 'user.password_reset'
  | 'user.email_change'
  | 'api_key.create'
  | 'api_key.revoke'
  | 'api_key.daily_first_use'
  | 'mfa.challenged'
  | 'mfa.enrolment_required'
  | 'sso.sign_in'
  | 'sso.sign_in_failed'
  | 'sso.account_create'
  | 'sso.account_link';

/** Why an attempt failed, as a category: never what was typed. */
export type AuthFailureReason =
  'unknown_account' | 'wrong_password' | 'inactive' | 'tenant_suspended' | 'rate_limited' | 'sso_required' | SsoRefusalReason;

/** Why a company sign-in was refused: the code its answer carried (docs/accounts.md, Company sign-in). */
export type SsoRefusalReason =
  | 'sso_account_conflict'
  | 'sso_browser_mismatch'
  | 'sso_domain_not_allowed'
  | 'sso_email_missing'
  | 'sso_email_invalid'
  | 'sso_email_unverified'
  | 'sso_group_unmapped'
  | 'sso_link_not_allowed'
  | 'sso_provider_refused'
  | 'sso_role_ambiguous'
  | 'sso_state_invalid'
  | 'sso_token_invalid'
  | 'sso_user_disabled';

const FAILURE_TYPES: ReadonlySet<AuthEventType> = new Set(['auth.sign_in_failed', 'sso.sign_in_failed']);

export interface AuthEvent {
  type: AuthEventType;
  /** The tenant whose admins read it; null for the platform's (platform admins, unknown accounts). */
  tenantId: string | null;
  /** The account it is about, when known. */
  userId?: string | null;
  /** The API key it is about (the `api_key.*` events). */
  apiKeyId?: string;
  /** For an attempt at an address no account has: kept only as its SHA-256, never as typed. */
  email?: string;
  reason?: AuthFailureReason;
}

/** What the event is about: the key, the account, the hash of an unknown address, or else the client. */
function subjectOf(source: AuditSource, event: AuthEvent): { entityType: string; entityId: string } {
  if (event.apiKeyId) return { entityType: 'api_key', entityId: event.apiKeyId };
  if (event.userId) return { entityType: 'user', entityId: event.userId };
  if (event.email !== undefined) return { entityType: 'account', entityId: emailHash(event.email) };
  return { entityType: 'client', entityId: source.client?.clientAddress ?? 'unknown' };
}

/** An address as typed, normalised and hashed: attempts at one address meet in one row, the address itself is never stored. */
export const emailHash = (email: string): string => crypto.createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

function valuesOf(source: AuditSource, event: AuthEvent, dedupeKey?: string): CreationAttributes<AuditEvent> {
  const change = { tenantId: event.tenantId, action: event.type, ...subjectOf(source, event), reason: event.reason, dedupeKey };
  return auditEventValues(source, change);
}

/**
 * Records an authentication event. A success is written at once (within `transaction` when one
 * is given, so it commits with the change it records); a failure is counted into its window's
 * row, written within a second (see the top of this file).
 */
export async function recordAuthEvent(
  { auditSource, logger }: AuthEventSource,
  event: AuthEvent,
  transaction?: Transaction,
): Promise<void> {
  if (FAILURE_TYPES.has(event.type)) {
    countFailure(auditSource, event, logger);
    return;
  }
  await AuditEvent.bulkCreate([valuesOf(auditSource, event)], { transaction, ignoreDuplicates: true });
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The UTC day each key's first use was last recorded on, by this process (bounded). */
const dailyUses = new Map<string, number>();
const MAX_DAILY_USE_ENTRIES = 10_000;

/**
 * Records an API key's first use of the UTC day: one row per key and day (its `dedupe_key`),
 * and from this process one insert per key and day at most.
 */
export async function recordApiKeyDailyUse(source: AuditSource, key: { id: string; tenantId: string }): Promise<void> {
  const day = Math.floor(Date.now() / DAY_MS);
  if (dailyUses.get(key.id) === day) return;
  if (dailyUses.size >= MAX_DAILY_USE_ENTRIES) dailyUses.clear();
  dailyUses.set(key.id, day);
  const event: AuthEvent = { type: 'api_key.daily_first_use', tenantId: key.tenantId, apiKeyId: key.id };
  const dedupeKey = `api_key.daily_first_use:${key.id}:${utcDay(day * DAY_MS)}`;
  await AuditEvent.bulkCreate([valuesOf(source, event, dedupeKey)], { ignoreDuplicates: true });
}

/** The window a failure is counted in; its row says when within it the first and last were seen. */
export const FAILURE_WINDOW_MS = 60_000;
/** How long a process adds up failures before writing their counts. */
const FLUSH_INTERVAL_MS = 1_000;
/** Rows with counts waiting to be written, at most; more are written at once. */
const MAX_PENDING_ROWS = 1_000;

interface PendingCount {
  values: CreationAttributes<AuditEvent>;
  occurrences: number;
  firstSeen: Date;
  lastSeen: Date;
  logger: Logger;
}

const pending = new Map<string, PendingCount>();
let flushTimer: NodeJS.Timeout | null = null;
let flushing: Promise<void> = Promise.resolve();

function countFailure(source: AuditSource, event: AuthEvent, logger: Logger): void {
  const now = new Date();
  const window = Math.floor(now.getTime() / FAILURE_WINDOW_MS);
  const values = valuesOf(source, event);
  const identity = [values.action, values.tenantId, values.entityType, values.entityId, values.clientAddress, values.reason, window];
  const dedupeKey = `auth-failures:${crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`;
  const counted = pending.get(dedupeKey);
  if (counted) {
    counted.occurrences += 1;
    counted.lastSeen = now;
  } else {
    pending.set(dedupeKey, { values: { ...values, dedupeKey }, occurrences: 1, firstSeen: now, lastSeen: now, logger });
  }
  if (pending.size >= MAX_PENDING_ROWS) void flushAuthFailures();
  else flushTimer ??= setTimeout(() => void flushAuthFailures(), FLUSH_INTERVAL_MS).unref();
}

/** The upsert of one window's row: a new row with the count, or the count added to the row. */
const UPSERT_FAILURES = `
  INSERT INTO audit_events (occurred_at, tenant_id, actor_type, actor_id, action, entity_type, entity_id, changes, request_id,
                            dedupe_key, category, client_address, user_agent, reason, occurrences, last_occurred_at)
  VALUES (:firstSeen, :tenantId, :actorType, :actorId, :action, :entityType, :entityId, '{}', :requestId,
          :dedupeKey, :category, :clientAddress, :userAgent, :reason, :occurrences, :lastSeen)
  ON CONFLICT (dedupe_key) DO UPDATE
    SET occurrences = audit_events.occurrences + EXCLUDED.occurrences,
        last_occurred_at = GREATEST(audit_events.last_occurred_at, EXCLUDED.last_occurred_at)`;

/**
 * Writes the failures counted so far (one statement per row); the timer calls it, and so may a
 * process about to stop or a test. A count that could not be written is logged and dropped:
 * retrying it would let a failing database grow the memory without bound.
 */
export function flushAuthFailures(): Promise<void> {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  const batch = [...pending.values()];
  pending.clear();
  flushing = flushing.then(async () => {
    const sequelize = AuditEvent.sequelize!;
    for (const { values, occurrences, firstSeen, lastSeen, logger } of batch) {
      try {
        await sequelize.query(UPSERT_FAILURES, {
          type: QueryTypes.INSERT,
          replacements: { ...values, actorId: values.actorId ?? null, occurrences, firstSeen, lastSeen },
        });
      } catch (err) {
        logger.error({ err, action: values.action, occurrences }, 'authentication failures not recorded');
      }
    }
  });
  return flushing;
}
