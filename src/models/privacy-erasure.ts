import { CreationOptional, DataTypes, Sequelize, Transaction } from 'sequelize';
import {
  Timestamped,
  TenantRow,
  required,
  optional,
  uuidKey,
  tenantColumn,
  timestampColumns,
  tenantRowColumns,
  tableOptions,
} from './columns';
import type { ErasureStatus, KeptRowsDeletion, TableErasure } from '../contracts/privacy-erasure';

/**
 * A tenant admin's erasure of one person (docs/privacy.md, Erasure, retention and legal holds),
 * carried out by the run `workflowId`: the steps it has taken and what became of each table's rows.
 */
export class PrivacyErasure extends Timestamped<PrivacyErasure> {
  declare id: string;
  declare tenantId: string;
  declare userId: string;
  declare requestedById: string;
  declare reason: string;
  declare status: CreationOptional<ErasureStatus>;
  /** The names of the steps taken, in order (src/activities/privacy-erasure.ts). */
  declare stepsDone: CreationOptional<string[]>;
  /** Per table: rows deleted, pseudonymised or kept, and the keep-until date of kept ones. */
  declare tables: CreationOptional<Record<string, TableErasure>>;
  /** The next day the kept-records job looks at this erasure (YYYY-MM-DD); null while running and once every kept row is deleted. */
  declare keptRowsDueOn: CreationOptional<string | null>;
  /** Per table: how many kept rows were deleted once their keepUntil day came, and when (src/activities/kept-records.ts). */
  declare keptRowsDeleted: CreationOptional<Record<string, KeptRowsDeletion>>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;
  /** When it was completed or blocked. */
  declare finishedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    PrivacyErasure.init(
      {
        id: uuidKey(),
        ...tenantColumn(),
        userId: required.uuid(),
        requestedById: required.uuid(),
        reason: required.string(500),
        status: required.string(20, { defaultValue: 'pending' }),
        stepsDone: required.json({ defaultValue: [] }),
        tables: required.json({ defaultValue: {} }),
        keptRowsDueOn: optional(DataTypes.DATEONLY),
        keptRowsDeleted: required.json({ defaultValue: {} }),
        workflowId: required.string(200),
        runId: optional.string(100),
        finishedAt: optional.date(),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'privacy_erasures'),
    );
  }
}

/** A legal hold on a person's data: active until released. */
export class PrivacyLegalHold extends TenantRow<PrivacyLegalHold> {
  declare userId: string;
  declare reason: string;
  declare placedById: string;
  declare releasedAt: CreationOptional<Date | null>;
  declare releasedById: CreationOptional<string | null>;

  /**
   * Whether a hold on the person is active. The request and every erasure step ask it with the
   * person's users row locked, as placing a hold does, so a hold and an erasure step never pass each other.
   */
  static async isHeld(userId: string, transaction?: Transaction): Promise<boolean> {
    return (await PrivacyLegalHold.count({ where: { userId, releasedAt: null }, transaction })) > 0;
  }

  static initModel(sequelize: Sequelize): void {
    PrivacyLegalHold.init(
      tenantRowColumns({
        userId: required.uuid(),
        reason: required.string(500),
        placedById: required.uuid(),
        releasedAt: optional.date(),
        releasedById: optional.uuid(),
      }),
      tableOptions(sequelize, 'privacy_legal_holds'),
    );
  }
}
