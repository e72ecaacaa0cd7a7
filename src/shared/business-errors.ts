/**
 * Business refusals: non-retryable ApplicationFailures with a stable type, raised by workflows
 * (Update validators), claim rules and activities. The API maps each type to an HTTP status
 * (src/api/http/middleware/error-handler.ts) and answers the failure's details as the error body's
 * `details`, so a refused update reaches the client as a 4xx saying which field or rule refused it.
 * Only @temporalio/common here: workflow code imports this module.
 */
import { ApplicationFailure } from '@temporalio/common';

export const BusinessErrorType = {
  InvalidTransition: 'InvalidTransition', // 409
  Conflict: 'Conflict', // 409
  Forbidden: 'Forbidden', // 403
  NotFound: 'NotFound', // 404
  Validation: 'Validation', // 422
  /** The claimant (or another account of the same person) acting on their own claim. */
  OwnClaim: 'OwnClaim', // 403
  /** Whoever assigned the claim to themselves waits for a second person to approve it. */
  SecondApproverRequired: 'SecondApproverRequired', // 409
  /** The approvals on one subscription would sum above its coverage. */
  CoverageExceeded: 'CoverageExceeded', // 422
} as const;

export type BusinessErrorType = (typeof BusinessErrorType)[keyof typeof BusinessErrorType];

/** One entry of the error body's `details`: the refused field or rule and what the client may need (limits, allowed moves). */
export interface BusinessFailureDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

/** The one way to refuse: the failure carries a single detail, the message plus what `details` adds. */
export function businessFailure(
  type: BusinessErrorType,
  message: string,
  details: Omit<BusinessFailureDetail, 'message'> = {},
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [[{ ...details, message }]] });
}

/** The details a business failure carries, or none when it carries something else. */
export function businessFailureDetails(failure: ApplicationFailure): BusinessFailureDetail[] {
  const details = failure.details?.[0];
  return Array.isArray(details) ? (details as BusinessFailureDetail[]) : [];
}
