import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * A company sign-in under way: started by GET /auth/sso/:tenant/start, used up by the callback
 * that names its `state` (kept as a SHA-256 only), for its tenant only, before `expiresAt`.
 */
export class SsoLogin extends Model<InferAttributes<SsoLogin>, InferCreationAttributes<SsoLogin>> {
  declare stateHash: string;
  declare tenantId: string;
  declare nonce: string;
  declare codeVerifier: string;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SsoLogin.init(
      {
        stateHash: { type: DataTypes.STRING(64), primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        nonce: { type: DataTypes.STRING(100), allowNull: false },
        codeVerifier: { type: DataTypes.STRING(200), allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'sso_logins', underscored: true, updatedAt: false },
    );
  }
}
