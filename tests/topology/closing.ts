/**
 * Takes a scenario's runs to their end through the API, as the people of the tenant do; a write
 * answered 503/504 is repeated with its key (callAsClientsDo) and counted in `retried`.
 */
import { callAsClientsDo, expectStatus } from './api-client';
import type { Person } from './tenant';

/** The claims manager (`staff.claims_manager`) assigns the claim to the adjuster (`staff.adjuster`), who reviews and approves it: the run pays and closes it. */
export async function approveClaim(
  api: string,
  staff: Record<string, Person>,
  claimId: string,
  approvedAmount: number,
  retried: { count: number },
): Promise<void> {
  const { claims_manager: manager, adjuster } = staff;
  expectStatus(
    await callAsClientsDo(
      api,
      'POST',
      `/claims/${claimId}/assign`,
      { token: manager.token, key: `assign-${claimId}`, body: { assigneeId: adjuster.id } },
      retried,
    ),
    200,
    `assign ${claimId}`,
  );
  for (const body of [{ to: 'under_review' }, { to: 'waiting_approval' }, { to: 'approved', approvedAmount }]) {
    expectStatus(
      await callAsClientsDo(
        api,
        'POST',
        `/claims/${claimId}/transitions`,
        { token: adjuster.token, key: `${body.to}-${claimId}`, body },
        retried,
      ),
      200,
      `${body.to} ${claimId}`,
    );
  }
}

/** The policyholder cancels each subscription. */
export async function cancelSubscriptions(
  api: string,
  holder: string,
  subscriptionIds: string[],
  retried: { count: number },
): Promise<void> {
  for (const [n, id] of subscriptionIds.entries()) {
    expectStatus(
      await callAsClientsDo(
        api,
        'PATCH',
        `/subscriptions/${id}/cancel`,
        { token: holder, key: `cancel-${n}`, body: { reason: 'Moving abroad' } },
        retried,
      ),
      200,
      `cancel ${id}`,
    );
  }
}
