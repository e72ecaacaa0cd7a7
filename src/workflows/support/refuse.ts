import { ApplicationFailure } from '@temporalio/workflow';
import type { BusinessErrorType } from '../../shared/business-errors';

/** The failure an Update validator throws to refuse a request; the API maps its type to a 4xx. */
export function refuse(type: BusinessErrorType, message: string, field?: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [[{ ...(field && { field }), message }]] });
}
