/**
 * Business counters. The API counts what it asks of Temporal; the worker counts what only it
 * sees (notifications it sends, escalations its activities record), so those are served on the
 * worker's metrics port, not the API's /metrics. Both count the runs they start. The API also counts
 * its password hashes, the CPU a flood of logins would take.
 */
import client from 'prom-client';

/** What the API process serves next to its own metrics, and what the worker process serves. */
export const apiBusinessRegistry = new client.Registry();
export const workerBusinessRegistry = new client.Registry();

/**
 * Where a metric is served: the API's /metrics, the worker's metrics port, or both, where each
 * process serves its own count.
 */
const REGISTRIES = {
  api: [apiBusinessRegistry],
  worker: [workerBusinessRegistry],
  both: [apiBusinessRegistry, workerBusinessRegistry],
};
type ServedBy = keyof typeof REGISTRIES;

function counter<Label extends string>(servedBy: ServedBy, metric: Omit<client.CounterConfiguration<Label>, 'registers'>) {
  return new client.Counter({ ...metric, registers: REGISTRIES[servedBy] });
}

function gauge<Label extends string>(servedBy: ServedBy, metric: Omit<client.GaugeConfiguration<Label>, 'registers'>) {
  return new client.Gauge({ ...metric, registers: REGISTRIES[servedBy] });
}

function histogram<Label extends string>(servedBy: ServedBy, metric: Omit<client.HistogramConfiguration<Label>, 'registers'>) {
  return new client.Histogram({ ...metric, registers: REGISTRIES[servedBy] });
}

// The worker starts runs too (a rollout's acknowledgements): each process serves its own count.
export const workflowsStarted = counter('both', {
  name: 'insurflow_workflows_started_total',
  help: 'Workflow runs started by this process, per workflow type',
  labelNames: ['workflow_type'],
});

/**
 * How long this process waited on Temporal, per call: with the request log's `temporalMs`, what
 * tells a slow request spent in Temporal (a busy or distant cluster) from one spent here.
 */
export const temporalCallDuration = histogram('both', {
  name: 'insurflow_temporal_call_duration_seconds',
  help: 'Calls this process made to Temporal (start, start_with_update, update, signal, query, describe), per operation and outcome (ok, error); an update lasts until the run answered it',
  labelNames: ['operation', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const updatesRejected = counter('api', {
  name: 'insurflow_updates_rejected_total',
  help: 'Workflow updates a run refused, per reason (the business error type)',
  labelNames: ['reason'],
});

export const notificationsSent = counter('worker', {
  name: 'insurflow_notifications_sent_total',
  help: 'Notifications delivered by the worker, per channel',
  labelNames: ['channel'],
});

export const notificationsFailed = counter('worker', {
  name: 'insurflow_notifications_failed_total',
  help: 'Notification attempts that failed, per channel (a retried attempt counts again)',
  labelNames: ['channel'],
});

export const escalations = counter('worker', {
  name: 'insurflow_escalations_total',
  help: 'Overdue acknowledgements escalated, per level',
  labelNames: ['level'],
});

export const policyNotices = counter('worker', {
  name: 'insurflow_policy_notices_total',
  help: '"New policy to acknowledge" e-mails sent, once per employee and policy version',
});

export const passwordHashes = counter('api', {
  name: 'insurflow_password_hashes_total',
  help: 'argon2id/bcrypt computations started (a new hash, or a password checked against one), per operation',
  labelNames: ['operation'],
});

export const passwordChecksRefused = counter('api', {
  name: 'insurflow_password_hashes_refused_total',
  help: 'Password hashes refused at once (503) because the hashing queue was full, per operation',
  labelNames: ['operation'],
});

export const runDriftRows = gauge('worker', {
  name: 'insurflow_run_drift_rows',
  help: 'Open rows whose run the last reconciler run found closed, missing or restarted, per entity and run state',
  labelNames: ['entity', 'run_state'],
});

export const runsWithoutRowEnded = counter('worker', {
  name: 'insurflow_reconciler_runs_without_row_ended_total',
  help: 'Open runs the reconciler terminated because no row names them (a restore to an earlier instant), per entity',
  labelNames: ['entity'],
});

export const openIncidents = gauge('worker', {
  name: 'insurflow_activity_incidents_open',
  help: 'Activities that failed their third attempt or a later one and have not succeeded since, per activity type (every worker reports the whole table)',
  labelNames: ['activity_type'],
});

export const claimSlaBreaches = counter('worker', {
  name: 'insurflow_claim_sla_breaches_total',
  help: "Claims escalated to their managers because a stage's deadline passed, per escalation",
  labelNames: ['escalation'],
});

export const claimReserveChanges = counter('worker', {
  name: 'insurflow_claim_reserve_changes_total',
  help: 'Reserve changes claim runs recorded, per status (applied, pending, approved, rejected, released, payment, payment_returned), and their amounts below',
  labelNames: ['status'],
});

export const claimReserveAmount = counter('worker', {
  name: 'insurflow_claim_reserve_change_amount_total',
  help: 'Sum of the absolute amounts reserve changes moved (|amount - amountBefore|), per status and cost type, in each plan’s currency units',
  labelNames: ['status', 'cost_type'],
});

export const claimPayments = counter('worker', {
  name: 'insurflow_claim_payments_total',
  help: 'Claim payments claim runs recorded, per status they reached (requested, approved, voided, returned to the reserve as failed)',
  labelNames: ['status'],
});

export const claimPaymentAmount = counter('worker', {
  name: 'insurflow_claim_payment_amount_total',
  help: 'Sum of the amounts of claim payments per status they reached, per cost type, in each plan’s currency units',
  labelNames: ['status', 'cost_type'],
});

export const outboxUndelivered = gauge('api', {
  name: 'insurflow_outbox_undelivered',
  help: 'Outbox messages (workflow starts and signals) not yet delivered to Temporal',
});

export const outboxOldestUndeliveredAge = gauge('api', {
  name: 'insurflow_outbox_oldest_undelivered_age_seconds',
  help: 'Age of the oldest undelivered outbox message (0 when none)',
});

export const premiumPaymentsReceived = counter('api', {
  name: 'insurflow_premium_payments_received_total',
  help: 'Premium payments recorded (by staff or from the payment provider), per method, counted once committed',
  labelNames: ['method'],
});

export const premiumAmountReceived = counter('api', {
  name: 'insurflow_premium_payments_received_minor_total',
  help: "Money of the premium payments recorded, in the currency's minor unit (cents), per currency",
  labelNames: ['currency'],
});

export const invoicesOverdue = gauge('worker', {
  name: 'insurflow_invoices_overdue',
  help: 'Unpaid invoices past their due date, per currency, as the last reconciler run counted them',
  labelNames: ['currency'],
});

export const invoicesOverdueAmount = gauge('worker', {
  name: 'insurflow_invoices_overdue_minor',
  help: "What the overdue invoices still owe, in the currency's minor unit, per currency, as the last reconciler run counted it",
  labelNames: ['currency'],
});

export const ledgerDifferences = gauge('worker', {
  name: 'insurflow_ledger_differences_open',
  help: 'Tenants whose books differ from their rows: the open incidents reconciliation found (docs/ledger.md, Reconciliation), as its last scheduled run counted them',
});

export const premiumRunDrift = gauge('worker', {
  name: 'insurflow_premium_run_drift',
  help: 'What the last reconciler run found of invoices against their runs, per finding (payment_unnoticed, refund_restarted, refund_stuck)',
  labelNames: ['finding'],
});

/**
 * Each call to the payment provider it could not serve, in the API (a 503) or the worker (a
 * retried refund). The provider sets every reason to 0 when it is made, so increase() sees the first one.
 */
export const paymentProviderUnavailable = counter('both', {
  name: 'insurflow_payment_provider_unavailable_total',
  help: "Calls to the payment provider that failed whatever the request, per reason: unreachable (no connection or no answer in time), provider_error (its 5xx), rate_limited, credentials_refused (401/403 to Insurflow's key)",
  labelNames: ['reason'],
});

export const planNoticesFollowing = gauge('api', {
  name: 'insurflow_plan_notices_following',
  help: "1 while this API process follows the plans' change notices and answers what it keeps of them; 0 while it reads every plan from PostgreSQL (docs/catalog.md)",
});

export const planChangeNoticesHeard = counter('api', {
  name: 'insurflow_plan_change_notices_total',
  help: "Plan change notices this API process has heard (heartbeats not counted); each one makes it read that tenant's plans from PostgreSQL again",
});
