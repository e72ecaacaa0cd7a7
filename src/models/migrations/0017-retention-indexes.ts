/**
 * Indexes the retention runs (src/activities/retention.ts) find expired rows by, so each batch
 * reads the oldest rows straight from an index instead of scanning a table that has grown for
 * as long as nothing was deleted. Built concurrently: those tables are written by every login and
 * every write with an Idempotency-Key, which must not wait for the build. An attempt that failed
 * half-way leaves an invalid index behind, dropped before the build is tried again.
 */
import { concurrentIndexes } from './helpers';

const INDEXES: Array<[name: string, definition: string]> = [
  ['idempotency_records_created_at', 'idempotency_records (created_at)'],
  ['outbox_messages_delivered_at', 'outbox_messages (delivered_at) WHERE delivered_at IS NOT NULL'],
  ['refresh_tokens_expires_at', 'refresh_tokens (expires_at)'],
  ['refresh_tokens_revoked_at', 'refresh_tokens (revoked_at) WHERE revoked_at IS NOT NULL'],
  ['password_reset_tokens_expires_at', 'password_reset_tokens (expires_at)'],
];

export const { up, down } = concurrentIndexes(INDEXES);
