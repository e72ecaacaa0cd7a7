import type { Client } from '@temporalio/client';
import type { RouteContext } from '../http/route';
import { temporalCall } from './calls';

/** A read that adds the live state of a run to its row; `stale` says the run did not answer in time. */
export interface LiveState<State> {
  state: State | null;
  stale: boolean;
}

/**
 * Asks a run for its live state within the query deadline. A worker or server that does not
 * answer degrades the read to the recorded row instead of failing it.
 */
export async function queryLiveState<State>(
  ctx: RouteContext,
  resourceId: string,
  query: (temporal: Client) => Promise<State>,
): Promise<LiveState<State>> {
  try {
    return { state: await temporalCall(ctx.services, 'query', query), stale: false };
  } catch (err) {
    ctx.services.logger.warn({ err, resourceId }, 'live state query failed; answering from the recorded row');
    return { state: null, stale: true };
  }
}
