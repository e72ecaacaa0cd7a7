import { Sequelize } from 'sequelize';
import { modelOf, required, optional, idColumn, createdAtColumn, tableOptions } from './columns';

const passwordResetTokenColumns = () => ({
  ...idColumn(),
  userId: required.uuid(),
  tokenHash: required.string(64, { unique: true }),
  expiresAt: required.date(),
  usedAt: optional.date(),
  ...createdAtColumn(),
});

/** A password reset token, stored only as its SHA-256; usable once, until it expires. */
export class PasswordResetToken extends modelOf(passwordResetTokenColumns) {
  static initModel(sequelize: Sequelize): void {
    PasswordResetToken.init(passwordResetTokenColumns(), tableOptions(sequelize, 'password_reset_tokens', { updatedAt: false }));
  }
}
