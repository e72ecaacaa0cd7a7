import { DataTypes } from 'sequelize';
import { modelOf, optional, uuidKey, filledOnInsert } from './columns';

const personDataKeyColumns = () => ({
  userId: uuidKey(),
  tenantId: optional.uuid(),
  /** The key, wrapped when `wrappingKeyId` names a payload key; null once destroyed. */
  dataKey: optional<Buffer>(DataTypes.BLOB),
  wrappingKeyId: optional.string(100),
  /** NOT NULL DEFAULT now() in the table (migration 0065); the model keeps no timestamps itself. */
  createdAt: filledOnInsert(optional.date()),
  destroyedAt: optional.date(),
});

/**
 * A person's data key for their sealed fields in workflow payloads (src/services/person-data-keys.ts
 * reads and writes it; docs/privacy.md, Personal data in workflow histories).
 */
export class PersonDataKey extends modelOf('person_data_keys', personDataKeyColumns, { timestamps: false }) {}
