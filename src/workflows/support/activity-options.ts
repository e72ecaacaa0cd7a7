/** Activity options several workflows share, each named for the kind of step it fits. */

/** Records and e-mails: retried until they succeed (the database or mail server coming back). */
export const UNTIL_DONE = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;

/**
 * One batch of a bulk run's items: up to five minutes, retried without limit. Each workflow says
 * beside its proxy, or beside the batch activity it names, why its batch is safe to repeat.
 */
export const BATCH_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
