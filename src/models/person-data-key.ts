import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

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
        userId: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID },
        dataKey: { type: DataTypes.BLOB },
        wrappingKeyId: { type: DataTypes.STRING(100) },
        createdAt: { type: DataTypes.DATE },
        destroyedAt: { type: DataTypes.DATE },
      },
      { sequelize, tableName: 'person_data_keys', underscored: true, timestamps: false },
    );
  }
}
