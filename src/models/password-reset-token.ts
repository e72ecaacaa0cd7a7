import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, optional, idColumn, tableOptions } from './columns';

/** A password reset token, stored only as its SHA-256; usable once, until it expires. */
export class PasswordResetToken extends Model<InferAttributes<PasswordResetToken>, InferCreationAttributes<PasswordResetToken>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    PasswordResetToken.init(
      {
        ...idColumn(),
        userId: required.uuid(),
        tokenHash: required.string(64, { unique: true }),
        expiresAt: required.date(),
        usedAt: optional.date(),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'password_reset_tokens', { updatedAt: false }),
    );
  }
}
