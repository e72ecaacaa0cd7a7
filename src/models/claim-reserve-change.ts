import { modelOf, required, optional, uuidKey, tenantColumn, timestampColumns } from './columns';
import type { CostType, ReserveCategory, ReserveChangeStatus } from '../contracts/claim-reserves';

const claimReserveChangeColumns = () => ({
  id: uuidKey(),
  ...tenantColumn(),
  claimId: required.uuid(),
  costType: required.string<CostType>(20),
  category: required.string<ReserveCategory>(20),
  amountBefore: required.amount(),
  amount: required.amount(),
  reason: required.string(500),
  status: required.string<ReserveChangeStatus>(20),
  /** Null for the run's own release at closing. */
  requestedById: optional.uuid(),
  requestedAt: required.date(),
  decidedById: optional.uuid(),
  decidedAt: optional.date(),
  ...timestampColumns(),
});

/** One change of a claim's reserve line (docs/claim-money.md): who asked, why, and who decided it if it waited. */
export class ClaimReserveChange extends modelOf('claim_reserve_changes', claimReserveChangeColumns) {}
