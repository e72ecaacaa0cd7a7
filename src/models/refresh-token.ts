import { modelOf, required, optional, rowColumns } from './columns';

const refreshTokenColumns = () =>
  rowColumns({
    userId: required.uuid(),
    familyId: required.uuid(),
    tokenHash: required.string(64, { unique: true }),
    expiresAt: required.date(),
    usedAt: optional.date(),
    revokedAt: optional.date(),
  });

/** A refresh token, stored only as its SHA-256. Tokens rotated from one login share a family. */
export class RefreshToken extends modelOf('refresh_tokens', refreshTokenColumns) {}
