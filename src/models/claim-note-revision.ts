import { CreationOptional, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, idColumn, tenantColumn, tableOptions } from './columns';

/** A text a claim note held before its author corrected it: revision 1 is the note as first written. */
export class ClaimNoteRevision extends Model<InferAttributes<ClaimNoteRevision>, InferCreationAttributes<ClaimNoteRevision>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare noteId: string;
  declare revision: number;
  declare body: string;
  /** When this text was written: the note's creation, or the edit that wrote it. */
  declare writtenAt: Date;
  /** When the next edit replaced it. */
  declare replacedAt: Date;

  static initModel(sequelize: Sequelize): void {
    ClaimNoteRevision.init(
      {
        ...idColumn(),
        ...tenantColumn(),
        noteId: required.uuid(),
        revision: required.integer(),
        body: required.text(),
        writtenAt: required.date(),
        replacedAt: required.date(),
      },
      tableOptions(sequelize, 'claim_note_revisions', { timestamps: false }),
    );
  }
}
