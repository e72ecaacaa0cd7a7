import { modelOf, required, optional, idColumn, tenantColumn, createdAtColumn } from './columns';
import type { ClaimStage } from '../contracts/claim';

const claimHistoryColumns = () => ({
  ...idColumn(),
  ...tenantColumn(),
  claimId: required.uuid(),
  sequence: required.integer(),
  /** Null when the workflow itself moved the claim (a timer, the payment). */
  actorId: optional.uuid(),
  fromStatus: optional.string<ClaimStage>(30),
  toStatus: required.string<ClaimStage>(30),
  note: optional.text(),
  occurredAt: required.date(),
  // The table has no updatedAt.
  ...createdAtColumn(),
});

/**
 * One transition of a claim: who moved it, from where, to where, why and when. A reassignment is
 * a row whose from and to are the same stage. `sequence` is the transition's position in the
 * workflow, unique per claim, so a retried activity records it once.
 */
export class ClaimHistory extends modelOf('claim_history', claimHistoryColumns, { updatedAt: false }) {}
