import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, tenantColumn, timestampColumns, tableOptions } from './columns';
import type { CostType, ReserveCategory, ReserveChangeStatus } from '../contracts/claim-reserves';

/** One change of a claim's reserve line (docs/claim-money.md): who asked, why, and who decided it if it waited. */
export class ClaimReserveChange extends Timestamped<ClaimReserveChange> {
  declare id: string;
  declare tenantId: string;
  declare claimId: string;
  declare costType: CostType;
  declare category: ReserveCategory;
  declare amountBefore: string;
  declare amount: string;
  declare reason: string;
  declare status: ReserveChangeStatus;
  /** Null for the run's own release at closing. */
  declare requestedById: string | null;
  declare requestedAt: Date;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ClaimReserveChange.init(
      {
        id: uuidKey(),
        ...tenantColumn(),
        claimId: required.uuid(),
        costType: required.string(20),
        category: required.string(20),
        amountBefore: required(DataTypes.DECIMAL(14, 2)),
        amount: required(DataTypes.DECIMAL(14, 2)),
        reason: required.string(500),
        status: required.string(20),
        requestedById: optional.uuid(),
        requestedAt: required.date(),
        decidedById: optional.uuid(),
        decidedAt: optional.date(),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'claim_reserve_changes'),
    );
  }
}
