/**
 * How far back webhook deliveries reach (docs/webhooks.md): a replay since a time goes back at
 * most REPLAY_SINCE_MAX_DAYS, and events are kept longer than that, so a replay never asks for
 * what retention has deleted.
 */
export const REPLAY_SINCE_MAX_DAYS = 30;
/** The default of RETENTION_WEBHOOK_EVENT_DAYS. */
export const WEBHOOK_EVENT_DAYS_DEFAULT = 45;
