import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { optional, uuidKey, tableOptions } from './columns';

/**
 * A person's data key for their sealed fields in workflow payloads (src/services/person-data-keys.ts
 * reads and writes it; docs/privacy.md, Personal data in workflow histories).
 */
export class PersonDataKey extends Model<InferAttributes<PersonDataKey>, InferCreationAttributes<PersonDataKey>> {
  declare userId: string;
  declare tenantId: string | null;
  /** The key, wrapped when `wrappingKeyId` names a payload key; null once destroyed. */
  declare dataKey: Buffer | null;
  declare wrappingKeyId: string | null;
  declare createdAt: CreationOptional<Date>;
  declare destroyedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    PersonDataKey.init(
      {
        userId: uuidKey(),
        tenantId: optional.uuid(),
        dataKey: optional(DataTypes.BLOB),
        wrappingKeyId: optional.string(100),
        createdAt: optional.date(),
        destroyedAt: optional.date(),
      },
      tableOptions(sequelize, 'person_data_keys', { timestamps: false }),
    );
  }
}
