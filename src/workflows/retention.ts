/**
 * Retention: `<task queue>-retention-<scheduled time>`, started by the Temporal Schedule of the
 * same name (src/services/retention-schedule.ts), every hour by default.
 *
 * Deletes what the tables no longer need: idempotency records past their window, delivered
 * outbox messages, refresh token families that can no longer be presented, expired password
 * reset tokens and second-factor challenges, company sign-ins never finished, and webhook events
 * (with their deliveries) past their days. One activity per table, one after the other so the database serves one purge at
 * a time; each deletes in short batches and heartbeats its count. The run answers the counts.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RetentionCounts, RetentionInput } from '../contracts/retention';
import { publishStatus } from './support/business-status';

const {
  purgeIdempotencyRecords,
  purgeDeliveredOutboxMessages,
  purgeDeadRefreshTokenFamilies,
  purgeExpiredPasswordResetTokens,
  purgeExpiredMfaChallenges,
  purgeExpiredSsoLogins,
  purgeWebhookEvents,
} = proxyActivities<Activities>({
  // A backlog (the first run on a large database) may take many batches; a heartbeat after each
  // batch shows the activity is alive, and a batch waits at most the statement timeout.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  // A run that keeps failing ends failed, visible on the schedule; the next run starts afresh.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function retentionWorkflow(input: RetentionInput): Promise<RetentionCounts> {
  publishStatus({ status: 'purging' });
  const counts: RetentionCounts = {
    idempotencyRecords: await purgeIdempotencyRecords(input),
    outboxMessages: await purgeDeliveredOutboxMessages(input),
    refreshTokens: await purgeDeadRefreshTokenFamilies(input),
    passwordResetTokens: await purgeExpiredPasswordResetTokens(input),
    ...(patched('retention-sign-in-steps')
      ? { mfaChallenges: await purgeExpiredMfaChallenges(input), ssoLogins: await purgeExpiredSsoLogins(input) }
      : { mfaChallenges: 0, ssoLogins: 0 }),
    webhookEvents: patched('retention-webhook-events') ? await purgeWebhookEvents(input) : 0,
  };
  publishStatus({
    status: 'purged',
    details: `Deleted ${counts.idempotencyRecords} idempotency records, ${counts.outboxMessages} outbox messages, ${counts.refreshTokens} refresh tokens, ${counts.passwordResetTokens} password reset tokens, ${counts.mfaChallenges} second-factor challenges, ${counts.ssoLogins} company sign-ins, ${counts.webhookEvents} webhook events`,
  });
  return counts;
}
