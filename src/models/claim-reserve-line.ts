import { modelOf, required, tenantRowColumns } from './columns';
import type { CostType, ReserveCategory } from '../contracts/claim-reserves';

const claimReserveLineColumns = () =>
  tenantRowColumns({
    claimId: required.uuid(),
    costType: required.string<CostType>(20),
    category: required.string<ReserveCategory>(20),
    amount: required.amount(),
  });

/** A claim's reserve for one cost type and category (docs/claim-money.md), as its run last applied it. */
export class ClaimReserveLine extends modelOf('claim_reserve_lines', claimReserveLineColumns) {}
