import { DataTypes } from 'sequelize';
import { modelOf, required, optional, rowColumns } from './columns';

const idempotencyRecordColumns = () =>
  rowColumns({
    /** Who sent it: a user ID, or the client IP for public routes. */
    scope: required.string(100),
    key: required.string(200),
    method: required.string(10),
    path: required.string(500),
    requestHash: required.string(64),
    /** How requestHash was taken: 1 over the body as it arrived (rows before migration 0016), 2 over its canonical JSON. */
    requestHashVersion: required<number>(DataTypes.SMALLINT, { defaultValue: 1 }),
    /** Set when the request failed: the key stays bound to it, and only the same request may run again. */
    failedAt: optional.date(),
    responseStatus: optional.integer(),
    responseBody: optional.json<object>(),
  });

/** The stored response of a write made with an Idempotency-Key header, replayed on a repeat. */
export class IdempotencyRecord extends modelOf('idempotency_records', idempotencyRecordColumns) {}
