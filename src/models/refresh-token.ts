import { CreationOptional, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';

/** A refresh token, stored only as its SHA-256. Tokens rotated from one login share a family. */
export class RefreshToken extends Row<RefreshToken> {
  declare userId: string;
  declare familyId: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    RefreshToken.init(
      rowColumns({
        userId: required.uuid(),
        familyId: required.uuid(),
        tokenHash: required.string(64, { unique: true }),
        expiresAt: required.date(),
        usedAt: optional.date(),
        revokedAt: optional.date(),
      }),
      tableOptions(sequelize, 'refresh_tokens'),
    );
  }
}
