/**
 * How the time limits around one notification nest, each longer than the one before:
 *
 *   one delivery: the SMTP connection + greeting + socket timeouts (a hard deadline on the whole
 *   send, counted once the message has a session, src/services/mailer.ts) or WEBHOOK_TIMEOUT_MS,
 *   at most NOTIFICATION_DELIVERY_BUDGET_MS (the configuration refuses longer ones; the defaults
 *   give 50 s and 5 s); the wait for a free SMTP session gets what the budget leaves
 *     < NOTIFYING_ACTIVITY_TIMEOUT_MS, the startToCloseTimeout of every activity that sends: the
 *       budget plus 30 s for the activity's own database statements, so Temporal never gives up
 *       on an attempt whose delivery is merely slow
 *     < NOTIFICATION_LEASE_MS, how long a claimed notification row stays claimed: by the time the
 *       lease runs out, the attempt that took it has ended (finished, failed, or timed out by
 *       Temporal), so a retry that takes the row over never sends beside a live attempt.
 *
 * The cost: after a worker dies in the middle of a send, that message goes out once the lease has
 * run out, up to NOTIFICATION_LEASE_MS later. Workflow code imports these, so they are constants.
 */
export const NOTIFICATION_DELIVERY_BUDGET_MS = 60_000;
export const NOTIFYING_ACTIVITY_TIMEOUT_MS = NOTIFICATION_DELIVERY_BUDGET_MS + 30_000;
export const NOTIFICATION_LEASE_MS = NOTIFYING_ACTIVITY_TIMEOUT_MS + 30_000;
