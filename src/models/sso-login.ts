import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, primaryKey, tenantColumn, tableOptions } from './columns';

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
        stateHash: primaryKey(DataTypes.STRING(64)),
        ...tenantColumn(),
        nonce: required.string(100),
        codeVerifier: required.string(200),
        expiresAt: required.date(),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'sso_logins', { updatedAt: false }),
    );
  }
}
