/**
 * Upkeep of claim notes and documents (docs/claims.md, Notes and documents upkeep): a note's
 * replaced texts are kept one row per revision, notes and documents are withdrawn instead of
 * deleted (who, when and why on the row itself), and documents get a kind. Existing documents
 * become `other`.
 */
import { DataTypes } from 'sequelize';
import { DOCUMENT_KINDS } from '../../contracts/claim';
import { MigrationFn, references, uuidPrimaryKey, inOneTransaction } from './helpers';

/** The withdrawal columns, all set or all null. */
const withdrawal = {
  withdrawn_at: { type: DataTypes.DATE },
  withdrawn_by_id: { type: DataTypes.UUID, ...references('users') },
  withdrawal_reason: { type: DataTypes.STRING(500) },
};

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    await qi.addColumn('claim_notes', 'edited_at', { type: DataTypes.DATE }, { transaction });
    for (const table of ['claim_notes', 'claim_documents']) {
      for (const [column, definition] of Object.entries(withdrawal)) await qi.addColumn(table, column, definition, { transaction });
      await sql(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_withdrawal_whole
        CHECK ((withdrawn_at IS NULL) = (withdrawn_by_id IS NULL) AND (withdrawn_at IS NULL) = (withdrawal_reason IS NULL))`);
    }
    await qi.addColumn('claim_documents', 'kind', { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'other' }, { transaction });
    const kinds = DOCUMENT_KINDS.map((kind) => `'${kind}'`).join(', ');
    await sql(`ALTER TABLE claim_documents ADD CONSTRAINT claim_documents_kind_known CHECK (kind IN (${kinds}))`);
    await qi.createTable(
      'claim_note_revisions',
      {
        id: uuidPrimaryKey,
        tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
        note_id: { type: DataTypes.UUID, allowNull: false, ...references('claim_notes', 'CASCADE') },
        // 1 for the note's first text, 2 for the text of its first edit, and so on.
        revision: { type: DataTypes.INTEGER, allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        // When this text was written (the note's creation or the edit that wrote it) and replaced.
        written_at: { type: DataTypes.DATE, allowNull: false },
        replaced_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('claim_note_revisions', ['note_id', 'revision'], { unique: true, transaction });
  });
};

export const down: MigrationFn = async (qi) => {
  // Dropping a column drops the constraints on it.
  await qi.dropTable('claim_note_revisions');
  await qi.removeColumn('claim_documents', 'kind');
  for (const table of ['claim_notes', 'claim_documents']) {
    for (const column of Object.keys(withdrawal)) await qi.removeColumn(table, column);
  }
  await qi.removeColumn('claim_notes', 'edited_at');
};
