import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize, Transaction } from 'sequelize';
import type { ErasureStatus, KeptRowsDeletion, TableErasure } from '../contracts/privacy-erasure';

/**
 * A tenant admin's erasure of one person (docs/privacy.md, Erasure, retention and legal holds),
 * carried out by the run `workflowId`: the steps it has taken and what became of each table's rows.
 */
export class PrivacyErasure extends Model<InferAttributes<PrivacyErasure>, InferCreationAttributes<PrivacyErasure>> {
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    PrivacyErasure.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        userId: { type: DataTypes.UUID, allowNull: false },
        requestedById: { type: DataTypes.UUID, allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        stepsDone: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        tables: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        keptRowsDueOn: { type: DataTypes.DATEONLY },
        keptRowsDeleted: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        runId: { type: DataTypes.STRING(100) },
        finishedAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'privacy_erasures', underscored: true },
    );
  }
}

/** A legal hold on a person's data: active until released. */
export class PrivacyLegalHold extends Model<InferAttributes<PrivacyLegalHold>, InferCreationAttributes<PrivacyLegalHold>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare userId: string;
  declare reason: string;
  declare placedById: string;
  declare releasedAt: CreationOptional<Date | null>;
  declare releasedById: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /**
   * Whether a hold on the person is active. The request and every erasure step ask it with the
   * person's users row locked, as placing a hold does, so a hold and an erasure step never pass each other.
   */
  static async isHeld(userId: string, transaction?: Transaction): Promise<boolean> {
    return (await PrivacyLegalHold.count({ where: { userId, releasedAt: null }, transaction })) > 0;
  }

  static initModel(sequelize: Sequelize): void {
    PrivacyLegalHold.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        userId: { type: DataTypes.UUID, allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        placedById: { type: DataTypes.UUID, allowNull: false },
        releasedAt: { type: DataTypes.DATE },
        releasedById: { type: DataTypes.UUID },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'privacy_legal_holds', underscored: true },
    );
  }
}
