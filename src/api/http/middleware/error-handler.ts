import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import Joi from 'joi';
import type { Middleware } from 'koa';
import { DatabaseError, UniqueConstraintError, ForeignKeyConstraintError } from 'sequelize';
import { updatesRejected } from '../../../observability/business-metrics';
import { NotPermitted, NotVisible } from '../../../access/refusals';
import { PasswordHashingBusy } from '../../../services/passwords';
import { businessFailureDetails, BusinessErrorType } from '../../../shared/business-errors';
import { dependencyErrorOf } from '../dependency-errors';
import { ApiError, forbidden, notFound, overloaded } from '../../../shared/errors';

/**
 * The fields of a unique key as a client names them (`policy_number` → `policyNumber`): the tenant's
 * column is in most keys but never the client's to change, and PostgreSQL's own wording would name
 * the table's columns.
 */
function takenFields(err: UniqueConstraintError): { field: string; message: string }[] {
  return err.errors
    .map((item) => item.path?.replace(/_([a-z])/g, (_all, letter: string) => letter.toUpperCase()))
    .filter((field): field is string => field !== undefined && field !== 'tenantId')
    .map((field) => ({ field, message: `${field} is already in use` }));
}

const STATUS_BY_BUSINESS_ERROR: Record<BusinessErrorType, [number, string]> = {
  InvalidTransition: [409, 'invalid_transition'],
  Conflict: [409, 'conflict'],
  Forbidden: [403, 'forbidden'],
  NotFound: [404, 'not_found'],
  Validation: [422, 'unprocessable'],
  OwnClaim: [403, 'own_claim'],
  SecondApproverRequired: [409, 'second_approver_required'],
  CoverageExceeded: [422, 'coverage_exceeded'],
};

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
};

/** The ApplicationFailure inside a rejected workflow update, if the update was refused by the workflow. */
function businessFailureOf(err: unknown): ApplicationFailure | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause;
  if (err instanceof ApplicationFailure) return err;
  return undefined;
}

export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const outage = dependencyErrorOf(err);
  if (outage) return outage;
  if (err instanceof NotVisible) return notFound(err.resource);
  if (err instanceof NotPermitted) return forbidden(err.reason);
  if (err instanceof PasswordHashingBusy) return overloaded('Too many password checks are waiting; retry later');
  const failure = businessFailureOf(err);
  if (failure && failure.type && failure.type in STATUS_BY_BUSINESS_ERROR) {
    const [status, code] = STATUS_BY_BUSINESS_ERROR[failure.type as BusinessErrorType];
    return new ApiError(status, code, failure.message, businessFailureDetails(failure));
  }
  if (err instanceof WorkflowNotFoundError) return new ApiError(404, 'not_found', 'Workflow run not found');
  if (err instanceof Joi.ValidationError) {
    return new ApiError(
      400,
      'validation_failed',
      'The request is invalid',
      err.details.map((d) => ({ field: d.path.join('.'), message: d.message })),
    );
  }
  if (err instanceof UniqueConstraintError) {
    return new ApiError(409, 'conflict', 'A resource with these values already exists', takenFields(err));
  }
  if (err instanceof ForeignKeyConstraintError) return new ApiError(422, 'unprocessable', 'A referenced resource does not exist');
  // numeric_value_out_of_range: an amount larger than its DECIMAL column holds.
  if (err instanceof DatabaseError && (err.parent as { code?: string }).code === '22003') {
    return new ApiError(422, 'unprocessable', 'A number is larger than can be stored (amounts hold at most 12 digits, 2 after the point)');
  }
  // Errors from koa itself and its middleware (body parser) carry an HTTP status.
  const status = (err as { status?: number; expose?: boolean }).status;
  if (status && status >= 400 && status < 500) {
    const message = status === 401 ? 'Authentication required' : (err as Error).message;
    return new ApiError(status, STATUS_CODES[status] ?? 'bad_request', message);
  }
  return undefined;
}

/** Turns every error into the JSON error body; an unexpected one is kept for the request log (with its stack). */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ApiError(404, 'not_found', 'No such route');
    } catch (err) {
      const apiError = toApiError(err);
      if (!apiError) ctx.state.unhandledError = err;
      if (err instanceof WorkflowUpdateFailedError) updatesRejected.inc({ reason: businessFailureOf(err)?.type ?? 'other' });
      const status = apiError?.status ?? 500;
      ctx.status = status;
      if (status === 503 || status === 504) ctx.set('Retry-After', String(ctx.services.config.deadlines.retryAfterSeconds));
      ctx.body = {
        error: {
          code: apiError?.code ?? 'internal_error',
          message: apiError?.message ?? 'Something went wrong on our side',
          details: apiError?.details ?? [],
          requestId: ctx.state.requestId,
        },
      };
    }
  };
}
