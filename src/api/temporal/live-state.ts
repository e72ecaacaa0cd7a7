import type { Client } from '@temporalio/client';
import type { ApiServices } from '../runtime/services';
import { temporalCall } from './calls';

/** A read that adds the live state of a run to its row; `stale` says the run did not answer in time. */
export interface LiveState<State> {
  state: State | null;
  stale: boolean;
}

/**
 * Asks a run for its live state within the query deadline. A worker or server that does not
 * answer degrades the read to the recorded row instead of failing it. REST's reads of one row and
 * GraphQL's `liveState` fields use it alike.
 */
export async function queryLiveState<State>(
  services: ApiServices,
  resourceId: string,
  query: (temporal: Client) => Promise<State>,
): Promise<LiveState<State>> {
  try {
    return { state: await temporalCall(services, 'query', query), stale: false };
  } catch (err) {
    services.logger.warn({ err, resourceId }, 'live state query failed; answering from the recorded row');
    return { state: null, stale: true };
  }
}
