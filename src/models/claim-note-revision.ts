import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

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
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        noteId: { type: DataTypes.UUID, allowNull: false },
        revision: { type: DataTypes.INTEGER, allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        writtenAt: { type: DataTypes.DATE, allowNull: false },
        replacedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'claim_note_revisions', underscored: true, timestamps: false },
    );
  }
}
