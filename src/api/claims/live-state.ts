/** An open claim's stage and next deadline as its run sees them now: GET /claims/:id and GraphQL's `Claim.liveState`. */
import { type ClaimState, claimStateQuery } from '../../contracts/claim';
import type { Claim } from '../../models';
import type { ApiServices } from '../runtime/services';
import { type LiveState, queryLiveState } from '../temporal/live-state';

export type LiveClaimState = Omit<ClaimState, 'history' | 'documentIds'>;

/** A closed claim's run has nothing more to say than its row; an open one is asked under the query deadline. */
export async function liveClaimState(services: ApiServices, claim: Claim): Promise<LiveState<LiveClaimState>> {
  if (claim.status === 'closed') return { state: null, stale: false };
  return queryLiveState(services, claim.id, async (temporal) => {
    // The history and the documents are served from their tables (GET /claims/:id, GET /claims/:id/documents).
    const {
      history: _history,
      documentIds: _documentIds,
      ...state
    } = await temporal.workflow.getHandle(claim.workflowId).query(claimStateQuery);
    return state;
  });
}
