/**
 * Recognises the errors of an unavailable dependency (PostgreSQL, Temporal, the document store
 * (S3 or local disk) or the payment provider) wherever they come from, so an outage answers 503 instead of 500 even on a path that
 * does not go through temporalCall (which tells the worker apart from the server and unknown
 * outcomes, see there).
 */
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { DatabaseError as PgDatabaseError } from 'pg';
import { ConnectionError, DatabaseError } from 'sequelize';
import { PostgresNotAnswering } from '../../models/database';
import { DocumentStoreUnavailable } from '../../services/documents';
import { PaymentProviderUnavailable } from '../../services/payment-provider';
import { ApiError, dependencyUnavailable } from '../../shared/errors';

/** gRPC status codes of an unreachable or too slow server. */
const GRPC_OUTAGE_CODES = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);
/** PostgreSQL SQLSTATEs of a server that cannot serve now: statement timeout, shutdown, too many connections, deadlock. */
const POSTGRES_OUTAGE_CODES = /^(57014|57P0\d|53300|40P01)$/;
/**
 * node-postgres errors without a SQLSTATE: its client-side read timeout, a dropped connection, and a
 * statement sent on a connection closed under it (the next one of a transaction whose statement was cut
 * as PostgresNotAnswering, which is recognised by its class).
 */
const POSTGRES_CLIENT_OUTAGE = /Query read timeout|Connection terminated|Client was closed/;

const GRPC_FAILED_PRECONDITION = 9;

/** The gRPC status code of a Temporal call's failure, whether the SDK wrapped it in a ServiceError or not. */
function grpcCodeOf(err: unknown): number | undefined {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) ? grpc.code : undefined;
}

export function isTemporalOutage(err: unknown): boolean {
  const code = grpcCodeOf(err);
  return code !== undefined && GRPC_OUTAGE_CODES.has(code);
}

/**
 * The server's refusal of an Update while the run's workflow task keeps failing at the worker
 * ("Workflow Task in failed state", gRPC FAILED_PRECONDITION: the server checks this before it
 * delivers an update), seen while workers restart. The update was not delivered: it may be sent
 * again once a worker completes the task, so it is an outage, not the request's fault.
 */
export function isWorkflowTaskFailing(err: unknown): boolean {
  return grpcCodeOf(err) === GRPC_FAILED_PRECONDITION;
}

/**
 * node-postgres's own failure, not wrapped by Sequelize: what a library running its statements on a
 * pooled connection itself throws (the rate limits, src/api/http/middleware/rate-limit.ts).
 */
function isDriverOutage(err: unknown): boolean {
  if (err instanceof PostgresNotAnswering) return true;
  if (err instanceof PgDatabaseError) return err.code !== undefined && POSTGRES_OUTAGE_CODES.test(err.code);
  return err instanceof Error && POSTGRES_CLIENT_OUTAGE.test(err.message);
}

export function isDatabaseOutage(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  if (!(err instanceof DatabaseError)) return isDriverOutage(err);
  if (err.parent instanceof PostgresNotAnswering) return true;
  const code = (err.parent as { code?: string }).code;
  return (code !== undefined && POSTGRES_OUTAGE_CODES.test(code)) || POSTGRES_CLIENT_OUTAGE.test(err.message);
}

export function dependencyErrorOf(err: unknown): ApiError | undefined {
  if (isDatabaseOutage(err)) return dependencyUnavailable('postgres');
  if (isTemporalOutage(err)) return dependencyUnavailable('temporal');
  if (err instanceof DocumentStoreUnavailable) return dependencyUnavailable(err.store);
  if (err instanceof PaymentProviderUnavailable) return dependencyUnavailable('payment_provider');
  return undefined;
}
