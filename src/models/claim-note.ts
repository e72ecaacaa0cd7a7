import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';

/**
 * An internal note of the claim handlers; kept in PostgreSQL, never in workflow history. Its
 * author may correct it for a while (the texts it replaced are its revisions) and it is withdrawn,
 * never deleted.
 */
export class ClaimNote extends TenantRow<ClaimNote> {
  declare claimId: string;
  declare authorId: string;
  declare body: string;
  /** When the author last corrected the text; null while it is as first written. */
  declare editedAt: CreationOptional<Date | null>;
  declare withdrawnAt: CreationOptional<Date | null>;
  declare withdrawnById: CreationOptional<string | null>;
  declare withdrawalReason: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    ClaimNote.init(
      tenantRowColumns({
        claimId: required.uuid(),
        authorId: required.uuid(),
        body: required.text(),
        editedAt: optional.date(),
        withdrawnAt: optional.date(),
        withdrawnById: optional.uuid(),
        withdrawalReason: optional.string(500),
      }),
      tableOptions(sequelize, 'claim_notes'),
    );
  }
}
