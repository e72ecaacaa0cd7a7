/** An open claim's stage and next deadline as its run sees them now: GET /claims/:id and GraphQL's `Claim.liveState`. */
import { type ClaimDeadline, type ClaimState, claimStateQuery } from '../../contracts/claim';
import type { Claim } from '../../models';
import { localTimeIn } from '../../domain/calendars/local-time';
import { currencyOf } from '../../domain/claims/money';
import { formatClaimAmount } from '../../shared/money';
import type { ApiServices } from '../runtime/services';
import { type LiveState, queryLiveState } from '../temporal/live-state';

/** The run's next deadline, with its instant also in the tenant's time zone (`atLocal`, ISO 8601 with the offset). */
export type LiveClaimDeadline = ClaimDeadline & { atLocal: string | null };

/** Its amounts as decimal strings in the claim's currency (docs/api.md, Money): the run answers numbers. */
export type LiveClaimState = Omit<ClaimState, 'history' | 'documentIds' | 'nextDeadline' | 'amountClaimed' | 'amountApproved'> & {
  amountClaimed: string;
  amountApproved: string | null;
  nextDeadline: LiveClaimDeadline | null;
};

/** A closed claim's run has nothing more to say than its row; an open one is asked under the query deadline. */
export async function liveClaimState(services: ApiServices, claim: Claim): Promise<LiveState<LiveClaimState>> {
  if (claim.status === 'closed') return { state: null, stale: false };
  const [live, local, currency] = await Promise.all([
    queryLiveState(services, claim.id, async (temporal) => {
      // The history and the documents are served from their tables (GET /claims/:id, GET /claims/:id/documents).
      const {
        history: _history,
        documentIds: _documentIds,
        ...state
      } = await temporal.workflow.getHandle(claim.workflowId).query(claimStateQuery);
      return state;
    }),
    localTimeIn(claim.tenantId),
    currencyOf(claim.id),
  ]);
  if (!live.state) return { state: null, stale: live.stale };
  const { nextDeadline, amountClaimed, amountApproved } = live.state;
  return {
    state: {
      ...live.state,
      amountClaimed: formatClaimAmount(amountClaimed, currency),
      amountApproved: amountApproved === null ? null : formatClaimAmount(amountApproved, currency),
      nextDeadline: nextDeadline && { ...nextDeadline, atLocal: local(new Date(nextDeadline.at)) },
    },
    stale: live.stale,
  };
}
