/**
 * Activities of the retention runs: each deletes, from one table, the rows nobody needs any more.
 *
 * A table is emptied in batches, each one short DELETE of at most `batchSize` rows committing on
 * its own, until a batch finds fewer: no long transaction, no long lock, and other writers wait
 * at most one batch. Rows another transaction holds are skipped (they are picked up by a later
 * run). Deleting what is already gone is a no-op, so a retried activity just goes on; its count
 * so far travels in the heartbeat, so the run reports every row once. Between batches an activity
 * stops when it is cancelled (the worker's shutdown grace time has run out): every batch before
 * has committed.
 */
import { Context } from '@temporalio/activity';
import { QueryTypes, type Sequelize } from 'sequelize';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '../config';
import type { RetentionInput } from '../contracts/retention';
import { WEBHOOK_EVENT_DAYS_DEFAULT } from '../shared/webhook-retention';
import type { ActivityDeps } from './deps';

/** Which rows of a table have expired: a condition on its alias `t`, with named replacements. */
interface Expiry {
  table: string;
  /** The table's primary key column, `id` unless named. */
  key?: string;
  condition: string;
  replacements?: Record<string, number>;
}

async function deleteInBatches(sequelize: Sequelize, expiry: Expiry, batchSize: number): Promise<number> {
  const context = Context.current();
  let deleted: number = context.info.heartbeatDetails ?? 0;
  const key = expiry.key ?? 'id';
  for (;;) {
    const count = await sequelize.query(
      `DELETE FROM ${expiry.table} WHERE ${key} IN (SELECT t.${key} FROM ${expiry.table} t WHERE ${expiry.condition} LIMIT :batchSize FOR UPDATE SKIP LOCKED)`,
      { type: QueryTypes.BULKDELETE, replacements: { ...expiry.replacements, batchSize } },
    );
    deleted += count;
    context.heartbeat(deleted);
    if (count < batchSize) return deleted;
    context.cancellationSignal.throwIfAborted();
  }
}

/**
 * A refresh token family may go only when none of its tokens can still be presented: every one
 * has expired or been revoked. A family with a used but live token is kept whole, because
 * presenting that used token again is how reuse is detected (src/services/tokens.ts). All tokens
 * of a family share its end, so a family goes at once, at the latest when its session would end.
 * A revoked token stays until its revocation is older than the longest an access token lives: the
 * revocation is what refuses that login's access tokens meanwhile (src/services/authority.ts).
 */
const DEAD_REFRESH_TOKEN_FAMILY: Expiry = {
  table: 'refresh_tokens',
  condition: `((t.revoked_at IS NULL AND t.expires_at <= now()) OR t.revoked_at < now() - make_interval(secs => :endedLoginSeconds))
  AND NOT EXISTS (SELECT 1 FROM refresh_tokens live WHERE live.family_id = t.family_id AND live.expires_at > now() AND live.revoked_at IS NULL)`,
  replacements: { endedLoginSeconds: MAX_ACCESS_TOKEN_TTL_SECONDS },
};

/** The rows of `table` whose instant `column` is more than `hours` ago. */
function olderThanHours(table: string, column: string, hours: number): Expiry {
  return { table, condition: `t.${column} < now() - make_interval(hours => :hours)`, replacements: { hours } };
}

export function createRetentionActivities({ sequelize }: ActivityDeps) {
  return {
    /** Records of requests that began more than the window ago: completed or abandoned, their key may be used afresh. */
    purgeIdempotencyRecords(input: RetentionInput): Promise<number> {
      const expiry = olderThanHours('idempotency_records', 'created_at', input.idempotencyRecordHours);
      return deleteInBatches(sequelize, expiry, input.batchSize);
    },

    /** Messages delivered more than the window ago; undelivered ones stay whatever their age. */
    purgeDeliveredOutboxMessages(input: RetentionInput): Promise<number> {
      const expiry = olderThanHours('outbox_messages', 'delivered_at', input.outboxDeliveredHours);
      return deleteInBatches(sequelize, expiry, input.batchSize);
    },

    /** Webhook events older than their days whose deliveries are all done; their deliveries and attempts go with them (ON DELETE CASCADE). */
    purgeWebhookEvents(input: RetentionInput): Promise<number> {
      const expiry = {
        table: 'webhook_events',
        condition: `t.time < now() - make_interval(days => :days)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = t.id AND d.status = 'pending')`,
        replacements: { days: input.webhookEventDays ?? WEBHOOK_EVENT_DAYS_DEFAULT },
      };
      return deleteInBatches(sequelize, expiry, input.batchSize);
    },

    purgeDeadRefreshTokenFamilies(input: RetentionInput): Promise<number> {
      return deleteInBatches(sequelize, DEAD_REFRESH_TOKEN_FAMILY, input.batchSize);
    },

    /** Reset tokens past their expiry, used or not: either way they only answer "expired" or "used" any more. */
    purgeExpiredPasswordResetTokens(input: RetentionInput): Promise<number> {
      return deleteInBatches(sequelize, { table: 'password_reset_tokens', condition: 't.expires_at <= now()' }, input.batchSize);
    },

    /** Second-factor challenges past their expiry, answered or not: a sign-in that stopped there starts again. */
    purgeExpiredMfaChallenges(input: RetentionInput): Promise<number> {
      return deleteInBatches(sequelize, { table: 'mfa_challenges', condition: 't.expires_at <= now()' }, input.batchSize);
    },

    /** Company sign-ins started and never finished (a finished one is deleted as it finishes), past their expiry. */
    purgeExpiredSsoLogins(input: RetentionInput): Promise<number> {
      const expiry = { table: 'sso_logins', key: 'state_hash', condition: 't.expires_at <= now()' };
      return deleteInBatches(sequelize, expiry, input.batchSize);
    },
  };
}
