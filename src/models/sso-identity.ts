import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

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
        issuer: { type: DataTypes.STRING(500), primaryKey: true },
        subject: { type: DataTypes.STRING(255), primaryKey: true },
        userId: { type: DataTypes.UUID, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'sso_identities', underscored: true, updatedAt: false },
    );
  }
}
