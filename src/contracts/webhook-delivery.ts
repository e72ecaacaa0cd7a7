/**
 * The contract of `webhook-delivery-<deliveryId>` runs (docs/webhooks.md): one event to one
 * endpoint, tried on the retry schedule below with durable timers, and again on a replay.
 */
import { workflowRun } from './workflow-run';

/** The first run of a delivery, then `-replay-<n>` for the n-th replay a tenant admin asked for. */
export const webhookDeliveryRun = workflowRun(
  'webhookDeliveryWorkflow',
  'webhook-delivery-',
  (deliveryId: string, replay = 0) => `${deliveryId}${replay ? `-replay-${replay}` : ''}`,
);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Svix's schedule: the wait before each attempt, at once and then up to about 27 hours later. */
export const WEBHOOK_RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

export interface WebhookDeliveryInput {
  tenantId: string;
  deliveryId: string;
  /** 0 for the first run, n for the n-th replay: it names the attempts, so each run's are its own. */
  replay: number;
}

export interface WebhookAttemptInput {
  deliveryId: string;
  /** `<replay>-<attempt>`: an attempt is recorded once under it, whatever the activity's retries. */
  attemptKey: string;
  /** The wait before the next attempt; null when this is the last. */
  nextDelayMs: number | null;
}

/** `done`: delivered, or nothing left to do (the endpoint is gone or disabled). */
export interface WebhookAttemptOutcome {
  done: boolean;
}

export type WebhookDeliveryWorkflow = (input: WebhookDeliveryInput) => Promise<void>;
