import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** The stored response of a write made with an Idempotency-Key header, replayed on a repeat. */
export class IdempotencyRecord extends Model<InferAttributes<IdempotencyRecord>, InferCreationAttributes<IdempotencyRecord>> {
  declare id: CreationOptional<string>;
  /** Who sent it: a user ID, or the client IP for public routes. */
  declare scope: string;
  declare key: string;
  declare method: string;
  declare path: string;
  declare requestHash: string;
  /** How requestHash was taken: 1 over the body as it arrived (rows before migration 0016), 2 over its canonical JSON. */
  declare requestHashVersion: CreationOptional<number>;
  /** Set when the request failed: the key stays bound to it, and only the same request may run again. */
  declare failedAt: CreationOptional<Date | null>;
  declare responseStatus: CreationOptional<number | null>;
  declare responseBody: CreationOptional<object | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    IdempotencyRecord.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        scope: { type: DataTypes.STRING(100), allowNull: false },
        key: { type: DataTypes.STRING(200), allowNull: false },
        method: { type: DataTypes.STRING(10), allowNull: false },
        path: { type: DataTypes.STRING(500), allowNull: false },
        requestHash: { type: DataTypes.STRING(64), allowNull: false },
        requestHashVersion: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
        failedAt: { type: DataTypes.DATE },
        responseStatus: { type: DataTypes.INTEGER },
        responseBody: { type: DataTypes.JSONB },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'idempotency_records', underscored: true },
    );
  }
}
