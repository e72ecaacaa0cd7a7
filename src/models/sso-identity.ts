import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, primaryKey, tableOptions } from './columns';

/**
 * The identity at an OpenID provider (issuer and `sub`) that a staff member signs in with: one
 * per account and provider, so another person at the provider claiming the same address is not
 * that account.
 */
export class SsoIdentity extends Model<InferAttributes<SsoIdentity>, InferCreationAttributes<SsoIdentity>> {
  declare issuer: string;
  declare subject: string;
  declare userId: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SsoIdentity.init(
      {
        issuer: primaryKey(DataTypes.STRING(500)),
        subject: primaryKey(DataTypes.STRING(255)),
        userId: required.uuid(),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'sso_identities', { updatedAt: false }),
    );
  }
}
