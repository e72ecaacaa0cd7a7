import { modelOf, required, idColumn, createdAtColumn, singleUseTokenColumns } from './columns';

const passwordResetTokenColumns = () => ({
  ...idColumn(),
  userId: required.uuid(),
  ...singleUseTokenColumns(),
  ...createdAtColumn(),
});

/** A password reset token, stored only as its SHA-256; usable once, until it expires. */
export class PasswordResetToken extends modelOf('password_reset_tokens', passwordResetTokenColumns, { updatedAt: false }) {}
