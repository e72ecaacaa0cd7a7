import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';

/** The stored response of a write made with an Idempotency-Key header, replayed on a repeat. */
export class IdempotencyRecord extends Row<IdempotencyRecord> {
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

  static initModel(sequelize: Sequelize): void {
    IdempotencyRecord.init(
      rowColumns({
        scope: required.string(100),
        key: required.string(200),
        method: required.string(10),
        path: required.string(500),
        requestHash: required.string(64),
        requestHashVersion: required(DataTypes.SMALLINT, { defaultValue: 1 }),
        failedAt: optional.date(),
        responseStatus: optional.integer(),
        responseBody: optional.json(),
      }),
      tableOptions(sequelize, 'idempotency_records'),
    );
  }
}
