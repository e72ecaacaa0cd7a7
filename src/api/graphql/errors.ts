/**
 * The refusals of the commands and the access policy, as GraphQL errors: the API's one error
 * mapping (`toApiError`, the same 403/404/409 decisions as REST) gives the error factory's error,
 * whose status becomes `extensions.code` and whose code and details travel beside it.
 */
import { GraphQLError } from 'graphql';
import type { Logger } from '../../config/logger';
import { toApiError } from '../http/middleware/error-handler';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'BAD_USER_INPUT',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
  504: 'UNAVAILABLE',
};

/** A resolver's error as the client sees it; an unexpected one is logged and told as an internal error. */
export function toGraphQLError(error: GraphQLError, logger: Logger, requestId: string): GraphQLError {
  if (!error.originalError || error.originalError instanceof GraphQLError) return error;
  const apiError = toApiError(error.originalError);
  const common = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
  if (!apiError) {
    logger.error({ err: error.originalError, requestId, path: error.path }, 'GraphQL resolver failed');
    return new GraphQLError('Something went wrong on our side', { ...common, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } });
  }
  return new GraphQLError(apiError.message, {
    ...common,
    extensions: { code: CODE_BY_STATUS[apiError.status] ?? 'BAD_USER_INPUT', reason: apiError.code, details: apiError.details, requestId },
  });
}
