import { modelOf, required, optional, idColumn, createdAtColumn } from './columns';

const passwordResetTokenColumns = () => ({
  ...idColumn(),
  userId: required.uuid(),
  tokenHash: required.string(64, { unique: true }),
  expiresAt: required.date(),
  usedAt: optional.date(),
  ...createdAtColumn(),
});

/** A password reset token, stored only as its SHA-256; usable once, until it expires. */
export class PasswordResetToken extends modelOf('password_reset_tokens', passwordResetTokenColumns, { updatedAt: false }) {}
