import { modelOf, required, optional, rowColumns, singleUseTokenColumns } from './columns';

const refreshTokenColumns = () =>
  rowColumns({
    userId: required.uuid(),
    familyId: required.uuid(),
    ...singleUseTokenColumns(),
    revokedAt: optional.date(),
  });

/** A refresh token, stored only as its SHA-256. Tokens rotated from one login share a family. */
export class RefreshToken extends modelOf('refresh_tokens', refreshTokenColumns) {}
