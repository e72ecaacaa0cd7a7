/**
 * Stable types of non-retryable ApplicationFailures raised by workflows and activities.
 * The API maps each to an HTTP status (src/api/errors.ts), so a rejected update reaches the
 * client as a 4xx with the same code.
 */
export const BusinessErrorType = {
  InvalidTransition: 'InvalidTransition', // 409
  Conflict: 'Conflict', // 409
  Forbidden: 'Forbidden', // 403
  NotFound: 'NotFound', // 404
  Validation: 'Validation', // 422
} as const;

export type BusinessErrorType = (typeof BusinessErrorType)[keyof typeof BusinessErrorType];
