import { DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, tenantRowColumns, tableOptions } from './columns';
import type { CostType, ReserveCategory } from '../contracts/claim-reserves';

/** A claim's reserve for one cost type and category (docs/claim-money.md), as its run last applied it. */
export class ClaimReserveLine extends TenantRow<ClaimReserveLine> {
  declare claimId: string;
  declare costType: CostType;
  declare category: ReserveCategory;
  declare amount: string;

  static initModel(sequelize: Sequelize): void {
    ClaimReserveLine.init(
      tenantRowColumns({
        claimId: required.uuid(),
        costType: required.string(20),
        category: required.string(20),
        amount: required(DataTypes.DECIMAL(14, 2)),
      }),
      tableOptions(sequelize, 'claim_reserve_lines'),
    );
  }
}
